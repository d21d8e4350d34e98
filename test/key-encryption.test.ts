/**
 * Encrypted private keys as qs-jwt writes them: PBES2 with PBKDF2-HMAC-SHA256 at 600,000 iterations
 * and AES-256-CBC, opened by openssl and by Node, refused clearly with a wrong passphrase.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePrivateKeyPem } from '../src/core/keys/key-pair.js';
import { loadPrivateKey } from '../src/core/keys/key-input.js';
import { PBKDF2_ITERATIONS } from '../src/core/keys/pkcs8-encryption.js';
import { hasOpenssl, temporaryFolder } from './support/fixtures.js';
import { runCli } from './support/run-cli.js';

const work = temporaryFolder('qs-jwt-encryption-');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
// Non-ASCII on purpose: the key is derived from the passphrase's UTF-8 bytes, as OpenSSL does.
const PASSPHRASE = 'grüne Äpfel — 7';
const pem = encodePrivateKeyPem(privateKey, PASSPHRASE);
const file = join(work, 'encrypted.pem');
writeFileSync(file, pem, { mode: 0o600 });
const passphraseFile = join(work, 'passphrase.txt');
writeFileSync(passphraseFile, `${PASSPHRASE}\n`);

function openssl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("the iteration count is OWASP's 600,000 for PBKDF2-HMAC-SHA256", () => {
  assert.ok(PBKDF2_ITERATIONS >= 600_000);
});

test(
  'openssl asn1parse shows PBES2, PBKDF2-HMAC-SHA256 at 600,000 iterations, AES-256-CBC; openssl opens it',
  { skip: hasOpenssl() ? false : 'openssl is not installed' },
  () => {
    const structure = openssl(['asn1parse', '-in', file]).stdout;
    assert.match(structure, /OBJECT +:PBES2/);
    assert.match(structure, /OBJECT +:PBKDF2/);
    assert.match(structure, /OBJECT +:hmacWithSHA256/);
    assert.match(structure, /OBJECT +:aes-256-cbc/);
    assert.match(structure, /INTEGER +:0927C0\n/, '600000 = 0x0927C0');
    const opened = openssl(['pkcs8', '-in', file, '-passin', `file:${passphraseFile}`]);
    assert.equal(opened.status, 0, opened.stderr);
    assert.equal(opened.stdout, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    assert.notEqual(openssl(['pkcs8', '-in', file, '-passin', 'pass:wrong']).status, 0);
  },
);

test('Node opens it with the passphrase; the library names a wrong or missing passphrase', () => {
  assert.ok(createPrivateKey({ key: pem, format: 'pem', passphrase: PASSPHRASE }).equals(privateKey));
  assert.ok(loadPrivateKey(pem, { passphrase: PASSPHRASE }).equals(privateKey));
  assert.throws(() => loadPrivateKey(pem, { passphrase: 'grune Apfel — 7' }), { code: 'KEY_PASSPHRASE_WRONG' });
  assert.throws(() => loadPrivateKey(pem), { code: 'KEY_PASSPHRASE_MISSING' });
});

test('each encryption has its own salt and IV', () => {
  assert.notEqual(encodePrivateKeyPem(privateKey, PASSPHRASE), pem);
});

test('keys show with a wrong passphrase file: one line, exit 2', async () => {
  const wrong = join(work, 'wrong.txt');
  writeFileSync(wrong, 'not it\n');
  const result = await runCli(['keys', 'show', file, '--format', 'json', '--passphrase-file', wrong]);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^qs-jwt: error: .*encrypted\.pem: the passphrase does not decrypt the private key.*\n$/);
});
