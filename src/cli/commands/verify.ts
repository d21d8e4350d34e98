import type { Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { QsJwtError } from '../../core/errors.js';
import { readJwks } from '../../core/keys/jwks.js';
import { holdsPrivateKey, loadPublicKey } from '../../core/keys/key-input.js';
import { verifyToken, type VerificationKey } from '../../core/lint/verify-token.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { readInput } from '../io/input-file.js';
import { resolvePassphrase } from '../io/private-key-options.js';
import { readTokenArgument } from '../io/token-input.js';
import { profilePath } from '../config/config-file.js';
import { addInspectionOptions, resolveInspectionProfile, toLintOptions, type InspectionFlags } from '../inspection-options.js';
import { reportAsJson, reportAsText } from '../inspection-report.js';
import { runCommand, type RunCommand } from '../command-runner.js';

interface VerifyFlags extends InspectionFlags {
  cert?: string;
  key?: string;
  jwks?: string;
  passphraseFile?: string;
}

async function verificationKeys(flags: VerifyFlags, profileCertFile: string | undefined): Promise<KeyObject | VerificationKey[]> {
  const given = [['--cert', flags.cert], ['--key', flags.key], ['--jwks', flags.jwks]].filter(([, value]) => value !== undefined) as [string, string][];
  if (given.length === 0 && profileCertFile !== undefined) given.push(['profile certFile', profileCertFile]);
  if (given.length === 0) throw new CliError('no key to verify with: pass --cert publickey.cer, --key publickey.pem or --jwks keys.json (or use qs-jwt lint to check the claims only)');
  if (given.length > 1) throw new CliError(`${given.map(([flag]) => flag).join(' and ')} given: pass exactly one key source`);
  const [flag, path] = given[0] as [string, string];
  const source = await readInput(path, flag);
  try {
    if (flag === '--jwks') {
      const { keys, notes } = readJwks(source);
      for (const note of notes) process.stderr.write(`qs-jwt: note: --jwks ${path}: ${note}\n`);
      return keys;
    }
    const key = loadPublicKey(source, { unchecked: true, passphrase: await resolvePassphrase(flags) });
    if (flag !== '--key' && holdsPrivateKey(source)) {
      // Verification works, but a private key where Qlik wants a certificate is a secret on its way
      // into an admin form.
      process.stderr.write(`qs-jwt: note: ${flag} ${path} holds a private key; only its public half is used — `
        + 'give Qlik the certificate, never the key\n');
    }
    return key;
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`${flag} ${path}: ${error.message}`);
    throw error;
  }
}

export function buildCommand(): Command {
  const command = newCommand('verify', "Check a token's signature and Qlik's acceptance rules; report every finding. Exit 0 accepted, 1 rejected, 2 usage.", [
    'qs-jwt verify "$TOKEN" --cert publickey.cer --profile qseow',
    'qs-jwt verify - --cert publickey.cer --profile qseow --audience qlik.example.com --userid-attr sub_id < token.txt',
    'qs-jwt verify "$TOKEN" --key publickey.pem --profile cloud --issuer https://idp.acme.com --kid k1 --format json',
    'qs-jwt verify "$TOKEN" --jwks jwks.json --at 2026-01-01T00:00:00Z --clock-tolerance 30s',
  ])
    .argument('<token>', 'the token (a "Bearer " prefix is ignored); - reads standard input')
    .option('--cert <file>', 'certificate (PEM) as pasted into Qlik')
    .option('--key <file>', 'public key (PEM or JWK), or a private key whose public half is used')
    .option('--jwks <file>', 'JWK Set; the key is chosen by the token kid')
    .option('--passphrase-file <file>', 'passphrase when --key is an encrypted private key (or QSJWT_PASSPHRASE)');
  addInspectionOptions(command);
  return command.action(async (argument: string, _flags: VerifyFlags, self: Command) => {
    const { platform, loaded } = await resolveInspectionProfile(self);
    const flags = self.opts<VerifyFlags>();
    const options = toLintOptions(flags);
    const keys = await verificationKeys(flags, loaded?.profile.certFile && profilePath(loaded, loaded.profile.certFile));
    const token = await readTokenArgument(argument);
    const at = options.at ?? Math.floor(Date.now() / 1000);
    const result = verifyToken(token, { ...options, at, platform, keys });
    process.stdout.write(flags.format === 'json' ? reportAsJson(result) : reportAsText(result, platform, at, 'verify'));
    if (!result.accepted) process.exitCode = EXIT.failure;
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
