import { Option, type Command } from 'commander';
import { createQseowToken } from '../../core/qlik/qseow-token.js';
import { QSEOW_DEFAULTS } from '../../core/qlik/qlik-limits.js';
import { collect, newCommand } from '../command-setup.js';
import { addTokenOptions, resolveTokenInputs, type TokenFlags } from '../token-options.js';
import { emitToken, summarizeToken } from '../token-output.js';
import { runCommand, type RunCommand } from '../command-runner.js';

interface QseowFlags extends TokenFlags {
  userid: string;
  userdir: string;
  useridAttr: string;
  userdirAttr: string;
  name?: string;
  email?: string;
  groups?: string[];
  groupsAttr: string;
  audience?: string;
  issuer?: string;
  subject?: string;
  kid?: string;
}

export function buildCommand(): Command {
  const command = newCommand('create qseow', 'Mint a JWT for a client-managed Qlik Sense (QSEoW) JWT virtual proxy. The token goes to stdout.', [
    'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME',
    'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME --groups Sales "EMEA Managers" --expires 8h',
    'qs-jwt create qseow --key - --userid svc --userdir INTERNAL --audience qlik.example.com --format header < privatekey.pem',
    'curl -H "Authorization: Bearer $(qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME)" https://qlik.example.com/jwt/qps/user',
  ])
    .requiredOption('--userid <id>', 'user ID, e.g. anna')
    .requiredOption('--userdir <directory>', 'user directory, e.g. ACME')
    .addOption(new Option('--userid-attr <claim>', `claim for the user ID: the virtual proxy's "JWT attribute for user ID"`).default(QSEOW_DEFAULTS.userIdAttribute).env('QSJWT_USERID_ATTR'))
    .addOption(new Option('--userdir-attr <claim>', `claim for the user directory: the virtual proxy's "JWT attribute for user directory"`).default(QSEOW_DEFAULTS.userDirectoryAttribute).env('QSJWT_USERDIR_ATTR'))
    .option('--name <name>', 'name claim')
    .option('--email <email>', 'email claim')
    .option('--groups <group...>', 'groups, sent as a JSON array (space-separated and repeatable)', (value: string, previous: string[] | undefined) => collect(value, previous))
    .addOption(new Option('--groups-attr <claim>', 'claim name for the groups; map it in the virtual proxy attribute mapping').default(QSEOW_DEFAULTS.groupsAttribute).env('QSJWT_GROUPS_ATTR'))
    .addOption(new Option('--audience <aud>', "aud claim: must equal the virtual proxy's JWT audience when that is set").env('QSJWT_AUDIENCE'))
    .addOption(new Option('--issuer <iss>', 'iss claim').env('QSJWT_ISSUER'))
    .option('--subject <sub>', 'sub claim')
    .addOption(new Option('--kid <id>', 'kid header').env('QSJWT_KID'));
  addTokenOptions(command, QSEOW_DEFAULTS.expires);
  return command.action(async (_flags: QseowFlags, self: Command) => {
    const { flags, common, showSummary } = await resolveTokenInputs<QseowFlags>(self, 'qseow');
    const created = createQseowToken({
      ...common,
      userId: flags.userid,
      userDirectory: flags.userdir,
      userIdAttribute: flags.useridAttr,
      userDirectoryAttribute: flags.userdirAttr,
      name: flags.name,
      email: flags.email,
      groups: flags.groups,
      groupsAttribute: flags.groupsAttr,
      audience: flags.audience,
      issuer: flags.issuer,
      subject: flags.subject,
      keyId: flags.kid,
    });
    emitToken(created, flags.format, {
      summary: summarizeToken(created, `QSEoW token for ${flags.userdir}\\${flags.userid} (claims ${flags.userdirAttr}, ${flags.useridAttr})`),
      showSummary,
    });
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
