/**
 * The rule table (src/core/lint/rules.ts) against the verifier and the lint: every QJ code has a token
 * that triggers it and a closely related token that does not, with the severity the table promises.
 * Adding a rule without a case here fails the suite (the table is iterated, not copied).
 * Also: every finding at once, expired-but-genuine tokens, `alg: none` and the HS256 key-confusion
 * attack, the meaning of `accepted`, and exact exp/nbf boundaries with and without clock tolerance.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { compactVerify } from 'jose';
import { signCompactBytes, type JwtPayload } from '../src/core/jose/compact-jws.js';
import { type RsaAlgorithm } from '../src/core/jose/algorithms.js';
import { type LintOptions, type Platform } from '../src/core/lint/claim-rules.js';
import { MAX_TOKEN_LENGTH } from '../src/core/lint/decode-token.js';
import { RULES, hasErrors, type RuleCode } from '../src/core/lint/rules.js';
import {
  lintToken,
  verifyToken,
  type InspectionResult,
  type VerificationKey,
  type VerifyOptions,
} from '../src/core/lint/verify-token.js';

/** A fixed check time, so no rule depends on the clock of the machine running the tests. */
const AT = 1_800_000_000;
const CLOUD_AUDIENCE = 'qlik.api/login/jwt-session';

let key: KeyObject;
let publicKey: KeyObject;
let otherKey: KeyObject;
let otherPublicKey: KeyObject;
let smallKey: KeyObject;
let smallPublicKey: KeyObject;
let ecPublicKey: KeyObject;

before(() => {
  ({ privateKey: key, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  ({ privateKey: otherKey, publicKey: otherPublicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  ({ privateKey: smallKey, publicKey: smallPublicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 }));
  ({ publicKey: ecPublicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
});

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs any header object (even one naming a non-RSA alg) over its exact JSON with an RSA key. */
function sign(
  header: Record<string, unknown>,
  payload: unknown,
  signingKey: KeyObject = key,
  hash: RsaAlgorithm = 'RS256',
): string {
  return signCompactBytes(Buffer.from(JSON.stringify(header)), Buffer.from(JSON.stringify(payload)), signingKey, hash);
}

function qseowClaims(extra: JwtPayload = {}): JwtPayload {
  return {
    userId: 'anna',
    userDirectory: 'ACME',
    iat: AT - 60,
    nbf: AT - 60,
    exp: AT + 3600,
    jti: 'qseow-1',
    ...extra,
  };
}

function cloudClaims(extra: JwtPayload = {}): JwtPayload {
  return {
    iss: 'https://idp.acme.com',
    sub: 'anna-0001',
    subType: 'user',
    name: 'Anna Andersson',
    email: 'anna@acme.com',
    email_verified: true,
    aud: CLOUD_AUDIENCE,
    groups: ['Sales'],
    iat: AT - 60,
    nbf: AT - 60,
    exp: AT + 240,
    jti: 'cloud-1',
    ...extra,
  };
}

function without(claims: JwtPayload, name: string): JwtPayload {
  const copy = { ...claims };
  delete copy[name];
  return copy;
}

const RS256 = { alg: 'RS256', typ: 'JWT' } as const;
const CLOUD_HEADER = { alg: 'RS256', typ: 'JWT', kid: 'k1' } as const;

function verifyAt(token: string, platform: Platform, options: Partial<VerifyOptions> = {}): InspectionResult {
  return verifyToken(token, { keys: publicKey, at: AT, platform, ...options });
}

/** Results of lintToken (no key: signatureValid stays undefined), told apart from verifyToken's. */
const linted = new WeakSet<InspectionResult>();

function lintAt(token: string, platform: Platform, options: LintOptions = {}): InspectionResult {
  const result = lintToken(token, platform, { at: AT, ...options });
  linted.add(result);
  return result;
}

const qseow = (
  claims: JwtPayload,
  options: Partial<VerifyOptions> = {},
  header: Record<string, unknown> = RS256,
): InspectionResult => verifyAt(sign(header, claims), 'qseow', options);
const cloud = (
  claims: JwtPayload,
  header: Record<string, unknown> = CLOUD_HEADER,
  options: Partial<VerifyOptions> = {},
): InspectionResult => verifyAt(sign(header, claims), 'cloud', options);
const plain = (
  claims: JwtPayload,
  options: Partial<VerifyOptions> = {},
  header: Record<string, unknown> = RS256,
): InspectionResult => verifyAt(sign(header, claims), 'none', options);

/** An HS256/384/512 token whose MAC uses `secret` (the classic RSA-public-key-as-HMAC-secret attack). */
function hmacToken(alg: 'HS256' | 'HS384' | 'HS512', payload: JwtPayload, secret: string | Buffer): string {
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

interface RuleCase {
  /** What the token (or the verifier's configuration) gets wrong. */
  why: string;
  trigger: () => InspectionResult;
  /** The closest token or configuration that Qlik would not flag for this rule. */
  near: () => InspectionResult;
  /** Other shapes of the same mistake that must trigger the rule too. */
  more?: () => InspectionResult[];
}

/** One case per rule; typed as a total record so the compiler also insists on completeness. */
const CASES: Record<RuleCode, RuleCase> = {
  QJ001: {
    why: 'two parts instead of three',
    trigger: () => verifyAt(`${b64(RS256)}.${b64(qseowClaims())}`, 'none'),
    near: () => verifyAt(sign(RS256, qseowClaims()), 'none'),
    more: () => [
      verifyAt(`${sign(RS256, qseowClaims()).split('.').slice(0, 2).join('.')}.`, 'none'),
      verifyAt(`${sign(RS256, qseowClaims())}+`, 'none'),
      lintAt('', 'none'),
      lintAt('a.b.c.d', 'none'),
    ],
  },
  QJ002: {
    why: 'five parts: a JWE',
    trigger: () => lintAt('eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn', 'none'),
    near: () => lintAt('eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy', 'none'),
  },
  QJ003: {
    why: 'header is a JSON array',
    trigger: () => lintAt(`${b64(['RS256'])}.${b64(qseowClaims())}.c2ln`, 'none'),
    near: () => lintAt(`${b64({ alg: 'RS256' })}.${b64(qseowClaims())}.c2ln`, 'none'),
    more: () => [
      lintAt(`${b64('{"alg":"RS256"')}.${b64(qseowClaims())}.c2ln`, 'none'),
      lintAt(`eyJ=.${b64(qseowClaims())}.c2ln`, 'none'),
      lintAt(`e.${b64(qseowClaims())}.c2ln`, 'none'),
    ],
  },
  QJ004: {
    why: 'payload is a JSON string',
    trigger: () => lintAt(`${b64(RS256)}.${b64('"anna"')}.c2ln`, 'none'),
    near: () => lintAt(`${b64(RS256)}.${b64('{"userId":"anna"}')}.c2ln`, 'none'),
    more: () => [lintAt(`${b64(RS256)}.${b64('null')}.c2ln`, 'none'), lintAt(`${b64(RS256)}..c2ln`, 'none')],
  },
  QJ005: {
    why: 'one character over the size limit',
    trigger: () => lintAt('a'.repeat(MAX_TOKEN_LENGTH + 1), 'none'),
    near: () => lintAt('a'.repeat(MAX_TOKEN_LENGTH), 'none'),
  },
  QJ006: {
    why: 'crit names "exp", an extension (a header parameter) nobody here understands',
    trigger: () => qseow(qseowClaims(), {}, { ...RS256, crit: ['exp'], exp: AT + 60 }),
    near: () => qseow(qseowClaims(), {}, { ...RS256, exp: AT + 60 }),
    more: () => [
      // RFC 7797 unencoded payload: the signature covers raw bytes, not the payload decoded here.
      qseow(qseowClaims(), {}, { ...RS256, b64: false, crit: ['b64'] }),
      lintAt(sign({ ...CLOUD_HEADER, crit: ['x-a', 'x-b'], 'x-a': 1, 'x-b': 2 }, cloudClaims()), 'cloud'),
      plain(qseowClaims(), {}, { ...RS256, crit: ['http://example.com/ext'], 'http://example.com/ext': true }),
    ],
  },
  QJ007: {
    why: 'crit is an empty array',
    trigger: () => qseow(qseowClaims(), {}, { ...RS256, crit: [] }),
    near: () => qseow(qseowClaims(), {}, { ...RS256, crit: ['x-a'], 'x-a': 1 }),
    more: () => [
      qseow(qseowClaims(), {}, { ...RS256, crit: 'b64', b64: false }),
      qseow(qseowClaims(), {}, { ...RS256, crit: null }),
      qseow(qseowClaims(), {}, { ...RS256, crit: [1] }),
      qseow(qseowClaims(), {}, { ...RS256, crit: ['b64'] }),
      qseow(qseowClaims(), {}, { ...RS256, crit: ['alg'] }),
      qseow(qseowClaims(), {}, { ...RS256, crit: ['x-a', 'x-a'], 'x-a': 1 }),
      plain(qseowClaims(), {}, { ...RS256, crit: ['constructor'] }),
    ],
  },
  QJ010: {
    why: 'alg none, empty signature',
    trigger: () => verifyAt(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(qseowClaims())}.`, 'qseow'),
    near: () => qseow(qseowClaims()),
    more: () => [verifyAt(`${b64({ alg: 'None' })}.${b64(qseowClaims())}.c2ln`, 'cloud')],
  },
  QJ011: {
    why: 'HS256 with the public key PEM as secret',
    trigger: () =>
      verifyAt(hmacToken('HS256', qseowClaims(), publicKey.export({ type: 'spki', format: 'pem' })), 'qseow'),
    near: () => qseow(qseowClaims()),
    more: () => [verifyAt(hmacToken('HS512', qseowClaims(), 'secret'), 'none')],
  },
  QJ012: {
    why: 'alg ES256',
    trigger: () => verifyAt(sign({ alg: 'ES256', typ: 'JWT' }, qseowClaims()), 'qseow'),
    near: () => verifyAt(sign({ alg: 'RS384', typ: 'JWT' }, qseowClaims(), key, 'RS384'), 'qseow'),
    more: () => [
      verifyAt(sign({ alg: 'PS256' }, qseowClaims()), 'none'),
      verifyAt(sign({ alg: 'rs256' }, qseowClaims()), 'none'),
      verifyAt(sign({ typ: 'JWT' }, qseowClaims()), 'none'),
    ],
  },
  QJ013: {
    why: 'a 1024-bit verification key',
    trigger: () => verifyAt(sign(RS256, qseowClaims(), smallKey), 'qseow', { keys: smallPublicKey }),
    near: () => qseow(qseowClaims()),
  },
  QJ014: {
    why: 'an EC verification key',
    trigger: () => verifyAt(sign(RS256, qseowClaims()), 'qseow', { keys: ecPublicKey }),
    near: () => qseow(qseowClaims()),
  },
  QJ015: {
    why: 'kid "c" against a JWKS holding kids "a" and "b"',
    trigger: () => verifyAt(sign({ ...RS256, kid: 'c' }, qseowClaims()), 'qseow', { keys: jwks() }),
    near: () => verifyAt(sign({ ...RS256, kid: 'a' }, qseowClaims()), 'qseow', { keys: jwks() }),
  },
  QJ020: {
    why: 'signed with another key',
    trigger: () => verifyAt(sign(RS256, qseowClaims(), otherKey), 'qseow'),
    near: () => qseow(qseowClaims()),
    more: () => [verifyAt(sign(RS256, qseowClaims()).slice(0, -4) + 'AAAA', 'qseow')],
  },
  QJ021: {
    why: 'signed with the matching key',
    trigger: () => qseow(qseowClaims()),
    near: () => verifyAt(sign(RS256, qseowClaims(), otherKey), 'qseow'),
  },
  QJ022: {
    why: 'linted without a key',
    trigger: () => lintAt(sign(RS256, qseowClaims()), 'qseow'),
    near: () => qseow(qseowClaims()),
  },
  QJ030: {
    why: 'checked at exactly exp',
    trigger: () => plain(qseowClaims({ exp: AT })),
    near: () => plain(qseowClaims({ exp: AT + 1 })),
  },
  QJ031: {
    why: 'nbf one second after the check time',
    trigger: () => plain(qseowClaims({ nbf: AT + 1 })),
    near: () => plain(qseowClaims({ nbf: AT })),
  },
  QJ032: {
    why: 'iat one second after the check time',
    trigger: () => plain(qseowClaims({ iat: AT + 1 })),
    near: () => plain(qseowClaims({ iat: AT })),
  },
  QJ033: {
    why: 'no exp',
    trigger: () => plain(without(qseowClaims(), 'exp')),
    near: () => plain(qseowClaims()),
  },
  QJ034: {
    why: 'exp as a string of digits',
    trigger: () => plain(qseowClaims({ exp: String(AT + 3600) })),
    near: () => plain(qseowClaims({ exp: AT + 3600 })),
    more: () => [
      plain(qseowClaims({ exp: (AT + 3600) * 1000 })),
      plain(qseowClaims({ nbf: null })),
      plain(qseowClaims({ iat: '2027-01-15T08:00:00Z' })),
    ],
  },
  QJ101: {
    why: 'no userId claim (only "userid")',
    trigger: () => qseow(without(qseowClaims({ userid: 'anna' }), 'userId')),
    near: () => qseow(qseowClaims()),
  },
  QJ102: {
    why: 'userId is an empty string',
    trigger: () => qseow(qseowClaims({ userId: '' })),
    near: () => qseow(qseowClaims({ userId: 'a' })),
    more: () => [qseow(qseowClaims({ userId: ['anna'] })), qseow(qseowClaims({ userId: null }))],
  },
  QJ103: {
    why: 'no userDirectory claim',
    trigger: () => qseow(without(qseowClaims(), 'userDirectory')),
    near: () => qseow(qseowClaims()),
  },
  QJ104: {
    why: 'userDirectory is a number',
    trigger: () => qseow(qseowClaims({ userDirectory: 42 })),
    near: () => qseow(qseowClaims({ userDirectory: '42' })),
  },
  QJ105: {
    why: 'aud differs from the proxy audience',
    trigger: () => qseow(qseowClaims({ aud: 'qlik.example.org' }), { audience: 'qlik.example.com' }),
    near: () => qseow(qseowClaims({ aud: ['other', 'qlik.example.com'] }), { audience: 'qlik.example.com' }),
    more: () => [
      qseow(without(qseowClaims(), 'aud'), { audience: 'qlik.example.com' }),
      qseow(qseowClaims({ aud: ['qlik.example.org'] }), { audience: 'qlik.example.com' }),
    ],
  },
  QJ106: {
    why: 'the proxy reads the user ID from "sub"',
    trigger: () => qseow(qseowClaims({ sub: 'anna' }), { userIdAttribute: 'sub' }),
    near: () => qseow(qseowClaims({ uid: 'anna' }), { userIdAttribute: 'uid' }),
    more: () => [qseow(qseowClaims({ iss: 'ACME' }), { userDirectoryAttribute: 'iss' })],
  },
  QJ107: {
    why: 'exp − iat one second over 30 days',
    trigger: () => qseow(qseowClaims({ iat: AT - 60, exp: AT - 60 + 30 * 86_400 + 1 })),
    near: () => qseow(qseowClaims({ iat: AT - 60, exp: AT - 60 + 30 * 86_400 })),
  },
  QJ108: {
    why: 'a ";" in the user ID forges a second key in "UserDirectory=ACME; UserId=anna; UserId=admin"',
    trigger: () => qseow(qseowClaims({ userId: 'anna; UserId=admin' })),
    near: () => qseow(qseowClaims({ userId: 'anna b.c@d-e_f\\g' })),
    more: () => [
      qseow(qseowClaims({ userDirectory: 'AC=ME' })),
      qseow(qseowClaims({ userId: 'anna\n' })),
      qseow(qseowClaims({ userId: 'an\u0000na' })),
      qseow(qseowClaims({ userId: 'an\u0085na' })),
      qseow(qseowClaims({ userId: ' anna' })),
      qseow(qseowClaims({ userDirectory: 'ACME ' })),
      lintAt(sign(RS256, qseowClaims({ uid: 'a=b' })), 'qseow', { userIdAttribute: 'uid' }),
    ],
  },
  QJ201: {
    why: 'no jti',
    trigger: () => cloud(without(cloudClaims(), 'jti')),
    near: () => cloud(cloudClaims()),
    more: () => [cloud(without(cloudClaims(), 'nbf')), cloud(without(cloudClaims(), 'email_verified'))],
  },
  QJ202: {
    why: 'no kid in the header',
    trigger: () => cloud(cloudClaims(), RS256),
    near: () => cloud(cloudClaims(), CLOUD_HEADER),
  },
  QJ203: {
    why: 'aud with a trailing slash',
    trigger: () => cloud(cloudClaims({ aud: `${CLOUD_AUDIENCE}/` })),
    near: () => cloud(cloudClaims({ aud: CLOUD_AUDIENCE })),
    more: () => [cloud(without(cloudClaims(), 'aud')), cloud(cloudClaims({ aud: [CLOUD_AUDIENCE] }))],
  },
  QJ204: {
    why: 'email_verified as the string "true"',
    trigger: () => cloud(cloudClaims({ email_verified: 'true' })),
    near: () => cloud(cloudClaims({ email_verified: false })),
  },
  QJ205: {
    why: 'subType "service"',
    trigger: () => cloud(cloudClaims({ subType: 'service' })),
    near: () => cloud(cloudClaims({ subType: 'user' })),
  },
  QJ206: {
    why: 'groups as a comma-separated string',
    trigger: () => cloud(cloudClaims({ groups: 'Sales,Finance' })),
    near: () => cloud(cloudClaims({ groups: ['Sales', 'Finance'] })),
    more: () => [cloud(cloudClaims({ groups: ['Sales', 1] }))],
  },
  QJ207: {
    why: '"group" without "groups"',
    trigger: () => cloud(without(cloudClaims({ group: ['Sales'] }), 'groups')),
    near: () => cloud(cloudClaims({ group: ['Sales'], groups: ['Sales'] })),
  },
  QJ208: {
    why: 'exp − nbf = 3601 s',
    trigger: () => cloud(cloudClaims({ nbf: AT - 60, exp: AT - 60 + 3601 })),
    near: () => cloud(cloudClaims({ nbf: AT - 60, exp: AT - 60 + 3600 })),
  },
  QJ209: {
    why: 'iss differs from the IdP issuer',
    trigger: () =>
      cloud(cloudClaims({ iss: 'https://idp.acme.com/' }), CLOUD_HEADER, { issuer: 'https://idp.acme.com' }),
    near: () => cloud(cloudClaims({ iss: 'https://idp.acme.com' }), CLOUD_HEADER, { issuer: 'https://idp.acme.com' }),
  },
  QJ210: {
    why: 'kid differs from the IdP key ID',
    trigger: () => cloud(cloudClaims(), { ...CLOUD_HEADER, kid: 'k2' }, { keyId: 'k1' }),
    near: () => cloud(cloudClaims(), { ...CLOUD_HEADER, kid: 'k1' }, { keyId: 'k1' }),
  },
  QJ211: {
    why: 'RS512 on Qlik Cloud',
    trigger: () => verifyAt(sign({ ...CLOUD_HEADER, alg: 'RS512' }, cloudClaims(), key, 'RS512'), 'cloud'),
    near: () => cloud(cloudClaims()),
  },
  QJ212: {
    why: 'name is an empty string',
    trigger: () => cloud(cloudClaims({ name: ' ' })),
    near: () => cloud(cloudClaims({ name: 'A' })),
    more: () => [
      cloud(cloudClaims({ sub: 42 })),
      cloud(cloudClaims({ email: '' })),
      cloud(cloudClaims({ jti: 7 })),
      cloud(cloudClaims({ iss: {} })),
    ],
  },
};

function jwks(): VerificationKey[] {
  return [
    { key: publicKey, kid: 'a' },
    { key: otherPublicKey, kid: 'b' },
  ];
}

const codes = (result: InspectionResult): string[] => result.findings.map((item) => item.code);
// Every assert.ok carries a message: without one, node's assert re-parses the (tsx-transformed, one-line)
// source to describe the failed expression, which can take minutes.
function assertCode(result: InspectionResult, code: RuleCode): void {
  assert.ok(codes(result).includes(code), `expected ${code}, got: ${codes(result).join(', ')}`);
}

function assertNoCode(result: InspectionResult, code: RuleCode): void {
  assert.ok(!codes(result).includes(code), `expected no ${code}, got: ${codes(result).join(', ')}`);
}

const errorCodes = (result: InspectionResult): string[] =>
  result.findings.filter((item) => item.severity === 'error').map((item) => item.code);

/** Every result any test below produced, to check the meaning of `accepted` across all of them. */
const seen: InspectionResult[] = [];

for (const code of Object.keys(RULES) as RuleCode[]) {
  const rule = RULES[code];
  test(`${code} (${rule.severity}) ${rule.title}`, () => {
    const entry = (CASES as Partial<Record<string, RuleCase>>)[code];
    assert.ok(entry, `${code} is in RULES but has no trigger/near case in test/lint-rules.test.ts`);
    const triggered = entry.trigger();
    const near = entry.near();
    seen.push(triggered, near);
    const hits = triggered.findings.filter((item) => item.code === code);
    assert.ok(hits.length > 0, `${code} not reported for: ${entry.why}; got ${codes(triggered).join(', ')}`);
    for (const hit of hits) {
      assert.equal(hit.severity, rule.severity, `${code} severity`);
      assert.equal(hit.fix, rule.fix, `${code} fix`);
      assert.ok(hit.message.startsWith(rule.title), `${code} message starts with the rule title: ${hit.message}`);
    }
    assert.ok(
      !codes(near).includes(code),
      `${code} reported for the near miss of "${entry.why}": ${codes(near).join(', ')}`,
    );
    if (rule.severity === 'error')
      assert.equal(triggered.accepted, false, `${code} is an error, so the token is not accepted`);
    for (const [index, other] of (entry.more?.() ?? []).entries()) {
      seen.push(other);
      assert.ok(
        other.findings.some((item) => item.code === code && item.severity === rule.severity),
        `${code} not reported for variant ${index + 1} of "${entry.why}"; got ${codes(other).join(', ')}`,
      );
    }
  });
}

test('the case table has no codes that are not rules', () => {
  assert.deepEqual(Object.keys(CASES).sort(), Object.keys(RULES).sort());
});

test('every near miss in the table that has a valid signature and no other error is accepted', () => {
  // The near misses are meant to be clean tokens; a stray error here would make the "near" half vacuous.
  const cleanNear: RuleCode[] = [
    'QJ010',
    'QJ011',
    'QJ012',
    'QJ013',
    'QJ014',
    'QJ015',
    'QJ020',
    'QJ030',
    'QJ031',
    'QJ032',
    'QJ034',
    'QJ006',
    'QJ101',
    'QJ102',
    'QJ103',
    'QJ104',
    'QJ105',
    'QJ106',
    'QJ107',
    'QJ108',
    'QJ201',
    'QJ202',
    'QJ203',
    'QJ204',
    'QJ205',
    'QJ206',
    'QJ207',
    'QJ208',
    'QJ209',
    'QJ210',
    'QJ211',
    'QJ212',
  ];
  for (const code of cleanNear) {
    const near = CASES[code].near();
    assert.equal(
      near.accepted,
      true,
      `${code} near miss: ${near.findings.map((item) => `${item.code} ${item.message}`).join('; ')}`,
    );
    assert.equal(near.signatureValid, true, code);
  }
});

test('verifyToken reports all findings at once: a Qlik Cloud token with three problems gives three errors', () => {
  const result = cloud(cloudClaims({ aud: 'https://tenant.qlikcloud.com', email_verified: 'yes' }), RS256);
  assert.deepEqual(errorCodes(result).sort(), ['QJ202', 'QJ203', 'QJ204']);
  assert.equal(result.signatureValid, true);
  assertCode(result, 'QJ021');
  assert.equal(result.accepted, false);
  // The lint path reports the same three, and says the signature was not checked.
  const linted = lintAt(
    sign(RS256, cloudClaims({ aud: 'https://tenant.qlikcloud.com', email_verified: 'yes' })),
    'cloud',
  );
  assert.deepEqual(errorCodes(linted).sort(), ['QJ202', 'QJ203', 'QJ204']);
  assertCode(linted, 'QJ022');
});

test('each missing Qlik Cloud claim is its own QJ201 finding naming the claim', () => {
  const result = cloud({ aud: CLOUD_AUDIENCE, sub: 'anna' });
  const missing = result.findings.filter((item) => item.code === 'QJ201').map((item) => item.message);
  for (const claim of ['jti', 'iat', 'nbf', 'exp', 'subType', 'name', 'email', 'email_verified', 'iss']) {
    assert.ok(
      missing.some((message) => message.includes(`"${claim}"`)),
      `no QJ201 for ${claim}: ${missing.join(' | ')}`,
    );
  }
  assert.equal(missing.length, 9);
});

test('an expired token with a valid signature reports both QJ021 and QJ030 and is not accepted', () => {
  const result = plain(qseowClaims({ iat: AT - 7200, nbf: AT - 7200, exp: AT - 3600 }));
  assert.equal(result.signatureValid, true);
  assertCode(result, 'QJ021');
  assertCode(result, 'QJ030');
  assert.deepEqual(errorCodes(result), ['QJ030']);
  assert.equal(result.accepted, false);
  assert.equal(result.payload?.['exp'], AT - 3600, 'the payload is still returned for display');
});

test('alg "none" is never accepted, whatever its spelling, signature or platform', () => {
  for (const alg of ['none', 'None', 'NONE']) {
    const unsigned = `${b64({ alg, typ: 'JWT' })}.${b64(qseowClaims())}`;
    // Empty signature, a junk signature, and the signature of a genuine RS256 token over other bytes.
    const genuineSignature = sign(RS256, qseowClaims()).split('.')[2] ?? '';
    for (const token of [`${unsigned}.`, `${unsigned}.c2ln`, `${unsigned}.${genuineSignature}`]) {
      for (const platform of ['none', 'qseow', 'cloud'] as const) {
        const result = verifyAt(token, platform);
        assert.equal(result.accepted, false, `${alg} ${platform}`);
        assert.notEqual(result.signatureValid, true, `${alg} ${platform}`);
        assert.ok(codes(result).includes('QJ010'), `${alg}: ${codes(result).join(', ')}`);
      }
    }
  }
});

test('HS256/384/512 tokens MACed with the RSA public key as secret (key confusion) are never accepted', async () => {
  const spki = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const secrets: (string | Buffer)[] = [
    spki,
    spki.trimEnd(),
    pkcs1,
    der,
    JSON.stringify(publicKey.export({ format: 'jwk' })),
  ];
  for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
    for (const secret of secrets) {
      const token = hmacToken(alg, qseowClaims(), secret);
      // The forged token is genuine for a verifier that trusts the header's alg: jose accepts it as HMAC.
      await compactVerify(token, typeof secret === 'string' ? Buffer.from(secret) : new Uint8Array(secret), {
        algorithms: [alg],
      });
      for (const keys of [publicKey, [{ key: publicKey, kid: undefined }]]) {
        for (const platform of ['none', 'qseow', 'cloud'] as const) {
          const result = verifyToken(token, { keys, at: AT, platform });
          assert.equal(result.accepted, false, `${alg} ${platform}`);
          assert.notEqual(result.signatureValid, true, `${alg} ${platform}`);
          assert.ok(codes(result).includes('QJ011'), `${alg}: ${codes(result).join(', ')}`);
          assert.ok(!codes(result).includes('QJ021'), `${alg}: no "signature valid" for an HMAC`);
        }
      }
    }
  }
});

test('accepted is true exactly when the signature is valid and there is no error finding (verify); no error (lint)', () => {
  const extra: InspectionResult[] = [
    plain(qseowClaims()),
    plain(without(qseowClaims(), 'exp')), // warning only: accepted
    verifyAt(sign(RS256, qseowClaims(), otherKey), 'none'), // no error from claims, but signature invalid
    verifyAt(sign(RS256, without(qseowClaims(), 'exp'), otherKey), 'none'),
    verifyAt(sign({ alg: 'RS384' }, qseowClaims()), 'none'), // header RS384, signed with RS256
  ];
  seen.push(...extra);
  assert.ok(seen.length > 70, 'the rule table ran first');
  for (const result of seen) {
    const describe = result.findings.map((item) => item.code).join(', ');
    if (linted.has(result)) {
      assert.equal(result.signatureValid, undefined, describe);
      assert.equal(result.accepted, !hasErrors(result.findings), describe);
    } else {
      assert.equal(result.accepted, result.signatureValid === true && !hasErrors(result.findings), describe);
    }
    if (!result.accepted) assert.ok(hasErrors(result.findings), `rejected without an error finding: ${describe}`);
  }
  assert.equal(extra[0]?.accepted, true);
  assert.equal(extra[1]?.accepted, true, 'a warning alone does not reject');
  assert.deepEqual(
    extra.slice(2).map((result) => result.accepted),
    [false, false, false],
  );
  assert.deepEqual(
    extra.slice(2).map((result) => result.signatureValid),
    [false, false, false],
  );
});

test('exp boundary: at = exp − 1 accepted, at = exp rejected; with clockTolerance 30, exp + 29 accepted, exp + 30 rejected', () => {
  const exp = AT + 1000;
  const token = sign(RS256, qseowClaims({ iat: exp - 600, nbf: exp - 600, exp }));
  const at = (time: number, clockTolerance?: number): InspectionResult =>
    verifyToken(token, { keys: publicKey, at: time, clockTolerance, platform: 'qseow' });
  assert.equal(at(exp - 1).accepted, true);
  assertCode(at(exp), 'QJ030');
  assert.equal(at(exp).accepted, false);
  assert.equal(at(exp + 29, 30).accepted, true);
  assert.equal(at(exp + 30, 30).accepted, false);
  assertCode(at(exp + 30, 30), 'QJ030');
  assert.equal(at(exp - 1, 0).accepted, true, 'tolerance 0 is the default');
  assert.equal(at(exp, 0).accepted, false);
  // The lint path moves the same boundary.
  assert.equal(lintToken(token, 'qseow', { at: exp + 29, clockTolerance: 30 }).accepted, true);
  assert.equal(lintToken(token, 'qseow', { at: exp + 30, clockTolerance: 30 }).accepted, false);
});

test('nbf and iat boundaries: at = nbf accepted, nbf − 1 rejected; clockTolerance 30 allows nbf − 30 but not nbf − 31', () => {
  const nbf = AT + 1000;
  const token = sign(RS256, qseowClaims({ iat: nbf, nbf, exp: nbf + 600 }));
  const at = (time: number, clockTolerance?: number): InspectionResult =>
    verifyToken(token, { keys: publicKey, at: time, clockTolerance, platform: 'qseow' });
  assert.equal(at(nbf).accepted, true);
  assert.deepEqual(errorCodes(at(nbf - 1)), ['QJ031']);
  assert.ok(codes(at(nbf - 1)).includes('QJ032'), 'iat in the future is a warning alongside');
  assert.equal(at(nbf - 30, 30).accepted, true);
  assertNoCode(at(nbf - 30, 30), 'QJ032');
  assert.deepEqual(errorCodes(at(nbf - 31, 30)), ['QJ031']);
});

test('`at` evaluates old tokens as of their time: a 2011 token is accepted at 2011 and rejected now', () => {
  const exp = 1_300_819_380;
  const token = sign(RS256, { iss: 'joe', exp, userId: 'joe', userDirectory: 'EXAMPLE' });
  const then = verifyToken(token, { keys: publicKey, at: exp - 10, platform: 'qseow' });
  assert.equal(then.accepted, true, then.findings.map((item) => item.code).join(', '));
  const now = verifyToken(token, { keys: publicKey, platform: 'qseow' });
  assert.equal(now.accepted, false);
  assertCode(now, 'QJ030');
  assertCode(now, 'QJ021');
});

test('milliseconds in a time claim are QJ034, not a token valid for 50 000 years', () => {
  const result = plain(qseowClaims({ exp: (AT + 3600) * 1000 }));
  assertCode(result, 'QJ034');
  assert.equal(result.accepted, false);
});

test('a JWKS: the key named by kid verifies; a single key without kid is used for a token without kid', () => {
  assert.equal(
    verifyAt(sign({ ...RS256, kid: 'b' }, qseowClaims(), otherKey), 'qseow', { keys: jwks() }).accepted,
    true,
  );
  assert.equal(
    verifyAt(sign({ ...RS256, kid: 'a' }, qseowClaims(), otherKey), 'qseow', { keys: jwks() }).signatureValid,
    false,
    'kid "a" selects key a, which did not sign it: no fallback to the other key',
  );
  assert.equal(verifyAt(sign(RS256, qseowClaims()), 'qseow', { keys: [{ key: publicKey }] }).accepted, true);
  const noKid = verifyAt(sign(RS256, qseowClaims()), 'qseow', { keys: jwks() });
  assert.ok(codes(noKid).includes('QJ015'), 'two keys and no kid: which one is ambiguous');
  assert.equal(noKid.accepted, false);
});

test('QJ013 and QJ014 come from the verify path instead of an exception, and no signature is claimed', () => {
  const small = verifyAt(sign(RS256, qseowClaims(), smallKey), 'qseow', { keys: smallPublicKey });
  assert.equal(small.signatureValid, undefined);
  assert.equal(small.accepted, false);
  assert.match(small.findings.find((item) => item.code === 'QJ013')?.message ?? '', /1024 bits/);
  const ec = verifyAt(sign(RS256, qseowClaims()), 'qseow', { keys: [{ key: ecPublicKey, kid: 'e' }] });
  assert.equal(ec.signatureValid, undefined);
  assertCode(ec, 'QJ014');
});
