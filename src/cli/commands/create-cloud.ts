import { Option, type Command } from 'commander';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import { CLOUD_DEFAULTS, QLIK_CLOUD_AUDIENCE } from '../../core/qlik/qlik-limits.js';
import { newCommand } from '../command-setup.js';
import { addSettings } from '../settings/add-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { addTokenOptions, resolveTokenInputs, type TokenFlags } from '../token-options.js';
import { emitToken, summarizeToken } from '../token-output.js';
import { runCommand, type RunCommand } from '../command-runner.js';

interface CloudFlags extends TokenFlags {
  sub: string;
  name: string;
  email: string;
  emailVerified: 'true' | 'false';
  issuer: string;
  kid: string;
  groups?: string[];
  audience: string;
}

export function buildCommand(): Command {
  const command = newCommand(
    'create cloud',
    "Mint a JWT for Qlik Cloud's JWT identity provider (POST /login/jwt-session). The token goes to stdout.",
    [
      'qs-jwt create cloud --key privatekey.pem --sub anna --name "Anna Andersson" --email anna@acme.com --issuer https://idp.acme.com --kid 2Yt0...',
      'qs-jwt create cloud --key privatekey.pem --sub anna --name Anna --email anna@acme.com --issuer acme --kid k1 --groups Sales Finance --expires 10m',
      'curl -X POST -c cookies.txt -H "Authorization: Bearer $(qs-jwt create cloud ...)" https://TENANT.qlikcloud.com/login/jwt-session',
    ],
  ).addOption(
    new Option('--email-verified <bool>', 'email_verified claim, sent as a JSON boolean')
      .choices(['true', 'false'])
      .default('true'),
  );
  addSettings(command, [
    { setting: SETTINGS.sub, required: 'a stable ID per user' },
    { setting: SETTINGS.name, required: "the user's name" },
    { setting: SETTINGS.email, required: "the user's email" },
    { setting: SETTINGS.issuer, required: "the identity provider's issuer" },
    { setting: SETTINGS.kid, required: "the identity provider's key ID" },
    SETTINGS.groups,
    { setting: SETTINGS.audience, default: QLIK_CLOUD_AUDIENCE },
  ]);
  addTokenOptions(command, CLOUD_DEFAULTS.expires);
  return command.action(async (_flags: CloudFlags, self: Command) => {
    const { flags, settings, common, showSummary } = await resolveTokenInputs<CloudFlags>(self, 'cloud');
    const created = settings.blame(() =>
      createCloudToken({
        ...common,
        subject: flags.sub,
        name: flags.name,
        email: flags.email,
        emailVerified: flags.emailVerified === 'true',
        issuer: flags.issuer,
        keyId: flags.kid,
        groups: flags.groups,
        audience: flags.audience,
      }),
    );
    emitToken(created, flags.format, {
      summary: summarizeToken(created, `Qlik Cloud token for ${flags.name} <${flags.email}> (sub ${flags.sub})`),
      showSummary,
    });
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
