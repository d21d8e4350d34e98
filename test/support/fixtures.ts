import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary folder removed when the test process ends. */
export function temporaryFolder(prefix = 'qs-jwt-test-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** Whether a command-line tool is installed (tests that drive it skip with a message when not). */
export function hasCommand(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function hasOpenssl(): boolean {
  // `openssl --version` is not an option on OpenSSL 3.0; `openssl version` is.
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Key files in every shape the CLI must take or refuse, made once per test file (2048 bits: fast). */
export interface KeyFixtures {
  dir: string;
  pkcs8: string;
  pkcs1: string;
  encryptedPkcs8: string;
  passphrase: string;
  passphraseFile: string;
  jwk: string;
  publicPem: string;
  publicJwk: string;
  ec: string;
  small: string;
  junk: string;
  empty: string;
}

export function makeKeyFixtures(): KeyFixtures {
  const dir = temporaryFolder();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const passphrase = 'correct horse battery staple';
  const write = (name: string, content: string | Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return {
    dir,
    pkcs8: write('pkcs8.pem', privateKey.export({ type: 'pkcs8', format: 'pem' })),
    pkcs1: write('pkcs1.pem', privateKey.export({ type: 'pkcs1', format: 'pem' })),
    encryptedPkcs8: write(
      'encrypted.pem',
      privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }),
    ),
    passphrase,
    passphraseFile: write('passphrase.txt', `${passphrase}\n`),
    jwk: write('private.jwk', JSON.stringify(privateKey.export({ format: 'jwk' }))),
    publicPem: write('public.pem', publicKey.export({ type: 'spki', format: 'pem' })),
    publicJwk: write('public.jwk', JSON.stringify(publicKey.export({ format: 'jwk' }))),
    ec: write('ec.pem', ec.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    small: write('small.pem', small.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    junk: write('junk.pem', 'this is not a key\n'),
    empty: write('empty.pem', ''),
  };
}

/** Decodes a JWT part without verifying it. */
export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  const part = token.split('.')[index] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
