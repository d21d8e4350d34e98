import type { Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { QsJwtError } from '../../core/errors.js';
import { readJwks } from '../../core/keys/jwks.js';
import { holdsPrivateKey, loadPublicKey } from '../../core/keys/key-input.js';
import { verifyToken, type VerificationKey } from '../../core/lint/verify-token.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { readInput } from '../io/input-file.js';
import { keyFailure, resolvePassphrase } from '../io/private-key-options.js';
import { readTokenArgument } from '../io/token-input.js';
import { addInspectionOptions, resolveInspection, type InspectionFlags } from '../inspection-options.js';
import { reportAsJson, reportAsText } from '../inspection-report.js';
import { addSettings } from '../settings/add-settings.js';
import type { ResolvedSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { writeStderr, writeStdout } from '../io/standard-streams.js';

interface VerifyFlags extends InspectionFlags {
  jwks?: string;
}

/**
 * The key to verify with: exactly one of --cert, --key and --jwks on the command line; else the
 * certificate, then the key, that the environment or the profile gives (QSJWT_CERT_FILE, certFile,
 * QSJWT_KEY_FILE, keyFile).
 */
async function verificationKeys(
  flags: VerifyFlags,
  settings: ResolvedSettings,
): Promise<KeyObject | VerificationKey[]> {
  const fromFlags = (['cert', 'key'] as const).filter((name) => settings.source(name)?.kind === 'flag');
  const given: [string, string, string][] = fromFlags.map((name) => [
    settings.origin(name) ?? name,
    settings.get<string>(name) ?? '',
    name,
  ]);
  if (flags.jwks !== undefined) given.push(['--jwks', flags.jwks, 'jwks']);
  if (given.length > 1)
    throw new CliError(`${given.map(([flag]) => flag).join(' and ')} given: pass exactly one key source`);
  if (given.length === 0) {
    const fallback = (['cert', 'key'] as const).find((name) => settings.given(name));
    if (fallback !== undefined)
      given.push([settings.origin(fallback) ?? fallback, settings.get<string>(fallback) ?? '', fallback]);
  }
  const [chosen] = given;
  if (chosen === undefined)
    throw new CliError(
      'no key to verify with: pass --cert publickey.cer, --key publickey.pem or --jwks keys.json (or use qs-jwt lint to check the claims only)',
    );
  const [origin, path, setting] = chosen;
  const source = await readInput(path, origin);
  try {
    if (origin === '--jwks') {
      const { keys, notes } = readJwks(source);
      for (const note of notes) writeStderr(`qs-jwt: note: --jwks ${path}: ${note}\n`);
      return keys;
    }
    const key = loadPublicKey(source, { unchecked: true, passphrase: await resolvePassphrase(settings) });
    if (setting === 'cert' && holdsPrivateKey(source)) {
      // Verification works, but a private key where Qlik wants a certificate is a secret on its way
      // into an admin form.
      writeStderr(
        `qs-jwt: note: ${origin} ${path} holds a private key; only its public half is used — ` +
          'give Qlik the certificate, never the key\n',
      );
    }
    return key;
  } catch (error) {
    if (error instanceof QsJwtError) throw keyFailure(`${origin} ${path}`, error);
    throw error;
  }
}

export function buildCommand(): Command {
  const command = newCommand(
    'verify',
    "Check a token's signature and Qlik's acceptance rules; report every finding. Exit 0 accepted, 1 rejected, 2 usage.",
    [
      'qs-jwt verify "$TOKEN" --cert publickey.cer --platform qseow',
      'qs-jwt verify - --cert publickey.cer --audience qlik.example.com --userid-attr sub_id < token.txt   # implies --platform qseow',
      'qs-jwt verify "$TOKEN" --key publickey.pem --issuer https://idp.acme.com --kid k1 --format json       # implies --platform cloud',
      'qs-jwt verify "$TOKEN" --profile prod                       # certificate and settings from qs-jwt.config.json',
      'qs-jwt verify "$TOKEN" --jwks jwks.json --at 2026-01-01T00:00:00Z --clock-tolerance 30s',
    ],
  )
    .argument('<token>', 'the token (a "Bearer " prefix is ignored); - reads standard input')
    .option('--jwks <file>', 'JWK Set; the key is chosen by the token kid');
  addSettings(command, [
    SETTINGS.cert,
    {
      setting: SETTINGS.key,
      note: 'verify takes a public key (PEM or JWK) too, or uses the public half of a private key',
    },
    SETTINGS.passphraseFile,
    SETTINGS.passphrase,
  ]);
  addInspectionOptions(command);
  return command.action(async (argument: string, _flags: VerifyFlags, self: Command) => {
    const { platform, settings, options, unchecked, profile } = await resolveInspection(self);
    const flags = self.opts<VerifyFlags>();
    const keys = await verificationKeys(flags, settings);
    const token = await readTokenArgument(argument);
    const result = verifyToken(token, { ...options, platform, keys });
    const context = { unchecked, profile };
    writeStdout(
      flags.format === 'json'
        ? reportAsJson(result, context)
        : reportAsText(result, platform, options.at, 'verify', context),
    );
    if (!result.accepted) process.exitCode = EXIT.failure;
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
