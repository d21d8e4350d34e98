import { Option, type Command } from 'commander';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import { CliError } from '../cli-error.js';
import { collect, newCommand } from '../command-setup.js';
import { addLegacyOptions, quietness, resolveLegacyKey, type LegacyFlags } from '../legacy-flags.js';
import { emitToken, summarizeToken } from '../token-output.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { stderrMayBeTerminal } from '../io/standard-streams.js';

interface CompatCloudFlags extends LegacyFlags {
  useremail?: string;
  useremailVerified: 'true' | 'false';
  username?: string;
  groups?: string[];
  issuer: string;
  keyid: string;
  sub?: string;
}

export function buildCommand(): Command {
  const command = newCommand(
    'create-qscloud',
    'Drop-in for the JavaScript qs-jwt create-qscloud: same flags, with the tokens Qlik Cloud accepts (boolean email_verified, groups, stable sub, at most one hour).',
    [
      'qs-jwt create-qscloud --useremail anna@acme.com --useremail-verified true --username "Anna A" --issuer acme --keyid k1 --expires 5m --cert-privatekey-file privatekey.pem',
    ],
  )
    .option('--useremail <email>', 'email claim (required by Qlik Cloud)')
    .addOption(
      new Option('--useremail-verified <bool>', 'email_verified claim, sent as a JSON boolean')
        .choices(['true', 'false'])
        .default('true'),
    )
    .option('--username <name>', 'name claim (required by Qlik Cloud)')
    .option('--groups <groups...>', 'groups claim (a JSON array)', (value: string, previous: string[] | undefined) =>
      collect(value, previous),
    )
    .requiredOption('--issuer <issuer>', "iss claim: the identity provider's issuer")
    .requiredOption('--keyid <id>', "kid header: the identity provider's key ID")
    .option('--sub <subject>', 'sub claim (default: the email, so the same user gets the same sub every time)');
  addLegacyOptions(command);
  return command.action(async (flags: CompatCloudFlags) => {
    if (flags.useremail === undefined)
      throw new CliError('--useremail is required: Qlik Cloud refuses tokens without an email claim');
    if (flags.username === undefined)
      throw new CliError('--username is required: Qlik Cloud refuses tokens without a name claim');
    const privateKey = await resolveLegacyKey(flags);
    const created = createCloudToken({
      privateKey,
      subject: flags.sub ?? flags.useremail,
      name: flags.username,
      email: flags.useremail,
      emailVerified: flags.useremailVerified === 'true',
      groups: flags.groups,
      issuer: flags.issuer,
      keyId: flags.keyid,
      expires: flags.expires,
    });
    const level = quietness(flags);
    emitToken(created, 'token', {
      summary: summarizeToken(created, `Qlik Cloud token for ${flags.username} <${flags.useremail}>`),
      showSummary: level === 'normal' && stderrMayBeTerminal(),
      quiet: level === 'silent',
    });
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
