/**
 * What verify does with key sources that are not what they should be: a private key given as the
 * certificate, and JWK Sets with shared-secret (oct) keys, no keys or no RSA key.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJwt } from '../src/core/jose/compact-jws.js';
import { temporaryFolder } from './support/fixtures.js';
import { runCli, type CliResult } from './support/run-cli.js';

const work = temporaryFolder('qs-jwt-verify-keys-');
const path = (name: string): string => join(work, name);
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = Math.floor(Date.now() / 1000);
const claims = { userId: 'anna', userDirectory: 'ACME', iat: now, exp: now + 600 };
const secret = randomBytes(32);

function write(name: string, content: string | Buffer): string {
  writeFileSync(path(name), content);
  return path(name);
}

function hs256(kid: string): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT', kid })}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function oneLineError(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, `exit 2: ${result.stderr}`);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
  assert.match(result.stderr, /^qs-jwt: error: --jwks /);
  assert.match(result.stderr, pattern);
}

const files = {
  privatePem: write('privatekey.pem', pair.privateKey.export({ type: 'pkcs8', format: 'pem' })),
  publicPem: write('publickey.pem', pair.publicKey.export({ type: 'spki', format: 'pem' })),
};
const rsaJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' };
const octJwk = { kty: 'oct', kid: 'hmac-1', k: secret.toString('base64url') };
const ecPublic = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const ecJwk = { ...ecPublic.export({ format: 'jwk' }), kid: 'ec-1' };

describe('verify --cert given a private key', { concurrency: true }, () => {
  const token = signJwt({ alg: 'RS256', typ: 'JWT' }, claims, pair.privateKey);

  test('verifies with its public half and notes on stderr to give Qlik the certificate, never the key', async () => {
    const result = await runCli(['verify', token, '--cert', files.privatePem]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ACCEPTED/);
    assert.equal(
      result.stderr,
      `qs-jwt: note: --cert ${files.privatePem} holds a private key; ` +
        'only its public half is used — give Qlik the certificate, never the key\n',
    );
  });

  test('no note for --key (documented to take a private key) or for a public key given as --cert', async () => {
    const [asKey, publicAsCert] = await Promise.all([
      runCli(['verify', token, '--key', files.privatePem]),
      runCli(['verify', token, '--cert', files.publicPem]),
    ]);
    for (const result of [asKey, publicAsCert]) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
    }
  });
});

describe('verify --jwks with shared-secret, missing or non-RSA keys', { concurrency: true }, () => {
  const rsaToken = signJwt({ alg: 'RS256', typ: 'JWT', kid: 'rsa-1' }, claims, pair.privateKey);

  test('a JWKS of only oct keys, of no keys, or with no RSA key: one line naming the problem, exit 2', async () => {
    const [onlyOct, empty, onlyEc] = await Promise.all([
      runCli(['verify', rsaToken, '--jwks', write('oct.json', JSON.stringify({ keys: [octJwk] }))]),
      runCli(['verify', rsaToken, '--jwks', write('empty.json', JSON.stringify({ keys: [] }))]),
      runCli(['verify', rsaToken, '--jwks', write('ec.json', JSON.stringify({ keys: [ecJwk] }))]),
    ]);
    oneLineError(onlyOct, /only shared secrets \(kty "oct", for HMAC\), which Qlik never accepts/);
    oneLineError(empty, /the JWKS has no keys/);
    oneLineError(onlyEc, /the JWKS has no RSA key \(only EC\)/);
  });

  test('oct keys in a mixed set are skipped with a note; the RSA key still verifies', async () => {
    const mixed = write('mixed.json', JSON.stringify({ keys: [octJwk, rsaJwk] }));
    const result = await runCli(['verify', rsaToken, '--jwks', mixed]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ACCEPTED/);
    assert.equal(
      result.stderr,
      `qs-jwt: note: --jwks ${mixed}: JWKS key 1 (kid hmac-1) is a shared secret ` +
        '(kty "oct", for HMAC) and is skipped: Qlik verifies with RSA keys only\n',
    );
  });

  test("an HS256 token MACed with the set's own oct secret is never accepted", async () => {
    const mixed = write('mixed-hmac.json', JSON.stringify({ keys: [octJwk, rsaJwk] }));
    const result = await runCli(['verify', hs256('hmac-1'), '--jwks', mixed]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^REJECTED/);
    assert.doesNotMatch(result.stdout, /^ACCEPTED/m);
  });
});
