import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import { signSigningInput, signSigningInputAsync } from '../src/core/jose/compact-jws.js';
import type { RsaAlgorithm } from '../src/core/jose/algorithms.js';
import { createCloudTokenAsync, createQseowTokenAsync, qseowTokenMinter, QsJwtError } from '../src/index.js';

// The servers (workbench, bridge) sign on libuv's thread pool; these pin that the pool's signatures are
// the synchronous ones, byte for byte, and that failures come back as rejections with the core's codes.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

test('signing on the thread pool gives the synchronous signature (RSASSA-PKCS1-v1_5 is deterministic)', async () => {
  const input = 'eyJhbGciOiJSUzI1NiJ9.eyJ1c2VySWQiOiJhbm5hIn0';
  for (const alg of ['RS256', 'RS384', 'RS512'] as const) {
    assert.equal(await signSigningInputAsync(input, privateKey, alg), signSigningInput(input, privateKey, alg), alg);
  }
});

test('a non-RSA algorithm is a rejection, not a throw, and signs nothing', async () => {
  for (const alg of ['HS256', 'none', 'PS256']) {
    const pending = signSigningInputAsync('a.b', privateKey, alg as RsaAlgorithm);
    await assert.rejects(pending, (error: unknown) => error instanceof QsJwtError);
  }
});

test('createQseowTokenAsync and createCloudTokenAsync: tokens a second library verifies, with the claims asked for', async () => {
  const qseow = await createQseowTokenAsync({ privateKey, userId: 'anna', userDirectory: 'ACME', groups: ['g1'] });
  const qseowClaims = jsonwebtoken.verify(qseow.token, publicKey, { algorithms: ['RS256'] }) as Record<string, unknown>;
  assert.deepEqual(
    [qseowClaims['userId'], qseowClaims['userDirectory'], qseowClaims['groups']],
    ['anna', 'ACME', ['g1']],
  );
  const cloud = await createCloudTokenAsync({
    privateKey,
    algorithm: 'RS512',
    subject: 'anna',
    name: 'Anna',
    email: 'anna@example.com',
    issuer: 'https://idp.example.com',
    keyId: 'key-1',
  });
  const cloudClaims = jsonwebtoken.verify(cloud.token, publicKey, { algorithms: ['RS512'] }) as Record<string, unknown>;
  assert.equal(cloudClaims['sub'], 'anna');
  assert.equal(cloud.header.kid, 'key-1');
});

test("a claim the rules refuse rejects with the core's error before anything is signed", async () => {
  await assert.rejects(
    createQseowTokenAsync({ privateKey, userId: 'semi;colon', userDirectory: 'ACME' }),
    (error: unknown) => error instanceof QsJwtError && /QJ108/.test(error.message),
  );
});

test('many tokens signed at once on the pool are each valid and distinct', async () => {
  const minter = qseowTokenMinter({ privateKey });
  const created = await Promise.all(
    Array.from({ length: 64 }, (_, index) => minter.createAsync({ userId: `user-${index}`, userDirectory: 'ACME' })),
  );
  assert.equal(new Set(created.map((item) => item.token)).size, 64);
  created.forEach((item, index) => {
    const claims = jsonwebtoken.verify(item.token, publicKey, { algorithms: ['RS256'] }) as Record<string, unknown>;
    assert.equal(claims['userId'], `user-${index}`);
  });
});
