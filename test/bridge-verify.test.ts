import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createVerifiedTokenCache } from '../src/core/cache/verified-token-cache.js';
import { verifyIdpToken, verifyIdpTokenCached, type IdpTokenPolicy } from '../src/bridge/idp-token.js';
import { createJwksSource, type JwksSource } from '../src/bridge/server/jwks-source.js';
import { chooseKeySet, keySetHealth } from '../src/bridge/key-set-policy.js';
import { wwwAuthenticate, refusal } from '../src/bridge/refusal-reasons.js';
import { IDP_AUDIENCE, startTestIdp, type TestIdp } from './support/test-idp.js';

/**
 * Verifying identity-provider tokens against a JWKS served by the in-suite test IdP: every refusal the
 * issue lists, key rotation without restart, an IdP that goes down (cached keys keep working, within the
 * staleness bound), and the unknown-kid refetch limited to once per cooldown.
 */

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

describe('IdP token verification (jose, JWKS over HTTP)', () => {
  let idp: TestIdp;
  let source: JwksSource;
  let policy: IdpTokenPolicy;

  before(async () => {
    idp = await startTestIdp();
    source = createJwksSource({
      url: new URL(idp.jwksUrl),
      refreshMs: 600_000,
      cooldownMs: 200,
      maxStaleMs: 3_600_000,
      timeoutMs: 2000,
    });
    policy = { issuers: [idp.issuer], audiences: [IDP_AUDIENCE], clockToleranceSeconds: 5 };
  });
  after(async () => idp.close());

  const verify = (token: string): ReturnType<typeof verifyIdpToken> =>
    verifyIdpToken(token, source.getKey, policy, now());
  const reasonOf = async (token: string): Promise<string> => {
    const verdict = await verify(token);
    assert.equal(verdict.ok, false, 'expected a refusal');
    return verdict.ok ? '' : verdict.refusal.code;
  };

  it('accepts a valid token and returns its claims', async () => {
    const verdict = await verify(await idp.token({ sub: 'anna', email: 'anna@acme.test' }));
    assert.ok(verdict.ok);
    assert.equal(verdict.payload['email'], 'anna@acme.test');
  });

  it('refuses expired, not yet valid, wrong issuer, wrong audience, missing exp', async () => {
    assert.equal(await reasonOf(await idp.token({ exp: now() - 60, iat: now() - 120, nbf: now() - 120 })), 'expired');
    assert.equal(await reasonOf(await idp.token({ nbf: now() + 120 })), 'not_yet_valid');
    assert.equal(await reasonOf(await idp.token({ iss: 'https://evil.test/' })), 'wrong_issuer');
    assert.equal(await reasonOf(await idp.token({ aud: 'api://other' })), 'wrong_audience');
    assert.equal(await reasonOf(await idp.token({ exp: undefined })), 'missing_claim');
  });

  it('applies the clock tolerance to exp and nbf', async () => {
    assert.ok((await verify(await idp.token({ exp: now() - 2 }))).ok);
    assert.ok((await verify(await idp.token({ nbf: now() + 2 }))).ok);
  });

  it('refuses alg none and HS256 signed with the public key bytes', async () => {
    const claims = { iss: idp.issuer, aud: IDP_AUDIENCE, sub: 'mallory', exp: now() + 600 };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    assert.equal(await reasonOf(none), 'algorithm_not_allowed');
    const kid = idp.currentKid();
    const jwk = idp.publicJwk(kid);
    const signingInput = `${b64({ alg: 'HS256', kid, typ: 'JWT' })}.${b64(claims)}`;
    for (const secret of [JSON.stringify(jwk), Buffer.from(jwk.n ?? '', 'base64url')]) {
      const mac = createHmac('sha256', secret).update(signingInput).digest('base64url');
      assert.equal(await reasonOf(`${signingInput}.${mac}`), 'algorithm_not_allowed');
    }
  });

  it('refuses a bad signature and a malformed token', async () => {
    const token = await idp.token();
    const [header, payload] = token.split('.');
    const forged = `${header}.${b64({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sub: 'root' })}.${token.split('.')[2]}`;
    assert.equal(await reasonOf(forged), 'bad_signature');
    assert.equal(await reasonOf('not.a.token'), 'malformed');
    assert.equal(await reasonOf('x'.repeat(20_000)), 'malformed');
  });

  it('never fetches a jku, x5u or trusts an embedded jwk', async () => {
    let hits = 0;
    const lure = createServer((request, response) => {
      hits += 1;
      response.end('{}');
    });
    await new Promise<void>((done) => lure.listen(0, '127.0.0.1', done));
    const lureUrl = `http://127.0.0.1:${(lure.address() as AddressInfo).port}`;
    try {
      const attacker = await generateKeyPair('RS256', { extractable: true });
      const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: 'evil' };
      const token = await new SignJWT({ sub: 'mallory', iss: idp.issuer, aud: IDP_AUDIENCE })
        .setProtectedHeader({
          alg: 'RS256',
          kid: 'evil',
          jku: `${lureUrl}/jwks`,
          x5u: `${lureUrl}/cert`,
          jwk: attackerJwk,
        })
        .setExpirationTime('5m')
        .sign(attacker.privateKey);
      assert.equal(await reasonOf(token), 'unknown_key');
      assert.equal(hits, 0, 'the URL a token names was fetched');
    } finally {
      lure.close();
    }
  });

  it('picks up a rotated key without restart, and refetches on an unknown kid at most once per cooldown', async () => {
    const oldKid = idp.currentKid();
    const newKid = await idp.rotate();
    await new Promise((done) => setTimeout(done, 250)); // past the 200 ms cooldown
    const before = idp.fetches();
    assert.ok((await verify(await idp.token({}, { kid: newKid }))).ok, 'a token signed with the new key');
    assert.equal(idp.fetches(), before + 1, 'the unknown kid caused one refetch');
    idp.drop(oldKid);
    await new Promise((done) => setTimeout(done, 250));
    // A kid the IdP never published: one refetch, then none within the cooldown.
    const ghost = await startTestIdp();
    const ghostToken = await ghost.token({ iss: idp.issuer }, {});
    await ghost.close();
    const beforeGhost = idp.fetches();
    assert.equal(
      await reasonOf(ghostToken.replace(/^[^.]+/, b64({ alg: 'RS256', kid: 'ghost', typ: 'JWT' }))),
      'unknown_key',
    );
    assert.equal(
      await reasonOf(ghostToken.replace(/^[^.]+/, b64({ alg: 'RS256', kid: 'ghost-2', typ: 'JWT' }))),
      'unknown_key',
    );
    assert.equal(idp.fetches(), beforeGhost + 1, 'unknown kids refetched more than once per cooldown');
    assert.equal(await reasonOf(await idp.token({}, { kid: oldKid })), 'unknown_key', 'the dropped key after refresh');
  });

  it('keeps verifying with cached keys while the IdP is down, and reports keys_unavailable without them', async () => {
    const down = await startTestIdp();
    const timings = { refreshMs: 100, cooldownMs: 100, maxStaleMs: 60_000 };
    const downSource = createJwksSource({ url: new URL(down.jwksUrl), ...timings, timeoutMs: 1000 });
    const downPolicy = { issuers: [down.issuer], audiences: [IDP_AUDIENCE], clockToleranceSeconds: 0 };
    try {
      assert.ok((await verifyIdpToken(await down.token(), downSource.getKey, downPolicy, now())).ok);
      down.setDown(true);
      await new Promise((done) => setTimeout(done, 150)); // the cache is now older than refreshMs
      for (let round = 0; round < 3; round += 1) {
        const verdict = await verifyIdpToken(
          await down.token({ sub: `u${round}` }),
          downSource.getKey,
          downPolicy,
          now(),
        );
        assert.ok(verdict.ok, `round ${round}: ${JSON.stringify(verdict)}`);
      }
      assert.equal(downSource.health(), 'stale');
      // A bridge that never loaded keys cannot verify: 503-worthy, not the token's fault.
      const empty = createJwksSource({ url: new URL(down.jwksUrl), ...timings, timeoutMs: 1000 });
      const verdict = await verifyIdpToken(await down.token(), empty.getKey, downPolicy, now());
      assert.equal(verdict.ok ? '' : verdict.refusal.code, 'keys_unavailable');
      down.setDown(false);
      await new Promise((done) => setTimeout(done, 150));
      assert.ok(
        (await verifyIdpToken(await down.token(), empty.getKey, downPolicy, now())).ok,
        'recovers when the IdP returns',
      );
    } finally {
      await down.close();
    }
  });

  it('caches accepted tokens only within their validity', async () => {
    const cache = createVerifiedTokenCache(10);
    const token = await idp.token({}, { lifetimeSeconds: 60 });
    let calls = 0;
    const counting: typeof source.getKey = async (header, input) => {
      calls += 1;
      return source.getKey(header, input);
    };
    for (let use = 0; use < 4; use += 1) {
      assert.ok((await verifyIdpTokenCached(cache, token, counting, policy, now())).ok);
    }
    assert.equal(calls, 2, 'verified at its first and second use, then answered from the cache');
    const later = await verifyIdpTokenCached(cache, token, counting, policy, now() + 120);
    assert.equal(later.ok ? '' : later.refusal.code, 'expired');
  });

  it('refuses a JWKS RSA key under 2048 bits (401, not a crash)', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const signingInput = `${b64({ alg: 'RS256', kid: 'small' })}.${b64({ iss: idp.issuer, aud: IDP_AUDIENCE, sub: 'x', exp: now() + 300 })}`;
    const token = `${signingInput}.${sign('sha256', Buffer.from(signingInput), small.privateKey).toString('base64url')}`;
    const verdict = await verifyIdpToken(token, async () => small.publicKey, policy, now());
    assert.equal(verdict.ok ? '' : verdict.refusal.code, 'unknown_key');
  });
});

describe('key-set policy and RFC 6750 header', () => {
  const timings = { refreshMs: 1000, cooldownMs: 100, maxStaleMs: 5000 };
  it('asks the IdP unless it failed within the cooldown; then stale keys within the bound, else unavailable', () => {
    assert.equal(chooseKeySet({ loadedAt: 0, failedAt: undefined }, timings, 10), 'remote');
    assert.equal(chooseKeySet({ loadedAt: 0, failedAt: 2000 }, timings, 2050), 'stale');
    assert.equal(chooseKeySet({ loadedAt: 0, failedAt: 2000 }, timings, 2100), 'remote');
    assert.equal(chooseKeySet({ loadedAt: 0, failedAt: 6000 }, timings, 6050), 'unavailable');
    assert.equal(chooseKeySet({ loadedAt: undefined, failedAt: 10 }, timings, 20), 'unavailable');
    assert.equal(keySetHealth({ loadedAt: 0, failedAt: undefined }, timings, 500), 'fresh');
    assert.equal(keySetHealth({ loadedAt: 0, failedAt: undefined }, timings, 5000), 'stale');
    assert.equal(keySetHealth({ loadedAt: 0, failedAt: undefined }, timings, 7000), 'missing');
  });

  it('writes error="invalid_token" with a quoted-string description, and no error without a token', () => {
    assert.equal(wwwAuthenticate(refusal('no_token', 'x')), 'Bearer realm="qs-jwt bridge"');
    const header = wwwAuthenticate(refusal('expired', 'say "hi" \\ ünïcode'));
    assert.match(header, /^Bearer realm="qs-jwt bridge", error="invalid_token", error_description="[^"\\]*"$/);
  });
});
