import { Option, type Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { CliError } from './cli-error.js';
import { integerIn } from './command-setup.js';
import { readInput } from './io/input-file.js';
import { passphraseFrom, signingKeyFrom } from './io/private-key-options.js';
import { createKeyFiles, describeKeyFiles } from './key-files.js';
import { writeStderr } from './io/standard-streams.js';

/** Flags of the JavaScript qs-jwt that both compatible create commands share. */
export interface LegacyFlags {
  certPrivatekeyFile?: string;
  certPrivatekey?: string;
  certCreate: 'true' | 'false';
  certFilePrefix: string;
  certCreateExpiresDays?: number;
  minimalOutput?: boolean;
  loglevel: 'error' | 'warn' | 'info' | 'verbose' | 'debug';
  expires: string;
  passphraseFile?: string;
}

export function addLegacyOptions(command: Command): Command {
  return command
    .requiredOption('--expires <time>', 'lifetime, e.g. 60m, 48h, 365d (Qlik Cloud: at most 60m)')
    .option('--cert-privatekey-file <file>', 'private key file used to sign')
    .option('--cert-privatekey <pem>', 'private key as text (leaks into shell history: prefer --cert-privatekey-file)')
    .addOption(
      new Option('--cert-create [bool]', 'create a new key pair and certificate in the current folder first')
        .choices(['true', 'false'])
        .default('false')
        .preset('true'),
    )
    .option('--cert-file-prefix <prefix>', 'prefix for created file names', '')
    .option('--cert-create-expires-days <days>', 'validity of a created certificate in days', integerIn(1, 36_500))
    .option('--passphrase-file <file>', 'passphrase of an encrypted key (or set QSJWT_PASSPHRASE)')
    .option('--minimal-output', 'print only the token (qs-jwt prints nothing else on stdout anyway)')
    .addOption(
      new Option('--loglevel <level>', 'error or warn hide the summary; error also hides warnings')
        .choices(['error', 'warn', 'info', 'verbose', 'debug'])
        .default('info'),
    );
}

/** The signing key the legacy flags point at: a new pair (--cert-create true), a literal key, or a file. */
export async function resolveLegacyKey(flags: LegacyFlags): Promise<KeyObject> {
  if (flags.certCreate === 'true') {
    const request = {
      outDir: '.',
      prefix: flags.certFilePrefix,
      bits: 4096,
      days: flags.certCreateExpiresDays ?? 1825,
      commonName: 'qs-jwt',
      force: false,
      singleLine: false,
      outFlag: '--cert-create writes into',
    };
    const result = await createKeyFiles(request);
    if (!flags.minimalOutput && quietness(flags) === 'normal') writeStderr(describeKeyFiles(result, request));
    return result.keyPair.privateKey;
  }
  if (flags.certPrivatekey !== undefined && flags.certPrivatekeyFile !== undefined) {
    throw new CliError('both --cert-privatekey and --cert-privatekey-file given: pass only one');
  }
  if (flags.certPrivatekey !== undefined) {
    if (quietness(flags) !== 'silent') {
      writeStderr(
        'qs-jwt: warning: --cert-privatekey puts the private key into shell history and process lists: use --cert-privatekey-file or --key-env instead\n',
      );
    }
    return signingKeyFrom(
      '--cert-privatekey',
      flags.certPrivatekey.replace(/\\n/g, '\n'),
      await passphraseFrom(flags.passphraseFile),
    );
  }
  if (flags.certPrivatekeyFile === undefined) {
    throw new CliError(
      'no private key given: pass --cert-privatekey-file FILE, or --cert-create true to make a new pair',
    );
  }
  const file = flags.certPrivatekeyFile;
  return signingKeyFrom(
    `--cert-privatekey-file ${file}`,
    await readInput(file, '--cert-privatekey-file'),
    await passphraseFrom(flags.passphraseFile),
  );
}

/** error: only errors; warn: warnings too; info and above: warnings and the summary. */
export function quietness(flags: LegacyFlags): 'silent' | 'warnings' | 'normal' {
  if (flags.loglevel === 'error') return 'silent';
  if (flags.loglevel === 'warn' || flags.minimalOutput) return 'warnings';
  return 'normal';
}
