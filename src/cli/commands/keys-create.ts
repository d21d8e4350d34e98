import { Option, type Command } from 'commander';
import { DEFAULT_CERTIFICATE_DAYS, DEFAULT_COMMON_NAME } from '../../core/keys/certificate.js';
import { DEFAULT_RSA_KEY_SIZE } from '../../core/keys/key-pair.js';
import { CliError } from '../cli-error.js';
import { integerIn, newCommand } from '../command-setup.js';
import { readPassphraseFile } from '../io/input-file.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { createKeyFiles, describeKeyFiles, type KeyFileRequest } from '../key-files.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { writeStderr, writeStdout } from '../io/standard-streams.js';

interface KeysCreateFlags {
  out: string;
  bits: string;
  days: number;
  cn: string;
  filePrefix: string;
  force?: boolean;
  passphraseFile?: string;
  singleLine?: boolean;
  format: 'text' | 'json';
}

export function buildCommand(): Command {
  const command = newCommand(
    'keys create',
    'Create an RSA key pair and a self-signed X.509 certificate (SHA-256) for signing Qlik Sense JWTs.',
    [
      'qs-jwt keys create --out ./keys',
      'qs-jwt keys create --out ./keys --bits 2048 --days 365 --cn "qlik-jwt prod" --file-prefix prod-',
      'qs-jwt keys create --out ./keys --passphrase-file ./passphrase.txt --single-line',
    ],
  )
    .addOption(
      new Option('--bits <bits>', 'RSA key size')
        .choices(['2048', '3072', '4096'])
        .default(String(DEFAULT_RSA_KEY_SIZE)),
    )
    .option('--days <days>', 'certificate validity in days', integerIn(1, 36_500), DEFAULT_CERTIFICATE_DAYS)
    .option('--cn <name>', 'certificate subject common name', DEFAULT_COMMON_NAME)
    .option('--file-prefix <prefix>', 'prefix for the file names, e.g. prod- gives prod-privatekey.pem', '')
    .option(
      '--single-line',
      "also write the certificate as one line (publickey-single-line.txt) for Qlik Cloud's IdP form, and print it on stdout",
    );
  addSettings(command, [
    { setting: SETTINGS.out, required: 'the folder for privatekey.pem, publickey.pem and publickey.cer' },
    SETTINGS.force,
    { setting: SETTINGS.passphraseFile, note: 'keys create encrypts the private key with it' },
    { setting: SETTINGS.format, choices: ['text', 'json'], note: 'text summary on stderr, or JSON on stdout' },
  ]);
  return command.action(async (_flags: KeysCreateFlags, self: Command) => {
    resolveSettings(self);
    const flags = self.opts<KeysCreateFlags>();
    if (flags.filePrefix.includes('/') || flags.filePrefix.includes('\\')) {
      throw new CliError(`--file-prefix "${flags.filePrefix}" contains a path separator: put folders in --out`);
    }
    const request: KeyFileRequest = {
      outDir: flags.out,
      prefix: flags.filePrefix,
      bits: Number(flags.bits),
      days: flags.days,
      commonName: flags.cn,
      passphrase: flags.passphraseFile === undefined ? undefined : await readPassphraseFile(flags.passphraseFile),
      force: Boolean(flags.force),
      singleLine: Boolean(flags.singleLine),
    };
    if (request.passphrase === '') {
      throw new CliError(`--passphrase-file ${flags.passphraseFile}: the file is empty; write the passphrase into it`);
    }
    const result = await createKeyFiles(request);
    if (flags.format === 'json') {
      writeStdout(
        `${JSON.stringify(
          {
            privateKey: result.privateKeyPath,
            publicKey: result.publicKeyPath,
            certificate: result.certificatePath,
            singleLineCertificate: result.singleLinePath ?? null,
            bits: request.bits,
            encrypted: Boolean(request.passphrase),
            ...result.certificate.certificate,
            jwkThumbprint: result.certificate.jwkThumbprint,
          },
          null,
          2,
        )}\n`,
      );
      return;
    }
    writeStderr(describeKeyFiles(result, request));
    if (request.singleLine) writeStdout(`${result.singleLineCertificate}\n`);
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
