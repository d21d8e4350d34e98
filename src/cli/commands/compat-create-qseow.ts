import type { Command } from 'commander';
import { createQseowToken } from '../../core/qlik/qseow-token.js';
import { collect, newCommand } from '../command-setup.js';
import { addLegacyOptions, quietness, resolveLegacyKey, type LegacyFlags } from '../legacy-flags.js';
import { emitToken, summarizeToken } from '../token-output.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { stderrMayBeTerminal } from '../io/standard-streams.js';

interface CompatQseowFlags extends LegacyFlags {
  userdir: string;
  userid: string;
  username?: string;
  useremail?: string;
  groups?: string[];
  audience?: string;
}

export function buildCommand(): Command {
  const command = newCommand(
    'create-qseow',
    'Drop-in for the JavaScript qs-jwt create-qseow: same flags, but real exit codes, a groups claim and only the token on stdout.',
    [
      'qs-jwt create-qseow --userdir ACME --userid anna --expires 8h --audience qlik.example.com --cert-privatekey-file privatekey.pem',
      'qs-jwt create-qseow --userdir ACME --userid anna --expires 1h --cert-create true --cert-file-prefix demo-',
    ],
  )
    .requiredOption('--userdir <directory>', 'user directory')
    .requiredOption('--userid <userid>', 'user ID')
    .option('--username <name>', 'name claim')
    .option('--useremail <email>', 'email claim')
    .option('--groups <groups...>', 'groups claim (a JSON array)', (value: string, previous: string[] | undefined) =>
      collect(value, previous),
    )
    .option('--audience <audience>', "aud claim; must match the virtual proxy's JWT audience when set");
  addLegacyOptions(command);
  return command.action(async (flags: CompatQseowFlags) => {
    const privateKey = await resolveLegacyKey(flags);
    const created = createQseowToken({
      privateKey,
      userId: flags.userid,
      userDirectory: flags.userdir,
      name: flags.username,
      email: flags.useremail,
      groups: flags.groups,
      audience: flags.audience,
      expires: flags.expires,
    });
    const level = quietness(flags);
    emitToken(created, 'token', {
      summary: summarizeToken(created, `QSEoW token for ${flags.userdir}\\${flags.userid}`),
      showSummary: level === 'normal' && stderrMayBeTerminal(),
      quiet: level === 'silent',
    });
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
