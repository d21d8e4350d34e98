import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import jsonwebtoken from 'jsonwebtoken';
import { createBridgeAuthenticator } from '../src/bridge/bridge-auth.js';
import { BRIDGE_KEY_ID, createBridgeMinter } from '../src/bridge/bridge-minter.js';
import { identityKey, isMappedUser, mapClaims, type ClaimMapping } from '../src/bridge/claim-mapping.js';
import { createMintedTokenCache, recallMinted, rememberMinted, reuseUntil } from '../src/bridge/minted-token-cache.js';
import { verifyToken } from '../src/core/lint/verify-token.js';
import { decodePart } from './support/fixtures.js';

/** Claim mapping (pure), the minted-token cache, and the QSEoW tokens the bridge mints through the core's minter. */

const KEYS = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ENTRA: ClaimMapping = {
  userIdClaim: 'preferred_username',
  userDirectory: { value: 'ENTRA' },
  groupsClaim: 'groups',
  attributes: [{ claim: 'email', name: 'email' }],
};

describe('claim mapping', () => {
  it('maps user ID, a constant directory, groups and attributes', () => {
    const user = mapClaims(
      { preferred_username: 'anna@acme.test', groups: ['g1', 'g2'], email: 'anna@acme.test' },
      ENTRA,
    );
    assert.deepEqual(user, {
      userId: 'anna@acme.test',
      userDirectory: 'ENTRA',
      groups: ['g1', 'g2'],
      claims: { email: 'anna@acme.test' },
    });
  });

  it('reads the directory from a claim and nested (Keycloak) claims by dotted name', () => {
    const mapping: ClaimMapping = {
      userIdClaim: 'preferred_username',
      userDirectory: { claim: 'tenant' },
      groupsClaim: 'realm_access.roles',
      attributes: [],
    };
    const user = mapClaims({ preferred_username: 'bert', tenant: 'ACME', realm_access: { roles: ['admin'] } }, mapping);
    assert.deepEqual(user, { userId: 'bert', userDirectory: 'ACME', groups: ['admin'] });
  });

  it('refuses a token missing a mapped claim, naming it; a missing groups claim is no groups', () => {
    const missingId = mapClaims({ email: 'x@y' }, ENTRA);
    assert.ok(!isMappedUser(missingId));
    assert.equal(missingId.code, 'missing_claim');
    assert.match(missingId.description, /preferred_username/);
    const missingEmail = mapClaims({ preferred_username: 'anna' }, ENTRA);
    assert.ok(!isMappedUser(missingEmail) && /email/.test(missingEmail.description));
    assert.deepEqual(mapClaims({ preferred_username: 'anna', email: 'a@b' }, ENTRA), {
      userId: 'anna',
      userDirectory: 'ENTRA',
      claims: { email: 'a@b' },
    });
  });

  it('refuses objects, huge values and too many groups', () => {
    for (const payload of [
      { preferred_username: { id: 1 }, email: 'a' },
      { preferred_username: 'x'.repeat(2000), email: 'a' },
      { preferred_username: 'anna', email: 'a', groups: Array.from({ length: 500 }, (_, i) => `g${i}`) },
      { preferred_username: 'anna', email: 'a', groups: [{}] },
    ]) {
      const result = mapClaims(payload, ENTRA);
      assert.ok(!isMappedUser(result), JSON.stringify(payload).slice(0, 80));
      assert.equal(result.code, 'invalid_claim');
    }
  });

  it('gives one identity key per distinct user, groups and attributes', () => {
    const a = identityKey({ userId: 'a', userDirectory: 'D', groups: ['x'] });
    assert.equal(a, identityKey({ userId: 'a', userDirectory: 'D', groups: ['x'] }));
    assert.notEqual(a, identityKey({ userId: 'a', userDirectory: 'D', groups: ['y'] }));
    assert.notEqual(a, identityKey({ userId: 'a', userDirectory: 'D' }));
  });
});

describe('minted-token cache', () => {
  it('reuses a token until shortly before its expiry and stays bounded', () => {
    assert.equal(reuseUntil(1000, 1300), 1240);
    assert.equal(reuseUntil(1000, 4600), 4540);
    const cache = createMintedTokenCache(2);
    const remember = (identity: string): void =>
      rememberMinted(cache, identity, { token: `t${identity}`, expiresAt: 1300 }, 1000);
    remember('a');
    assert.equal(recallMinted(cache, 'a', 1100), undefined, 'an identity minted once is not kept');
    remember('a');
    assert.equal(recallMinted(cache, 'a', 1239)?.token, 'ta', 'kept from its second minting on');
    assert.equal(recallMinted(cache, 'a', 1240), undefined);
    remember('a');
    for (const identity of ['b', 'c']) {
      remember(identity);
      remember(identity);
    }
    assert.equal(cache.entries.size, 2);
    assert.equal(recallMinted(cache, 'a', 1100), undefined, 'the oldest went');
  });
});

describe('QSEoW tokens the bridge mints', () => {
  const minter = createBridgeMinter({
    privateKey: KEYS.privateKey,
    algorithm: 'RS256',
    lifetimeSeconds: 300,
    groupsAttribute: 'groups',
  });
  const now = (): number => Math.floor(Date.now() / 1000);

  it("are the core minter's tokens: Qlik's rules pass, jsonwebtoken verifies them, the bridge kid is set", async () => {
    const minted = await minter.tokenFor(
      { userId: 'anna', userDirectory: 'ENTRA', groups: ['g1'], claims: { email: 'a@b' } },
      now(),
    );
    const result = verifyToken(minted.token, { keys: KEYS.publicKey, platform: 'qseow' });
    assert.ok(result.accepted, JSON.stringify(result.findings));
    const payload = jsonwebtoken.verify(minted.token, KEYS.publicKey, { algorithms: ['RS256'] }) as Record<
      string,
      unknown
    >;
    assert.deepEqual(
      [payload['userId'], payload['userDirectory'], payload['groups'], payload['email']],
      ['anna', 'ENTRA', ['g1'], 'a@b'],
    );
    assert.equal(decodePart(minted.token, 0)['kid'], BRIDGE_KEY_ID);
    assert.equal((payload['exp'] as number) - (payload['iat'] as number), 300);
  });

  it('are cached per identity from its second request on (a one-off identity leaves nothing cached)', async () => {
    const user = { userId: 'cached', userDirectory: 'D' };
    const before = minter.cachedIdentities();
    const first = await minter.tokenFor(user, now());
    assert.equal(minter.cachedIdentities(), before, 'first request: signed, not kept');
    const second = await minter.tokenFor(user, now());
    assert.notEqual(second.token, first.token, 'second request: signed afresh (new jti), then kept');
    assert.equal((await minter.tokenFor(user, now())).token, second.token);
    assert.equal(minter.cachedIdentities(), before + 1);
    assert.notEqual((await minter.tokenFor({ userId: 'cached', userDirectory: 'E' }, now())).token, second.token);
  });

  it('share one signature between concurrent requests of a new identity, and mint apart for others', async () => {
    const user = { userId: 'concurrent', userDirectory: 'D' };
    const [a, b, c] = await Promise.all([
      minter.tokenFor(user, now()),
      minter.tokenFor(user, now()),
      minter.tokenFor({ userId: 'concurrent', userDirectory: 'E' }, now()),
    ]);
    assert.equal(a.token, b.token);
    assert.notEqual(a.token, c.token);
  });

  it('report a claim the core refuses as a rejection, and sign the next request afresh', async () => {
    const bad = { userId: 'semi;colon', userDirectory: 'D' };
    await assert.rejects(minter.tokenFor(bad, now()), /QJ108|;/);
    await assert.rejects(minter.tokenFor(bad, now()), /QJ108|;/);
  });

  it('refuse bad settings at start-up', () => {
    assert.throws(
      () =>
        createBridgeMinter({
          privateKey: KEYS.privateKey,
          algorithm: 'RS256',
          lifetimeSeconds: 300,
          userIdAttribute: 'sub',
        }),
      /sub/,
    );
    // --attribute exp=exp would overwrite the token's expiry: refused before the first request.
    assert.throws(
      () =>
        createBridgeMinter({
          privateKey: KEYS.privateKey,
          algorithm: 'RS256',
          lifetimeSeconds: 300,
          attributeNames: ['exp'],
        }),
      /exp/,
    );
    assert.throws(
      () =>
        createBridgeMinter({
          privateKey: KEYS.privateKey,
          algorithm: 'RS256',
          lifetimeSeconds: 300,
          attributeNames: ['userId'],
        }),
      /userId/,
    );
    assert.throws(
      () =>
        createBridgeMinter({
          privateKey: KEYS.privateKey,
          algorithm: 'RS256',
          lifetimeSeconds: 300,
          attributeNames: ['groups'],
          withGroups: true,
        }),
      /groups/,
    );
    assert.doesNotThrow(() =>
      createBridgeMinter({
        privateKey: KEYS.privateKey,
        algorithm: 'RS256',
        lifetimeSeconds: 300,
        attributeNames: ['groups'],
      }),
    );
  });

  it("pass a token the bridge minted through unchanged, but not at the token endpoint, and refuse another key's", async () => {
    const authenticator = createBridgeAuthenticator({
      getKey: async () => {
        throw new Error('the IdP must not be asked');
      },
      policy: { issuers: ['x'], audiences: ['y'], clockToleranceSeconds: 0 },
      mapping: ENTRA,
      minter,
      ownPublicKey: KEYS.publicKey,
      ownAlgorithm: 'RS256',
      userIdAttribute: 'userId',
      userDirectoryAttribute: 'userDirectory',
    });
    const own = await minter.tokenFor({ userId: 'own', userDirectory: 'D' }, now());
    const passed = await authenticator.authenticate(own.token, now(), true);
    assert.ok(passed.ok && passed.qlikToken === own.token && passed.via === 'bridge' && passed.user === 'D\\own');
    const other = createBridgeMinter({
      privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      algorithm: 'RS256',
      lifetimeSeconds: 300,
    });
    const forged = await authenticator.authenticate(
      (await other.tokenFor({ userId: 'x', userDirectory: 'D' }, now())).token,
      now(),
      true,
    );
    assert.ok(!forged.ok && forged.status === 401);
    await assert.rejects(authenticator.authenticate(own.token, now(), false), /IdP must not be asked/);
  });
});
