import type { Command } from 'commander';
import { QsJwtError } from '../../core/errors.js';
import {
  describeKeyMaterial,
  materialToJwk,
  materialToPem,
  materialToSingleLine,
  readKeyMaterial,
  type CertificateFacts,
  type KeyMaterialDescription,
} from '../../core/keys/key-material.js';
import type { Pkcs12Password } from '../../core/keys/pkcs12.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { readInput } from '../io/input-file.js';
import { keyFailure, resolvePassphrase } from '../io/private-key-options.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { writeStderr, writeStdout } from '../io/standard-streams.js';

const FORMATS = ['text', 'json', 'pem', 'single-line', 'jwk'] as const;

interface KeysShowFlags {
  format: (typeof FORMATS)[number];
  public?: boolean;
  passphraseFile?: string;
}

const KIND_NAMES: Record<KeyMaterialDescription['kind'], string> = {
  certificate: 'X.509 certificate',
  'public-key': 'public key',
  'private-key': 'private key',
  'encrypted-private-key': 'encrypted private key (give --passphrase-file or QSJWT_PASSPHRASE for details)',
  pkcs12: 'PKCS#12 / PFX archive (certificates and private key, as Windows and the QMC export them)',
};

type Rows = [string, string | undefined][];

function keyRow(description: KeyMaterialDescription): string | undefined {
  const size = description.bits === undefined ? undefined : `${description.bits} bits`;
  const parts = [description.keyType, description.curve, size];
  return description.keyType === undefined ? undefined : parts.filter(Boolean).join(' ');
}

function certificateRows(facts: CertificateFacts | undefined): Rows {
  return [
    ['subject', facts?.subject],
    ['issuer', facts ? `${facts.issuer}${facts.selfSigned ? ' (self-signed)' : ''}` : undefined],
    ['serial', facts?.serialNumber],
    ['valid from', facts?.validFrom],
    ['valid to', facts?.validTo],
    ['SHA-256', facts?.sha256Thumbprint],
    ['SHA-1', facts?.sha1Thumbprint],
  ];
}

/** One group of rows per certificate when a file holds several, so none is hidden behind the first. */
function everyCertificateRows(certificates: CertificateFacts[]): Rows {
  return certificates.flatMap((facts, index): Rows => [
    ['certificate', `${index + 1} of ${certificates.length}`],
    ...certificateRows(facts).map(([name, value]): [string, string | undefined] => [`  ${name}`, value]),
  ]);
}

const PASSWORD_TEXTS: Record<Pkcs12Password, string> = {
  set: 'yes: openssl asks for it (an empty password does not open the MAC)',
  empty: 'none: it opens with an empty password (press Enter when openssl asks)',
  'no-mac': 'no password MAC (openssl may still ask: press Enter if none was set)',
  unchecked: 'a password MAC guards it (openssl asks for the password; press Enter if none was set)',
};

function pkcs12Rows(description: KeyMaterialDescription): Rows {
  const { extract } = description;
  if (!extract) return [];
  const password = PASSWORD_TEXTS[description.password ?? 'unchecked'];
  return [
    ['password', password],
    ['certificate', extract.certificate],
    ['private key', extract.privateKey],
    ['note', extract.legacyHint],
  ];
}

function describeAsText(file: string, description: KeyMaterialDescription): string {
  const several = description.certificates !== undefined;
  const rows: Rows = [
    ['file', file],
    ['kind', KIND_NAMES[description.kind]],
    ['encoding', description.encoding],
    ...pkcs12Rows(description),
    ['key', keyRow(description)],
    ...(several ? everyCertificateRows(description.certificates ?? []) : certificateRows(description.certificate)),
    ['JWK thumbprint', description.jwkThumbprint],
    ['SSH fingerprint', description.sshFingerprint],
    ['SSH comment', description.sshComment],
    ['usable', description.unusable === undefined ? undefined : `no: ${description.unusable}`],
  ];
  return (
    rows
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name.padEnd(15)} ${value}`)
      .join('\n') + '\n'
  );
}

export function buildCommand(): Command {
  const summary = 'Describe a key, certificate or PKCS#12 archive, or convert a key or certificate to another form.';
  const command = newCommand('keys show', summary, [
    'qs-jwt keys show publickey.cer',
    'qs-jwt keys show privatekey.pem --format json',
    'qs-jwt keys show publickey.cer --format single-line     # for the Qlik Cloud IdP form',
    'qs-jwt keys show privatekey.pem --format jwk --public   # public JWK with kid = RFC 7638 thumbprint',
    'qs-jwt keys show rsa-pkcs1.pem --format pem             # converts PKCS#1 to PKCS#8',
  ])
    .argument('<file>', 'key or certificate file (PEM, DER, JWK, OpenSSH .pub, or a .pfx to describe); - reads stdin')
    .option('--public', 'with pem, single-line or jwk: output only the public key');
  addSettings(command, [
    {
      setting: SETTINGS.format,
      choices: FORMATS,
      note: 'text or json description; or the key as pem, single-line or jwk',
    },
    SETTINGS.passphraseFile,
    SETTINGS.passphrase,
  ]);
  return command.action(async (file: string, _flags: KeysShowFlags, self: Command) => {
    const settings = resolveSettings(self);
    const flags = self.opts<KeysShowFlags>();
    const source = await readInput(file, 'file');
    const passphrase = await resolvePassphrase(settings);
    const label = file === '-' ? 'standard input' : file;
    try {
      const { format } = flags;
      if (format === 'text' || format === 'json') {
        // What Qlik cannot use (small or non-RSA keys, PKCS#12, several certificates) is still
        // described, and the exit code says it is unusable.
        const material = readKeyMaterial(source, { passphrase, describeOnly: true });
        const description = await describeKeyMaterial(material, { fileName: file === '-' ? 'client.pfx' : file });
        writeStdout(
          format === 'text'
            ? describeAsText(label, description)
            : `${JSON.stringify({ file: label, ...description }, null, 2)}\n`,
        );
        if (description.unusable !== undefined) {
          writeStderr(`qs-jwt: ${label}: ${description.unusable}\n`);
          process.exitCode = EXIT.failure;
        }
        return;
      }
      // Converting is refused for a key too small to use: nothing should carry it further.
      const material = readKeyMaterial(source, { passphrase });
      const publicOnly = Boolean(flags.public);
      let output: string;
      switch (format) {
        case 'pem':
          output = materialToPem(material, { publicOnly });
          break;
        case 'single-line':
          output = `${materialToSingleLine(material, { publicOnly })}\n`;
          break;
        case 'jwk':
          output = `${JSON.stringify(await materialToJwk(material, { publicOnly }), null, 2)}\n`;
          break;
      }
      writeStdout(output);
    } catch (error) {
      if (error instanceof QsJwtError) {
        // The core does not know the CLI's words for "the public half only".
        if (error.code === 'KEY_NOT_PRIVATE' && flags.format === 'single-line')
          throw new CliError(`${label}: ${error.message} (--public)`);
        throw keyFailure(label, error);
      }
      throw error;
    }
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
