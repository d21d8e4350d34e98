/**
 * `crit` (RFC 7515 §4.1.11) everywhere tokens are checked: verify and lint (CLI), and both emulators,
 * whose refusal names the rule code. qs-jwt understands no JWS extension, so any crit is refused,
 * RFC 7797's `b64: false` included; create never writes one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCompactBytes } from '../src/core/jose/compact-jws.js';
import { createCloudToken } from '../src/core/qlik/cloud-token.js';
import { createQseowToken } from '../src/core/qlik/qseow-token.js';
import { ISSUER, KEYS, KID, PUBLIC_PEM, startTestEmulator, type TestEmulator } from './support/emulator-harness.js';
import { runCli } from './support/run-cli.js';

let emulator: TestEmulator;
let folder: string;

before(async () => {
  emulator = await startTestEmulator({
    virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'unused: keys are injected' }],
    tenant: { issuer: ISSUER, keyId: KID, publicKey: 'injected', tenantId: 'tenant-1' },
  });
  folder = mkdtempSync(join(tmpdir(), 'qs-jwt-crit-'));
  writeFileSync(join(folder, 'publickey.pem'), PUBLIC_PEM);
});
after(() => {
  emulator.close();
  rmSync(folder, { recursive: true, force: true });
});

const now = (): number => Math.floor(Date.now() / 1000);

function signed(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return signCompactBytes(
    Buffer.from(JSON.stringify(header)),
    Buffer.from(JSON.stringify(payload)),
    KEYS.privateKey,
    'RS256',
  );
}

function qseowClaims(): Record<string, unknown> {
  return { userId: 'anna', userDirectory: 'ACME', iat: now(), nbf: now(), exp: now() + 600 };
}

function cloudClaims(): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: 'qlik.api/login/jwt-session',
    sub: 'anna-sub',
    subType: 'user',
    name: 'Anna',
    email: 'anna@acme.test',
    email_verified: true,
    jti: `j-${Math.random()}`,
    iat: now(),
    nbf: now(),
    exp: now() + 300,
  };
}

const B64_FALSE = { alg: 'RS256', typ: 'JWT', b64: false, crit: ['b64'] };

describe('the QSEoW emulator', () => {
  const user = (token: string) =>
    fetch(`${emulator.url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token}` } });

  it('refuses a well-signed token whose crit names b64 (RFC 7797), naming QJ006', async () => {
    assert.equal(
      (await user(signed({ alg: 'RS256', typ: 'JWT' }, qseowClaims()))).status,
      200,
      'the same token without crit passes',
    );
    const response = await user(signed(B64_FALSE, qseowClaims()));
    assert.equal(response.status, 401);
    assert.match(response.headers.get('x-qs-jwt-reason') ?? '', /^QJ006 crit header names an extension .*"b64"/);
    assert.equal(emulator.logs.at(-1)?.['code'], 'QJ006');
  });

  it('refuses a malformed crit with QJ007', async () => {
    const response = await user(signed({ alg: 'RS256', crit: [] }, qseowClaims()));
    assert.equal(response.status, 401);
    assert.match(response.headers.get('x-qs-jwt-reason') ?? '', /^QJ007 crit header is malformed.*empty array/);
  });
});

describe('the Qlik Cloud emulator', () => {
  const login = (token: string) =>
    fetch(`${emulator.url}/login/jwt-session`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  it('refuses a crit extension with 401 and QJ006, a malformed crit with 400 and QJ007', async () => {
    assert.equal(
      (await login(signed({ alg: 'RS256', typ: 'JWT', kid: KID }, cloudClaims()))).status,
      200,
      'the same token without crit passes',
    );
    const extension = await login(signed({ ...B64_FALSE, kid: KID }, cloudClaims()));
    assert.equal(extension.status, 401);
    assert.match(extension.headers.get('x-qs-jwt-reason') ?? '', /^QJ006 /);
    const malformed = await login(signed({ alg: 'RS256', kid: KID, crit: ['kid'] }, cloudClaims()));
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('x-qs-jwt-reason') ?? '', /^QJ007 .*"kid", a header defined by JWS itself/);
  });
});

describe('the CLI', () => {
  it('verify reports QJ006 beside a valid signature and exits 1; lint does the same without a key', async () => {
    const token = signed({ alg: 'RS256', typ: 'JWT', 'x-policy': 'strict', crit: ['x-policy'] }, qseowClaims());
    const verified = await runCli(['verify', token, '--key', join(folder, 'publickey.pem'), '--profile', 'qseow']);
    assert.equal(verified.code, 1, verified.stderr);
    assert.match(verified.stdout, /^REJECTED/);
    assert.match(
      verified.stdout,
      /error {3}QJ006 crit header names an extension this verifier does not understand: "x-policy"/,
    );
    assert.match(verified.stdout, /fix: mint without a crit header/);
    assert.match(verified.stdout, /QJ021 signature valid/);
    const linted = await runCli(['lint', token, '--format', 'json']);
    assert.equal(linted.code, 1, linted.stderr);
    const report = JSON.parse(linted.stdout) as { accepted: boolean; findings: { code: string }[] };
    assert.equal(report.accepted, false);
    assert.ok(
      report.findings.some((item) => item.code === 'QJ006'),
      linted.stdout,
    );
  });
});

describe('create', () => {
  it('never writes crit: the header is alg, typ and (when given) kid', () => {
    const qseow = createQseowToken({ privateKey: KEYS.privateKey, userId: 'anna', userDirectory: 'ACME', keyId: 'k' });
    const cloud = createCloudToken({
      privateKey: KEYS.privateKey,
      subject: 's',
      name: 'n',
      email: 'e@x',
      issuer: ISSUER,
      keyId: KID,
    });
    for (const { token } of [qseow, cloud]) {
      const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid', 'typ']);
    }
  });
});
