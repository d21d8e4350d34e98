/**
 * verifyToken's signature verdict against independent implementations: `jose`, `jsonwebtoken` and the
 * `openssl` command must agree on valid, tampered, wrong-key and algorithm-swapped tokens. And a
 * published vector (RFC 7515 Appendix A.2, RS256) verifies through our verify and the CLI.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { compactVerify, importSPKI } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { signJwt, type JwtPayload } from '../src/core/jose/compact-jws.js';
import { RSA_ALGORITHMS, type RsaAlgorithm } from '../src/core/jose/algorithms.js';
import { verifyToken } from '../src/core/lint/verify-token.js';
import { hasOpenssl, temporaryFolder } from './support/fixtures.js';
import { runCli } from './support/run-cli.js';

const OPENSSL = hasOpenssl();
const HASH_FLAG: Record<RsaAlgorithm, string> = { RS256: '-sha256', RS384: '-sha384', RS512: '-sha512' };
const AT = 1_800_000_000;

const work = temporaryFolder('qs-jwt-verify-cross-');
let fileCounter = 0;

let key: KeyObject;
let publicKey: KeyObject;
let publicPem: string;
let publicPemPath: string;
let otherKey: KeyObject;

before(() => {
  ({ privateKey: key, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  ({ privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  publicPemPath = join(work, 'public.pem');
  writeFileSync(publicPemPath, publicPem);
});

function headerAlg(token: string): RsaAlgorithm {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
    alg: RsaAlgorithm;
  };
  return header.alg;
}

function ours(token: string): boolean | undefined {
  return verifyToken(token, { keys: publicKey, at: AT }).signatureValid;
}

async function byJose(token: string): Promise<boolean> {
  const alg = headerAlg(token);
  try {
    await compactVerify(token, await importSPKI(publicPem, alg), { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

function byJsonwebtoken(token: string): boolean {
  try {
    jsonwebtoken.verify(token, publicPem, {
      algorithms: [headerAlg(token)],
      ignoreExpiration: true,
      clockTimestamp: AT,
    });
    return true;
  } catch {
    return false;
  }
}

/** `openssl dgst -shaNNN -verify pub.pem -signature sig.bin input` over the signing input. */
function byOpenssl(token: string): boolean {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  fileCounter += 1;
  const input = join(work, `input-${fileCounter}.txt`);
  const sig = join(work, `sig-${fileCounter}.bin`);
  writeFileSync(input, `${header}.${payload}`);
  writeFileSync(sig, Buffer.from(signature, 'base64url'));
  const result = spawnSync(
    'openssl',
    ['dgst', HASH_FLAG[headerAlg(token)], '-verify', publicPemPath, '-signature', sig, input],
    { encoding: 'utf8' },
  );
  if (result.status === 0) assert.match(result.stdout, /Verified OK/);
  else
    assert.match(
      result.stdout + result.stderr,
      /Verification failure|verify/i,
      'openssl failed for another reason than the signature',
    );
  return result.status === 0;
}

function claims(extra: JwtPayload = {}): JwtPayload {
  return { userId: 'anna', userDirectory: 'ACME', iat: AT - 60, nbf: AT - 60, exp: AT + 3600, ...extra };
}

/** Changes one byte of the decoded payload ("anna" → "annb") and re-encodes it; the JSON stays valid. */
function tamperPayload(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(payload, 'base64url');
  const at = bytes.indexOf('anna');
  assert.ok(at >= 0, 'the payload holds "anna"');
  bytes[at + 3] = 'b'.charCodeAt(0);
  return `${header}.${bytes.toString('base64url')}.${signature}`;
}

/** Re-encodes the header with another alg and keeps the signature. */
function swapAlg(token: string, alg: RsaAlgorithm): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const decoded = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${Buffer.from(JSON.stringify({ ...decoded, alg })).toString('base64url')}.${payload}.${signature}`;
}

interface Verdicts {
  ours: boolean | undefined;
  jose: boolean;
  jsonwebtoken: boolean;
  openssl: boolean | undefined;
}

async function verdicts(token: string): Promise<Verdicts> {
  return {
    ours: ours(token),
    jose: await byJose(token),
    jsonwebtoken: byJsonwebtoken(token),
    openssl: OPENSSL ? byOpenssl(token) : undefined,
  };
}

function expectAll(found: Verdicts, expected: boolean, what: string): void {
  assert.deepEqual(
    found,
    { ours: expected, jose: expected, jsonwebtoken: expected, openssl: OPENSSL ? expected : undefined },
    what,
  );
}

for (const alg of RSA_ALGORITHMS) {
  test(`${alg}: valid, tampered, wrong-key and alg-swapped tokens get the same verdict from us, jose, jsonwebtoken and openssl`, async () => {
    const valid = signJwt({ alg, typ: 'JWT' }, claims(), key);
    expectAll(await verdicts(valid), true, `${alg} valid`);
    expectAll(await verdicts(tamperPayload(valid)), false, `${alg} payload byte changed`);
    expectAll(
      await verdicts(signJwt({ alg, typ: 'JWT' }, claims(), otherKey)),
      false,
      `${alg} signed with another key`,
    );
    for (const swapped of RSA_ALGORITHMS.filter((other) => other !== alg)) {
      expectAll(await verdicts(swapAlg(valid, swapped)), false, `${alg} header changed to ${swapped}, signature kept`);
    }
  });
}

test('RS256 → RS512 swap: signature kept, header re-encoded: rejected with QJ020 and not accepted', () => {
  const valid = signJwt({ alg: 'RS256', typ: 'JWT' }, claims(), key);
  const swapped = swapAlg(valid, 'RS512');
  const result = verifyToken(swapped, { keys: publicKey, at: AT });
  assert.equal(result.signatureValid, false);
  assert.equal(result.accepted, false);
  assert.ok(
    result.findings.some((item) => item.code === 'QJ020'),
    result.findings.map((item) => item.code).join(', '),
  );
  assert.equal(result.header?.['alg'], 'RS512');
});

test('random payloads and damage: our verdict equals jose and jsonwebtoken', async () => {
  const damage = fc.constantFrom('none', 'tamper', 'other-key', 'swap', 'signature-bit') as fc.Arbitrary<
    'none' | 'tamper' | 'other-key' | 'swap' | 'signature-bit'
  >;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...RSA_ALGORITHMS),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
      damage,
      fc.nat(),
      async (alg, extra, kind, seed) => {
        const payload = { ...extra, ...claims() };
        let token = signJwt({ alg, typ: 'JWT' }, payload, kind === 'other-key' ? otherKey : key);
        if (kind === 'tamper') token = tamperPayload(token);
        if (kind === 'swap')
          token = swapAlg(token, RSA_ALGORITHMS.filter((other) => other !== alg)[seed % 2] as RsaAlgorithm);
        if (kind === 'signature-bit') {
          const [header, body, signature] = token.split('.') as [string, string, string];
          const bytes = Buffer.from(signature, 'base64url');
          const index = seed % bytes.length;
          bytes[index] = (bytes[index] as number) ^ (1 << (seed % 8));
          token = `${header}.${body}.${bytes.toString('base64url')}`;
        }
        const expected = kind === 'none';
        assert.equal(ours(token), expected, kind);
        assert.equal(await byJose(token), expected, `jose, ${kind}`);
        assert.equal(byJsonwebtoken(token), expected, `jsonwebtoken, ${kind}`);
      },
    ),
    { numRuns: 60 },
  );
});

// ---- RFC 7515 Appendix A.2 (RS256) ---------------------------------------------------------------
// The compact JWS and the RSA public key (n, e) of A.2.1, copied verbatim from the RFC (the same values
// appear in test/standard-vectors.test.ts and in many JOSE libraries' test suites).

const RFC7515_A2_PUBLIC_JWK = {
  kty: 'RSA',
  n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
  e: 'AQAB',
};
const RFC7515_A2_COMPACT = [
  'eyJhbGciOiJSUzI1NiJ9',
  'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ',
  'cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw',
].join('.');
const RFC7515_A2_EXP = 1_300_819_380;

test('RFC 7515 A.2 data is self-consistent under node:crypto alone (guards against copying errors)', () => {
  const [header, payload, signature] = RFC7515_A2_COMPACT.split('.') as [string, string, string];
  const rfcKey = createPublicKey({ key: RFC7515_A2_PUBLIC_JWK, format: 'jwk' });
  assert.equal(rfcKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.ok(
    verify('sha256', Buffer.from(`${header}.${payload}`), rfcKey, Buffer.from(signature, 'base64url')),
    'the published signature verifies under the published key',
  );
  assert.equal(
    Buffer.from(payload, 'base64url').toString('utf8'),
    '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}',
  );
});

test('RFC 7515 A.2 verifies through verifyToken inside its validity, and is expired (with a valid signature) after it', () => {
  const rfcKey = createPublicKey({ key: RFC7515_A2_PUBLIC_JWK, format: 'jwk' });
  const inside = verifyToken(RFC7515_A2_COMPACT, { keys: rfcKey, at: RFC7515_A2_EXP - 10 });
  assert.equal(inside.signatureValid, true);
  assert.equal(inside.accepted, true, inside.findings.map((item) => item.code).join(', '));
  assert.deepEqual(inside.payload, { iss: 'joe', exp: RFC7515_A2_EXP, 'http://example.com/is_root': true });
  const after = verifyToken(RFC7515_A2_COMPACT, { keys: rfcKey, at: RFC7515_A2_EXP + 1 });
  assert.equal(after.signatureValid, true);
  assert.equal(after.accepted, false);
  assert.deepEqual(after.findings.map((item) => item.code).sort(), ['QJ021', 'QJ030']);
  // And the vector under our own random key is (correctly) not valid.
  assert.equal(verifyToken(RFC7515_A2_COMPACT, { keys: publicKey, at: RFC7515_A2_EXP - 10 }).signatureValid, false);
});

test('CLI: qs-jwt verify RFC 7515 A.2 --key jwk.json: exit 0 ACCEPTED at 1300819370; exit 1 with QJ030 and QJ021 at 1300819381', async () => {
  const jwkPath = join(work, 'rfc7515-a2.jwk.json');
  writeFileSync(jwkPath, JSON.stringify(RFC7515_A2_PUBLIC_JWK));
  const [inside, after, afterJson] = await Promise.all([
    runCli(['verify', RFC7515_A2_COMPACT, '--key', jwkPath, '--at', '1300819370']),
    runCli(['verify', RFC7515_A2_COMPACT, '--key', jwkPath, '--at', '1300819381']),
    runCli(['verify', RFC7515_A2_COMPACT, '--key', jwkPath, '--at', '1300819381', '--format', 'json']),
  ]);
  assert.equal(inside.code, 0, inside.stderr + inside.stdout);
  assert.match(inside.stdout, /^ACCEPTED/);
  assert.match(inside.stdout, /QJ021/);
  assert.equal(after.code, 1, after.stderr + after.stdout);
  assert.match(after.stdout, /^REJECTED/);
  assert.match(after.stdout, /QJ030/);
  assert.match(after.stdout, /QJ021/);
  const report = JSON.parse(afterJson.stdout) as {
    accepted: boolean;
    signatureValid: boolean;
    findings: { code: string }[];
  };
  assert.equal(afterJson.code, 1);
  assert.equal(report.accepted, false);
  assert.equal(report.signatureValid, true);
  assert.deepEqual(report.findings.map((item) => item.code).sort(), ['QJ021', 'QJ030']);
});

test('RFC 7515 A.2 also verifies under jose and jsonwebtoken (the independent checkers accept what we accept)', async () => {
  const pem = createPublicKey({ key: RFC7515_A2_PUBLIC_JWK, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  }) as string;
  await compactVerify(RFC7515_A2_COMPACT, await importSPKI(pem, 'RS256'), { algorithms: ['RS256'] });
  const payload = jsonwebtoken.verify(RFC7515_A2_COMPACT, pem, {
    algorithms: ['RS256'],
    ignoreExpiration: true,
  }) as Record<string, unknown>;
  assert.equal(payload['iss'], 'joe');
});
