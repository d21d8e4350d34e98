import type { Command } from 'commander';
import { QsJwtError } from '../../core/errors.js';
import {
  describeKeyMaterial, materialToJwk, materialToPem, materialToSingleLine, readKeyMaterial, type KeyMaterialDescription,
} from '../../core/keys/key-material.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { readInput } from '../io/input-file.js';
import { keyFailure, resolvePassphrase } from '../io/private-key-options.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { runCommand, type RunCommand } from '../command-runner.js';

const FORMATS = ['text', 'json', 'pem', 'single-line', 'jwk'] as const;

interface KeysShowFlags {
  format: (typeof FORMATS)[number];
  public?: boolean;
  passphraseFile?: string;
}

const KIND_NAMES: Record<KeyMaterialDescription['kind'], string> = {
  'certificate': 'X.509 certificate',
  'public-key': 'public key',
  'private-key': 'private key',
  'encrypted-private-key': 'encrypted private key (give --passphrase-file or QSJWT_PASSPHRASE for details)',
};

function describeAsText(file: string, description: KeyMaterialDescription): string {
  const rows: [string, string | undefined][] = [
    ['file', file],
    ['kind', KIND_NAMES[description.kind]],
    ['encoding', description.encoding],
    ['key', description.bits ? `RSA ${description.bits} bits` : undefined],
    ['subject', description.certificate?.subject],
    ['issuer', description.certificate ? `${description.certificate.issuer}${description.certificate.selfSigned ? ' (self-signed)' : ''}` : undefined],
    ['serial', description.certificate?.serialNumber],
    ['valid from', description.certificate?.validFrom],
    ['valid to', description.certificate?.validTo],
    ['SHA-256', description.certificate?.sha256Thumbprint],
    ['SHA-1', description.certificate?.sha1Thumbprint],
    ['JWK thumbprint', description.jwkThumbprint],
    ['usable', description.unusable === undefined ? undefined : `no: ${description.unusable}`],
  ];
  return rows.filter(([, value]) => value !== undefined).map(([name, value]) => `${name.padEnd(15)} ${value}`).join('\n') + '\n';
}

export function buildCommand(): Command {
  const command = newCommand('keys show', 'Describe a private key, public key or certificate, or convert it to another form.', [
    'qs-jwt keys show publickey.cer',
    'qs-jwt keys show privatekey.pem --format json',
    'qs-jwt keys show publickey.cer --format single-line     # for the Qlik Cloud IdP form',
    'qs-jwt keys show privatekey.pem --format jwk --public   # public JWK with kid = RFC 7638 thumbprint',
    'qs-jwt keys show rsa-pkcs1.pem --format pem             # converts PKCS#1 to PKCS#8',
  ])
    .argument('<file>', 'key or certificate file (PEM, DER or JWK); - reads standard input')
    .option('--public', 'with pem, single-line or jwk: output only the public key');
  addSettings(command, [
    { setting: SETTINGS.format, choices: FORMATS, note: 'text or json description; or the key as pem, single-line or jwk' },
    SETTINGS.passphraseFile, SETTINGS.passphrase,
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
          // A key too small to use is still described, and the exit code says it is unusable.
          const description = await describeKeyMaterial(readKeyMaterial(source, { passphrase, allowSmall: true }));
          process.stdout.write(format === 'text' ? describeAsText(label, description) : `${JSON.stringify({ file: label, ...description }, null, 2)}\n`);
          if (description.unusable !== undefined) {
            process.stderr.write(`qs-jwt: ${label}: ${description.unusable}\n`);
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
        process.stdout.write(output);
      } catch (error) {
        if (error instanceof QsJwtError) {
          // The core does not know the CLI's words for "the public half only".
          if (error.code === 'KEY_NOT_PRIVATE' && flags.format === 'single-line') throw new CliError(`${label}: ${error.message} (--public)`);
          throw keyFailure(label, error);
        }
        throw error;
      }
    });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
