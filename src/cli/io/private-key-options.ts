import type { KeyObject } from 'node:crypto';
import { QsJwtError } from '../../core/errors.js';
import { loadPrivateKey } from '../../core/keys/key-input.js';
import { CliError } from '../cli-error.js';
import type { ResolvedSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { readInput, readPassphraseFile } from './input-file.js';

/** The settings every signing command takes to find its private key. */
export const PRIVATE_KEY_SETTINGS = [
  SETTINGS.key,
  SETTINGS.keyEnv,
  SETTINGS.keyText,
  SETTINGS.passphraseFile,
  SETTINGS.passphrase,
];

/** The passphrase from --passphrase-file, else QSJWT_PASSPHRASE. */
export async function passphraseFrom(file: string | undefined): Promise<string | undefined> {
  if (file !== undefined) return readPassphraseFile(file);
  const fromEnvironment = process.env['QSJWT_PASSPHRASE'];
  return fromEnvironment === undefined || fromEnvironment === '' ? undefined : fromEnvironment;
}

export function resolvePassphrase(settings: ResolvedSettings): Promise<string | undefined> {
  return passphraseFrom(settings.get<string>('passphraseFile'));
}

/** The core's key errors do not know where the key came from, nor the CLI's ways to give a passphrase. */
export function keyFailure(label: string, error: QsJwtError): CliError {
  const hint =
    error.code === 'KEY_PASSPHRASE_MISSING' || error.code === 'KEY_PASSPHRASE_WRONG'
      ? ' (--passphrase-file FILE or QSJWT_PASSPHRASE)'
      : '';
  return new CliError(`${label}: ${error.message}${hint}`);
}

/** Parses a private key read from `label` (a flag, a variable, a file), naming `label` in any error. */
export function signingKeyFrom(label: string, source: Buffer | string, passphrase: string | undefined): KeyObject {
  try {
    return loadPrivateKey(source, { passphrase });
  } catch (error) {
    if (error instanceof QsJwtError) throw keyFailure(label, error);
    throw error;
  }
}

/**
 * Finds, reads and parses the signing key; every error names where the key came from. Order: --key or
 * --key-env, then QSJWT_KEY (key text), then QSJWT_KEY_FILE, then the profile's keyFile.
 */
export async function resolvePrivateKey(settings: ResolvedSettings): Promise<KeyObject> {
  const keyFile = settings.get<string>('key');
  const keyFromFlag = settings.source('key')?.kind === 'flag';
  const keyEnv = settings.get<string>('keyEnv');
  if (keyFromFlag && keyEnv !== undefined)
    throw new CliError('more than one private key given: pass only one of --key and --key-env');
  let source: Buffer | string;
  let label: string;
  const keyText = settings.get<string>('keyText');
  if (keyFile !== undefined && (keyFromFlag || (keyEnv === undefined && keyText === undefined))) {
    const origin = settings.origin('key') ?? '--key';
    label = `${origin} ${keyFile}`;
    source = await readInput(keyFile, origin);
  } else if (keyEnv !== undefined) {
    label = `--key-env ${keyEnv}`;
    const value = process.env[keyEnv];
    if (value === undefined || value === '')
      throw new CliError(`${label}: the environment variable ${keyEnv} is not set or empty`);
    source = value;
  } else if (keyText !== undefined) {
    label = 'QSJWT_KEY';
    source = keyText;
  } else {
    throw new CliError(
      'no private key given: pass --key FILE (or --key-env VAR, QSJWT_KEY_FILE, or a profile with keyFile); create one with qs-jwt keys create',
    );
  }
  return signingKeyFrom(label, source, await resolvePassphrase(settings));
}
