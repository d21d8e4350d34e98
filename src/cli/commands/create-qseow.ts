import type { Command } from 'commander';
import { createQseowToken } from '../../core/qlik/qseow-token.js';
import { QSEOW_DEFAULTS } from '../../core/qlik/qlik-limits.js';
import { newCommand } from '../command-setup.js';
import { addSettings } from '../settings/add-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
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
  sub?: string;
  kid?: string;
}

export function buildCommand(): Command {
  const command = newCommand(
    'create qseow',
    'Mint a JWT for a client-managed Qlik Sense (QSEoW) JWT virtual proxy. The token goes to stdout.',
    [
      'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME',
      'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME --groups Sales "EMEA Managers" --expires 8h',
      'qs-jwt create qseow --key - --userid svc --userdir INTERNAL --audience qlik.example.com --format header < privatekey.pem',
      'curl -H "Authorization: Bearer $(qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME)" https://qlik.example.com/jwt/qps/user',
    ],
  );
  addSettings(command, [
    { setting: SETTINGS.userid, required: 'the user ID, e.g. anna' },
    { setting: SETTINGS.userdir, required: 'the user directory, e.g. ACME' },
    SETTINGS.useridAttr,
    SETTINGS.userdirAttr,
    SETTINGS.name,
    SETTINGS.email,
    SETTINGS.groups,
    SETTINGS.groupsAttr,
    SETTINGS.audience,
    { setting: SETTINGS.issuer, note: 'QSEoW ignores it' },
    { setting: SETTINGS.sub, note: 'QSEoW ignores it' },
    { setting: SETTINGS.kid, note: 'QSEoW ignores it' },
  ]);
  addTokenOptions(command, QSEOW_DEFAULTS.expires);
  return command.action(async (_flags: QseowFlags, self: Command) => {
    const { flags, settings, common, showSummary } = await resolveTokenInputs<QseowFlags>(self, 'qseow');
    const created = settings.blame(() =>
      createQseowToken({
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
        subject: flags.sub,
        keyId: flags.kid,
      }),
    );
    emitToken(created, flags.format, {
      summary: summarizeToken(
        created,
        `QSEoW token for ${flags.userdir}\\${flags.userid} (claims ${flags.userdirAttr}, ${flags.useridAttr})`,
      ),
      showSummary,
    });
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
