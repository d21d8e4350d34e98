import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createLocalJWKSet, exportJWK, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import { IDP_ALGORITHMS, verifyIdpToken, type IdpTokenPolicy } from '../src/bridge/idp-token.js';
import { refusalFromJose } from '../src/bridge/refusal-reasons.js';

/**
 * The bridge checks IdP signatures on node:crypto (src/bridge/idp-signature.ts) instead of jose's
 * jwtVerify. Here jose's jwtVerify is the oracle: on the same tokens, the same key set and the same
 * options, both must accept with the same claims or refuse for the same reason. The tokens cover every
 * algorithm the bridge allows, keys that must not be used (RSA-1024, an encryption key, a key of
 * another type), every claim refusal, forged and malformed tokens, and random mutations of valid ones.
 * The deliberate differences (a `crit` header, padded or spaced base64url, a getter returning a
 * KeyObject) are asserted apart.
 */

const ISSUER = 'https://idp.parity.test/';
const AUDIENCE = 'api://parity';
const NOW = 1_900_000_000;
const policy: IdpTokenPolicy = { issuers: [ISSUER], audiences: [AUDIENCE], clockToleranceSeconds: 5 };
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

interface SigningKey {
  kid: string;
  alg: string;
  key: KeyObject;
}

const rsa = (bits: number): { privateKey: KeyObject; publicKey: KeyObject } =>
  generateKeyPairSync('rsa', { modulusLength: bits });
const ec = (namedCurve: string): { privateKey: KeyObject; publicKey: KeyObject } =>
  generateKeyPairSync('ec', { namedCurve });

const pairs = {
  rs: rsa(2048),
  ps: rsa(2048),
  weak: rsa(1024),
  enc: rsa(2048),
  noalg: rsa(2048),
  es256: ec('P-256'),
  es384: ec('P-384'),
  es512: ec('P-521'),
};

/** The published key set: kid → its JWK fields. */
const published: Array<[keyof typeof pairs, Partial<JWK>]> = [
  ['rs', { alg: 'RS256', use: 'sig' }],
  ['ps', { alg: 'PS384', use: 'sig' }],
  ['weak', { alg: 'RS256' }],
  ['enc', { alg: 'RS256', use: 'enc' }],
  ['noalg', {}],
  ['es256', { alg: 'ES256' }],
  ['es384', { alg: 'ES384' }],
  ['es512', { alg: 'ES512' }],
];

async function keySet(): Promise<JWTVerifyGetKey> {
  const keys = await Promise.all(
    published.map(async ([kid, fields]) => ({ ...(await exportJWK(pairs[kid].publicKey)), kid, ...fields })),
  );
  return createLocalJWKSet({ keys });
}

const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Signs like an IdP would, with node:crypto (so neither verifier under test made the token). */
function signToken(signer: SigningKey, claims: unknown, header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: signer.alg, kid: signer.kid, typ: 'JWT', ...header })}.${b64(claims)}`;
  const hash = HASHES[signer.alg.slice(2)] ?? 'sha256';
  const family = signer.alg.slice(0, 2);
  const options =
    family === 'PS'
      ? { key: signer.key, padding: 6, saltLength: -1 }
      : family === 'ES'
        ? { key: signer.key, dsaEncoding: 'ieee-p1363' as const }
        : signer.key;
  return `${input}.${sign(hash, Buffer.from(input), options).toString('base64url')}`;
}

const good = { iss: ISSUER, aud: AUDIENCE, sub: 'anna', iat: NOW - 10, nbf: NOW - 10, exp: NOW + 600 };
const signers: SigningKey[] = [
  { kid: 'rs', alg: 'RS256', key: pairs.rs.privateKey },
  { kid: 'ps', alg: 'PS384', key: pairs.ps.privateKey },
  { kid: 'noalg', alg: 'RS512', key: pairs.noalg.privateKey },
  { kid: 'noalg', alg: 'PS256', key: pairs.noalg.privateKey },
  { kid: 'es256', alg: 'ES256', key: pairs.es256.privateKey },
  { kid: 'es384', alg: 'ES384', key: pairs.es384.privateKey },
  { kid: 'es512', alg: 'ES512', key: pairs.es512.privateKey },
];

/** A verdict both verifiers can be compared on: the claims when accepted, the refusal code when not. */
type Verdict = string;

async function ours(getKey: JWTVerifyGetKey, token: string): Promise<Verdict> {
  const verdict = await verifyIdpToken(token, getKey, policy, NOW);
  return verdict.ok ? `ok ${JSON.stringify(verdict.payload)}` : verdict.refusal.code;
}

async function joses(getKey: JWTVerifyGetKey, token: string): Promise<Verdict> {
  try {
    const { payload } = await jwtVerify(token, getKey, {
      issuer: [...policy.issuers],
      audience: [...policy.audiences],
      algorithms: [...IDP_ALGORITHMS],
      clockTolerance: policy.clockToleranceSeconds,
      requiredClaims: ['exp'],
      currentDate: new Date(NOW * 1000),
    });
    return `ok ${JSON.stringify(payload)}`;
  } catch (error) {
    const reason = refusalFromJose(error);
    if (!reason) throw error;
    return reason.code;
  }
}

function corpus(): Array<[string, string]> {
  const [rs, ps] = signers as [SigningKey, SigningKey];
  const valid = signers.map((signer): [string, string] => [`valid ${signer.alg}`, signToken(signer, good)]);
  const withClaims = (claims: Record<string, unknown>): string => signToken(rs, { ...good, ...claims });
  const rsValid = signToken(rs, good);
  const [h, p, s] = rsValid.split('.') as [string, string, string];
  const hmac = (secret: string | Buffer): string => {
    const input = `${b64({ alg: 'HS256', kid: 'rs' })}.${p}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const flip = (text: string, at: number): string =>
    `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
  return [
    ...valid,
    ['expired', withClaims({ exp: NOW - 60 })],
    ['expired within tolerance', withClaims({ exp: NOW - 3 })],
    ['not yet valid', withClaims({ nbf: NOW + 60 })],
    ['wrong issuer', withClaims({ iss: 'https://evil.test/' })],
    ['wrong audience', withClaims({ aud: 'api://other' })],
    ['one audience of several', withClaims({ aud: ['api://other', AUDIENCE] })],
    ['no exp', signToken(rs, { iss: ISSUER, aud: AUDIENCE, sub: 'anna' })],
    ['exp a string', withClaims({ exp: String(NOW + 600) })],
    ['iat a string', withClaims({ iat: 'yesterday' })],
    ['payload an array', signToken(rs, [1, 2])],
    ['payload not JSON', `${h}.${Buffer.from('not json').toString('base64url')}.${s}`],
    ['alg none', `${b64({ alg: 'none' })}.${p}.`],
    ['alg none with a signature', `${b64({ alg: 'none', kid: 'rs' })}.${p}.${s}`],
    ['HS256 with the public key PEM', hmac(pairs.rs.publicKey.export({ type: 'spki', format: 'pem' }).toString())],
    ['HS256 with the public key DER', hmac(pairs.rs.publicKey.export({ type: 'spki', format: 'der' }))],
    ['no alg', `${b64({ kid: 'rs' })}.${p}.${s}`],
    ['alg not a string', `${b64({ alg: 256, kid: 'rs' })}.${p}.${s}`],
    ['alg constructor', `${b64({ alg: 'constructor', kid: 'rs' })}.${p}.${s}`],
    ['unknown kid', signToken({ ...rs, kid: 'gone' }, good)],
    ['no kid, several keys fit', signToken({ ...rs, kid: '' }, good, { kid: undefined })],
    ['header alg of another family', signToken({ ...rs, alg: 'ES256' }, good)],
    ['RS256 header on a PS384 key', signToken({ ...ps, alg: 'RS256' }, good)],
    ['RSA-1024 key', signToken({ kid: 'weak', alg: 'RS256', key: pairs.weak.privateKey }, good)],
    ['encryption key', signToken({ kid: 'enc', alg: 'RS256', key: pairs.enc.privateKey }, good)],
    ['signed by another key', signToken({ ...rs, key: pairs.ps.privateKey }, good)],
    ['payload swapped', `${h}.${b64({ ...good, sub: 'root' })}.${s}`],
    ['signature flipped', `${h}.${p}.${flip(s, 10)}`],
    ['signature empty', `${h}.${p}.`],
    ['signature truncated', `${h}.${p}.${s.slice(0, -4)}`],
    ['signature of length 4n+1', `${h}.${p}.${s}A`],
    ['signature with +', `${h}.${p}.${s.slice(0, -1)}+`],
    [
      'ECDSA signature as DER',
      (() => {
        const signer = signers[4] as SigningKey;
        const input = `${b64({ alg: 'ES256', kid: 'es256' })}.${p}`;
        return `${input}.${sign('sha256', Buffer.from(input), signer.key).toString('base64url')}`;
      })(),
    ],
    [
      'PS384 with a salt shorter than the hash',
      (() => {
        const input = `${b64({ alg: 'PS384', kid: 'ps' })}.${p}`;
        const options = { key: pairs.ps.privateKey, padding: 6, saltLength: 20 };
        return `${input}.${sign('sha384', Buffer.from(input), options).toString('base64url')}`;
      })(),
    ],
    ['two segments', `${h}.${p}`],
    ['four segments', `${rsValid}.x`],
    ['empty', ''],
    ['header not JSON', `${Buffer.from('{alg').toString('base64url')}.${p}.${s}`],
    ['header an array', `${b64(['RS256'])}.${p}.${s}`],
    ['header with +', `${h.slice(0, -1)}+.${p}.${s}`],
    ['payload not ASCII', `${h}.${p}é.${s}`],
    [
      'jku, x5u and jwk headers',
      signToken(rs, good, { jku: 'http://127.0.0.1:9/jwks', x5u: 'http://127.0.0.1:9/c', jwk: {} }),
    ],
  ];
}

describe('IdP signature check: node:crypto against jose on the same tokens', () => {
  it('gives jose’s verdict on every token of the corpus', async () => {
    const getKey = await keySet();
    const verdicts = new Set<string>();
    for (const [name, token] of corpus()) {
      const expected = await joses(getKey, token);
      assert.equal(await ours(getKey, token), expected, name);
      verdicts.add(expected.startsWith('ok') ? 'ok' : expected);
    }
    // The corpus reaches every outcome, so the comparison is not only over acceptances.
    const outcomes = ['ok', 'expired', 'not_yet_valid', 'wrong_issuer', 'wrong_audience', 'missing_claim'];
    for (const outcome of [...outcomes, 'invalid_claim', 'malformed', 'algorithm_not_allowed', 'unknown_key']) {
      assert.ok(verdicts.has(outcome), `no token in the corpus gets ${outcome}`);
    }
    assert.ok(verdicts.has('bad_signature'));
  });

  it('gives jose’s verdict on random mutations of valid tokens', async () => {
    const getKey = await keySet();
    const tokens = signers.map((signer) => signToken(signer, good));
    const alphabet = fc.constantFrom(...'AQgw_-.=+/ é0'.split(''));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: tokens.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), alphabet), { minLength: 1, maxLength: 3 }),
        async (which, edits) => {
          let token = tokens[which] ?? '';
          for (const [position, kind, char] of edits) {
            const at = position % (token.length + 1);
            if (kind === 0) token = `${token.slice(0, at)}${char}${token.slice(at + 1)}`;
            else if (kind === 1) token = `${token.slice(0, at)}${char}${token.slice(at)}`;
            else token = `${token.slice(0, at)}${token.slice(at + 1)}`;
          }
          // The two deliberate differences are asserted in the next test.
          fc.pre(!/[= ]/.test(token));
          assert.equal(await ours(getKey, token), await joses(getKey, token), token);
        },
      ),
      { numRuns: 400, seed: 14 },
    );
  });

  it('gives jose’s verdict when a key getter hands over a key jose would not verify with', async () => {
    const token = signToken(signers[0] as SigningKey, good);
    const spki = pairs.rs.publicKey.export({ type: 'spki', format: 'der' });
    const rsassa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const getters: Record<string, JWTVerifyGetKey> = {
      'a key without the verify usage': async () => crypto.subtle.importKey('spki', spki, rsassa, true, []),
      'a key for another hash': async () =>
        crypto.subtle.importKey('spki', spki, { ...rsassa, hash: 'SHA-512' }, true, ['verify']),
      'the right key': async () => crypto.subtle.importKey('spki', spki, rsassa, true, ['verify']),
    };
    for (const [name, getKey] of Object.entries(getters)) {
      assert.equal(await ours(getKey, token), await joses(getKey, token), name);
    }
  });

  it('refuses what jose would let through on purpose: crit headers, padded or spaced segments, KeyObjects', async () => {
    const getKey = await keySet();
    const [rs] = signers as [SigningKey];
    const crit = signToken(rs, good, { crit: ['b64'], b64: true });
    assert.match(await joses(getKey, crit), /^ok/);
    assert.equal(await ours(getKey, crit), 'malformed');
    const [h, p, s] = signToken(rs, good).split('.') as [string, string, string];
    // An RSA-2048 signature is 342 base64url characters: two short of a multiple of four.
    assert.equal(s.length % 4, 2);
    const padded = `${h}.${p}.${s}==`;
    assert.match(await joses(getKey, padded), /^ok/);
    assert.equal(await ours(getKey, padded), 'malformed');
    const spaced = `${h}.${p}.${s.slice(0, 8)} ${s.slice(8)}`;
    assert.match(await joses(getKey, spaced), /^ok/);
    assert.equal(await ours(getKey, spaced), 'malformed');
    // Key sets made by jose hand out CryptoKeys; a getter handing a KeyObject is a programming error here.
    const keyObject: JWTVerifyGetKey = async () => pairs.rs.publicKey;
    const token = signToken(rs, good);
    assert.match(await joses(keyObject, token), /^ok/);
    assert.equal(await ours(keyObject, token), 'unknown_key');
  });
});
