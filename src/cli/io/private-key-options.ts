import type { Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { QsJwtError } from '../../core/errors.js';
import { loadPrivateKey } from '../../core/keys/key-input.js';
import { CliError } from '../cli-error.js';
import { readInput, readPassphraseFile } from './input-file.js';

export interface PrivateKeyFlags {
  key?: string;
  keyEnv?: string;
  passphraseFile?: string;
}

/** Declares the flags every signing command takes to find its private key. */
export function addPrivateKeyOptions(command: Command): Command {
  return command
    .option('--key <file>', 'private key: PEM (PKCS#8 or PKCS#1, optionally encrypted), DER or JWK file; - reads standard input')
    .option('--key-env <var>', 'read the private key (PEM or JWK text) from this environment variable')
    .option('--passphrase-file <file>', 'file holding the passphrase of an encrypted key (or set QSJWT_PASSPHRASE)');
}

export async function resolvePassphrase(flags: { passphraseFile?: string }): Promise<string | undefined> {
  if (flags.passphraseFile !== undefined) return readPassphraseFile(flags.passphraseFile);
  const fromEnvironment = process.env['QSJWT_PASSPHRASE'];
  return fromEnvironment === undefined || fromEnvironment === '' ? undefined : fromEnvironment;
}

/**
 * Finds, reads and parses the signing key; every error names where the key came from.
 * Order: --key / --key-env (or a legacy literal), then QSJWT_KEY (key text), QSJWT_KEY_FILE, and last the
 * profile's keyFile.
 */
export async function resolvePrivateKey(
  flags: PrivateKeyFlags,
  extra: { literal?: { text: string; label: string }; profileKeyFile?: string | undefined } = {},
): Promise<KeyObject> {
  const { literal } = extra;
  const given = [flags.key !== undefined, flags.keyEnv !== undefined, literal !== undefined].filter(Boolean).length;
  if (given > 1) throw new CliError('more than one private key given: pass only one of --key and --key-env');
  const environment = process.env;
  let source: Buffer | string;
  let label: string;
  if (flags.key !== undefined) {
    label = flags.key === '-' ? '--key - (standard input)' : `--key ${flags.key}`;
    source = await readInput(flags.key, '--key');
  } else if (flags.keyEnv !== undefined) {
    label = `--key-env ${flags.keyEnv}`;
    const value = environment[flags.keyEnv];
    if (value === undefined || value === '') throw new CliError(`${label}: the environment variable ${flags.keyEnv} is not set or empty`);
    source = value;
  } else if (literal !== undefined) {
    label = literal.label;
    source = literal.text.replace(/\\n/g, '\n');
  } else if (environment['QSJWT_KEY']) {
    label = 'QSJWT_KEY';
    source = environment['QSJWT_KEY'];
  } else if (environment['QSJWT_KEY_FILE']) {
    label = `QSJWT_KEY_FILE ${environment['QSJWT_KEY_FILE']}`;
    source = await readInput(environment['QSJWT_KEY_FILE'], 'QSJWT_KEY_FILE');
  } else if (extra.profileKeyFile !== undefined) {
    label = `profile keyFile ${extra.profileKeyFile}`;
    source = await readInput(extra.profileKeyFile, 'profile keyFile');
  } else {
    throw new CliError('no private key given: pass --key FILE (or --key-env VAR, QSJWT_KEY_FILE, or a profile with keyFile); create one with qs-jwt keys create');
  }
  const passphrase = await resolvePassphrase(flags);
  try {
    return loadPrivateKey(source, { passphrase });
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`${label}: ${error.message}`);
    throw error;
  }
}
