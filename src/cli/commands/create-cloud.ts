import { Option, type Command } from 'commander';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import { CLOUD_DEFAULTS, QLIK_CLOUD_AUDIENCE } from '../../core/qlik/qlik-limits.js';
import { CliError } from '../cli-error.js';
import { collect, newCommand } from '../command-setup.js';
import { addTokenOptions, resolveTokenInputs, type TokenFlags } from '../token-options.js';
import { emitToken, summarizeToken } from '../token-output.js';
import { runCommand, type RunCommand } from '../command-runner.js';

interface CloudFlags extends TokenFlags {
  sub: string;
  name: string;
  email: string;
  emailVerified: 'true' | 'false';
  issuer?: string;
  kid?: string;
  groups?: string[];
  audience: string;
}

export function buildCommand(): Command {
  const command = newCommand('create cloud', "Mint a JWT for Qlik Cloud's JWT identity provider (POST /login/jwt-session). The token goes to stdout.", [
    'qs-jwt create cloud --key privatekey.pem --sub anna --name "Anna Andersson" --email anna@acme.com --issuer https://idp.acme.com --kid 2Yt0...',
    'qs-jwt create cloud --key privatekey.pem --sub anna --name Anna --email anna@acme.com --issuer acme --kid k1 --groups Sales Finance --expires 10m',
    'curl -X POST -c cookies.txt -H "Authorization: Bearer $(qs-jwt create cloud ...)" https://TENANT.qlikcloud.com/login/jwt-session',
  ])
    .requiredOption('--sub <subject>', 'sub claim: a stable ID per user (Qlik Cloud keys the user on it)')
    .requiredOption('--name <name>', 'name claim')
    .requiredOption('--email <email>', 'email claim')
    .addOption(new Option('--issuer <iss>', "iss claim: the identity provider's issuer (required; also QSJWT_ISSUER or a profile)").env('QSJWT_ISSUER'))
    .addOption(new Option('--kid <id>', "kid header: the identity provider's key ID (required; also QSJWT_KID or a profile)").env('QSJWT_KID'))
    .addOption(new Option('--email-verified <bool>', 'email_verified claim, sent as a JSON boolean').choices(['true', 'false']).default('true'))
    .option('--groups <group...>', 'groups claim, a JSON array (space-separated and repeatable)', (value: string, previous: string[] | undefined) => collect(value, previous))
    .option('--audience <aud>', 'aud claim; Qlik Cloud accepts only the default', QLIK_CLOUD_AUDIENCE);
  addTokenOptions(command, CLOUD_DEFAULTS.expires);
  return command.action(async (_flags: CloudFlags, self: Command) => {
    const { flags, common, showSummary } = await resolveTokenInputs<CloudFlags>(self, 'cloud');
    for (const [flag, value] of [['--issuer', flags.issuer], ['--kid', flags.kid]] as const) {
      if (value === undefined) throw new CliError(`${flag} is required: the identity provider's ${flag === '--kid' ? 'key ID' : 'issuer'} (or set QSJWT_${flag.slice(2).toUpperCase()} or use a --profile that has it)`);
    }
    const created = createCloudToken({
      ...common,
      subject: flags.sub,
      name: flags.name,
      email: flags.email,
      emailVerified: flags.emailVerified === 'true',
      issuer: flags.issuer as string,
      keyId: flags.kid as string,
      groups: flags.groups,
      audience: flags.audience,
    });
    emitToken(created, flags.format, {
      summary: summarizeToken(created, `Qlik Cloud token for ${flags.name} <${flags.email}> (sub ${flags.sub})`),
      showSummary,
    });
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
