/**
 * Property-based fuzzing of the token inspection core: decodeToken, lintToken (all three platforms) and
 * verifyToken get well over 100 000 generated inputs: random strings, random base64url triples, genuine
 * tokens with random mutations, and JSON payloads with random claim values (some properly signed).
 *
 * For every input and every call: no exception; each call returns within CALL_BUDGET_MS (no hang on
 * hostile input); every finding's code is in RULES with the table's severity and fix; a result that is not
 * accepted carries at least one error finding; verify accepts only with signatureValid === true and no
 * error finding; lint never claims a signature. Signing is the costly part, so a pool of tokens is
 * signed once and mutated.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { signCompactBytes } from '../src/core/jose/compact-jws.js';
import { RSA_ALGORITHMS, type RsaAlgorithm } from '../src/core/jose/algorithms.js';
import { PLATFORMS, type Platform } from '../src/core/lint/claim-rules.js';
import { decodeToken, MAX_TOKEN_LENGTH, normalizeTokenText } from '../src/core/lint/decode-token.js';
import { RULES, hasErrors, type Finding } from '../src/core/lint/rules.js';
import { lintToken, verifyToken, type InspectionResult, type VerificationKey } from '../src/core/lint/verify-token.js';

const AT = 1_800_000_000;
const CALL_BUDGET_MS = 50;
/** A generous ceiling for the whole file; it normally takes a fraction of this. */
const SUITE_BUDGET_MS = 90_000;
const CLOUD_AUDIENCE = 'qlik.api/login/jwt-session';
const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

let key: KeyObject;
let publicKey: KeyObject;
let otherKey: KeyObject;
let keySets: (KeyObject | VerificationKey[])[];
let suiteStart = 0;
let inputs = 0;
let calls = 0;
let slowest = 0;

before(() => {
  suiteStart = performance.now();
  ({ privateKey: key, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  otherKey = other.privateKey;
  keySets = [
    publicKey,
    [
      { key: publicKey, kid: 'k1' },
      { key: other.publicKey, kid: 'k2' },
    ],
    [{ key: publicKey }],
  ];
  // Warm up (module initialisation, JIT) before any call is timed.
  const warm = signCompactBytes(Buffer.from('{"alg":"RS256"}'), Buffer.from('{"userId":"a","exp":1}'), key, 'RS256');
  for (const platform of PLATFORMS) {
    for (let round = 0; round < 20; round += 1) {
      decodeToken(warm);
      lintToken(warm, platform, { at: AT });
      verifyToken(warm, { keys: publicKey, at: AT, platform });
    }
  }
});

after(() => {
  console.log(
    `fuzz: ${inputs} inputs, ${calls} calls, slowest call ${slowest.toFixed(2)} ms, ${((performance.now() - suiteStart) / 1000).toFixed(1)} s`,
  );
});

/**
 * Runs fn within the per-call budget. A slow call is timed twice more and fails only when every run is
 * slow: a hang (e.g. catastrophic backtracking) is slow each time, a GC pause or a busy machine is not.
 */
function timed<T>(label: string, input: string, fn: () => T): T {
  calls += 1;
  const start = performance.now();
  const value = fn();
  const elapsed = performance.now() - start;
  slowest = Math.max(slowest, elapsed);
  if (elapsed >= CALL_BUDGET_MS) {
    const retries = [0, 1].map(() => {
      const again = performance.now();
      fn();
      return performance.now() - again;
    });
    const best = Math.min(...retries);
    assert.ok(
      best < CALL_BUDGET_MS,
      `${label} took ${elapsed.toFixed(1)} ms, then at best ${best.toFixed(1)} ms, on ${JSON.stringify(input.slice(0, 120))}`,
    );
  }
  return value;
}

function checkFindings(findings: readonly Finding[], where: string): void {
  for (const item of findings) {
    const rule = (RULES as Record<string, { severity: string; fix: string; title: string } | undefined>)[item.code];
    assert.ok(rule, `${where}: unknown code ${item.code}`);
    assert.equal(item.severity, rule.severity, `${where}: ${item.code} severity`);
    assert.equal(item.fix, rule.fix, `${where}: ${item.code} fix`);
    assert.equal(typeof item.message, 'string');
    assert.ok(item.message.startsWith(rule.title), `${where}: ${item.code} message`);
  }
}

function checkResult(result: InspectionResult, verified: boolean, where: string): void {
  checkFindings(result.findings, where);
  const errors = hasErrors(result.findings);
  if (!result.accepted)
    assert.ok(
      errors,
      `${where}: not accepted, yet no error finding: ${result.findings.map((item) => item.code).join(', ')}`,
    );
  if (verified) {
    if (result.accepted) assert.equal(result.signatureValid, true, `${where}: accepted without a valid signature`);
    assert.equal(
      result.accepted,
      result.signatureValid === true && !errors,
      `${where}: accepted must mean valid signature and no error`,
    );
    assert.ok(
      result.findings.filter((item) => item.code === 'QJ020' || item.code === 'QJ021').length <= 1,
      `${where}: one signature verdict`,
    );
  } else {
    assert.equal(result.signatureValid, undefined, `${where}: lint does not check signatures`);
    assert.equal(result.accepted, !errors, `${where}`);
  }
}

/** Every entry point on one input; returns the verify result. */
function exercise(input: string): InspectionResult {
  inputs += 1;
  const decoded = timed('decodeToken', input, () => decodeToken(input));
  checkFindings(decoded.findings, 'decodeToken');
  if (decoded.findings.length === 0)
    assert.ok(decoded.header && decoded.payload, 'no finding means header and payload decoded');
  for (const platform of PLATFORMS) {
    checkResult(
      timed(`lintToken ${platform}`, input, () => lintToken(input, platform, { at: AT })),
      false,
      `lintToken ${platform}`,
    );
  }
  const platform = PLATFORMS[inputs % PLATFORMS.length] as Platform;
  const keys = keySets[inputs % keySets.length] as KeyObject | VerificationKey[];
  // The library refuses settings a platform does not check, so the Qlik Cloud ones go with cloud only.
  const idp = platform === 'cloud' ? { issuer: 'https://idp.acme.com', keyId: 'k1' } : {};
  const result = timed(`verifyToken ${platform}`, input, () => verifyToken(input, { keys, at: AT, platform, ...idp }));
  checkResult(result, true, `verifyToken ${platform}`);
  return result;
}

const b64 = (value: string | Uint8Array): string => Buffer.from(value).toString('base64url');
const B64URL_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
const NOISE_CHARS = [
  ...B64URL_CHARS,
  '.',
  '.',
  '=',
  '+',
  '/',
  ' ',
  '\n',
  '\t',
  '"',
  "'",
  '\u0000',
  'é',
  '\u{1F600}',
  '\uFFFD',
];
const base64urlString = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...B64URL_CHARS), maxLength });

// ---- a pool of genuine tokens, signed once ---------------------------------------------------------

interface PoolToken {
  token: string;
  signingInput: string;
  signature: Buffer;
}

function sign(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  alg: RsaAlgorithm,
  signingKey: KeyObject = key,
): string {
  return signCompactBytes(Buffer.from(JSON.stringify(header)), Buffer.from(JSON.stringify(payload)), signingKey, alg);
}

function buildPool(): PoolToken[] {
  const tokens: string[] = [];
  for (let index = 0; index < 24; index += 1) {
    const alg = RSA_ALGORITHMS[index % 3] as RsaAlgorithm;
    const times = { iat: AT - 60 - index, nbf: AT - 60 - index, exp: AT + 240 + index };
    tokens.push(
      sign(
        { alg, typ: 'JWT', kid: 'k1' },
        {
          iss: 'https://idp.acme.com',
          sub: `user-${index}`,
          subType: 'user',
          name: `User ${index}`,
          email: `u${index}@acme.com`,
          email_verified: index % 2 === 0,
          aud: CLOUD_AUDIENCE,
          groups: ['Sales', `G${index}`],
          jti: `jti-${index}`,
          ...times,
        },
        alg,
      ),
    );
    tokens.push(
      sign(
        { alg, typ: 'JWT' },
        { userId: `user-${index}`, userDirectory: 'ACME', groups: ['Sales'], jti: `q-${index}`, ...times },
        alg,
      ),
    );
    // Some that are already wrong in one way, so mutations also start from rejected tokens.
    tokens.push(sign({ alg, kid: 'k2' }, { userId: 'x', exp: AT - index }, alg, index % 2 === 0 ? key : otherKey));
  }
  return tokens.map((token) => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    return { token, signingInput: `${header}.${payload}`, signature: Buffer.from(signature, 'base64url') };
  });
}

type Mutation =
  | { kind: 'replace' | 'insert'; at: number; char: string }
  | { kind: 'delete' | 'truncate' | 'dot'; at: number }
  | { kind: 'byte'; part: number; at: number; value: number }
  | { kind: 'wrap'; prefix: string; suffix: string }
  | { kind: 'swap'; first: number; second: number }
  | { kind: 'duplicate'; part: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('replace' as const, 'insert' as const),
    at: fc.nat(),
    char: fc.constantFrom(...NOISE_CHARS),
  }),
  fc.record({ kind: fc.constantFrom('delete' as const, 'truncate' as const, 'dot' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('byte' as const), part: fc.nat(2), at: fc.nat(), value: fc.nat(255) }),
  fc.record({
    kind: fc.constant('wrap' as const),
    prefix: fc.constantFrom('', ' ', '\n', 'Bearer ', 'bearer\t', 'Authorization: Bearer ', '"', "'", 'Basic '),
    suffix: fc.constantFrom('', ' ', '\r\n', '"', "'", '.', '..'),
  }),
  fc.record({ kind: fc.constant('swap' as const), first: fc.nat(2), second: fc.nat(2) }),
  fc.record({ kind: fc.constant('duplicate' as const), part: fc.nat(2) }),
);

function mutate(token: string, change: Mutation): string {
  const at = (position: number, length: number): number => (length === 0 ? 0 : position % (length + 1));
  switch (change.kind) {
    case 'replace': {
      const index = at(change.at, token.length - 1);
      return token.slice(0, index) + change.char + token.slice(index + 1);
    }
    case 'insert': {
      const index = at(change.at, token.length);
      return token.slice(0, index) + change.char + token.slice(index);
    }
    case 'delete': {
      const index = at(change.at, token.length - 1);
      return token.slice(0, index) + token.slice(index + 1);
    }
    case 'truncate':
      return token.slice(0, at(change.at, token.length));
    case 'dot': {
      const index = at(change.at, token.length);
      return `${token.slice(0, index)}.${token.slice(index)}`;
    }
    case 'byte': {
      const parts = token.split('.');
      const part = parts[change.part % parts.length] ?? '';
      const bytes = Buffer.from(part, 'base64url');
      if (bytes.length === 0) return token;
      bytes[change.at % bytes.length] = change.value;
      parts[change.part % parts.length] = bytes.toString('base64url');
      return parts.join('.');
    }
    case 'wrap':
      return `${change.prefix}${token}${change.suffix}`;
    case 'swap': {
      const parts = token.split('.');
      const first = change.first % parts.length;
      const second = change.second % parts.length;
      [parts[first], parts[second]] = [parts[second] as string, parts[first] as string];
      return parts.join('.');
    }
    case 'duplicate': {
      const parts = token.split('.');
      parts.splice(change.part % parts.length, 0, parts[change.part % parts.length] as string);
      return parts.join('.');
    }
  }
}

// ---- claim values --------------------------------------------------------------------------------

/** Time claims: plausible Unix times, boundaries, milliseconds, wrong types. Numbers stay within ±8.64e12 (see the todo test). */
const timeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: AT - 100_000, max: AT + 100_000 }),
  fc.constantFrom(AT, AT - 1, AT + 1, 0, -1, 1e11, 1e11 + 1, AT * 1000, 8.64e12, -8.64e12),
  fc.double({ min: -8.64e12, max: 1e300, noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(null, true, false, [], {}, String(AT), '1800000000'),
);

const qlikClaimValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    '',
    ' ',
    'user',
    'true',
    true,
    false,
    CLOUD_AUDIENCE,
    'https://idp.acme.com',
    ['Sales'],
    [1, 2],
    null,
  ),
);

const otherClaims = fc.dictionary(
  fc.string({ maxLength: 10 }).filter((name) => !(TIME_CLAIMS as readonly string[]).includes(name)),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 5 },
);

const QLIK_CLAIMS = [
  'iss',
  'sub',
  'subType',
  'name',
  'email',
  'email_verified',
  'aud',
  'jti',
  'groups',
  'group',
  'userId',
  'userDirectory',
] as const;

/** A payload object: random extra claims, then each Qlik claim present with a random value or absent. */
const payloadObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    otherClaims,
    fc.record(Object.fromEntries(QLIK_CLAIMS.map((name) => [name, qlikClaimValue])), { requiredKeys: [] }),
    fc.record(Object.fromEntries(TIME_CLAIMS.map((name) => [name, timeValue])), { requiredKeys: [] }),
  )
  .map(([other, qlik, times]) => ({ ...other, ...qlik, ...times }));

const headerObject: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    alg: fc.oneof(
      fc.constantFrom<unknown>('RS256', 'RS384', 'RS512', 'rs256', 'none', 'NONE', 'HS256', 'ES256', 'PS256', ''),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    typ: fc.constantFrom<unknown>('JWT', 'jwt', 1),
    kid: fc.oneof(fc.constantFrom<unknown>('k1', 'k2', 'k3', ''), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
);

// ---- the properties ------------------------------------------------------------------------------

test('random strings (any characters, token-like alphabets, dots and whitespace)', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: fc.constantFrom(...NOISE_CHARS), maxLength: 400 }),
        fc.string({ unit: 'grapheme', maxLength: 100 }),
      ),
      (text) => {
        exercise(text);
      },
    ),
    { numRuns: 36_000 },
  );
});

test('random base64url triples, and triples of base64url-encoded JSON', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        { weight: 3, arbitrary: fc.tuple(base64urlString(80), base64urlString(200), base64urlString(400)) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.uint8Array({ maxLength: 300 }))
            .map(
              ([header, payload, signature]) =>
                [b64(JSON.stringify(header) ?? ''), b64(JSON.stringify(payload) ?? ''), b64(signature)] as const,
            ),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(headerObject, payloadObject, fc.uint8Array({ minLength: 256, maxLength: 256 }))
            .map(
              ([header, payload, signature]) =>
                [b64(JSON.stringify(header)), b64(JSON.stringify(payload)), b64(signature)] as const,
            ),
        },
      ),
      ([header, payload, signature]) => {
        const result = exercise(`${header}.${payload}.${signature}`);
        assert.notEqual(result.accepted, true, 'a random signature is never valid');
      },
    ),
    { numRuns: 20_000 },
  );
});

test('genuine tokens with random byte mutations, truncations, dot insertions and wrappers: no forgery', () => {
  const pool = buildPool();
  for (const entry of pool.slice(0, 2))
    assert.equal(verifyToken(entry.token, { keys: publicKey, at: AT }).accepted, true, 'pool tokens start out valid');
  let accepted = 0;
  let changed = 0;
  fc.assert(
    fc.property(fc.nat(pool.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, changes) => {
      const original = pool[index] as PoolToken;
      const mutated = changes.reduce(mutate, original.token);
      const result = exercise(mutated);
      if (mutated !== original.token) changed += 1;
      if (!result.accepted) return;
      accepted += 1;
      // Whatever was changed, an accepted token is the signed one: the same signing input and signature bytes.
      const [header, payload, signature] = normalizeTokenText(mutated).split('.') as [string, string, string];
      assert.equal(
        `${header}.${payload}`,
        original.signingInput,
        `accepted a changed signing input: ${JSON.stringify(mutated)}`,
      );
      assert.ok(
        Buffer.from(signature, 'base64url').equals(original.signature),
        `accepted a changed signature: ${JSON.stringify(mutated)}`,
      );
    }),
    { numRuns: 40_000 },
  );
  assert.ok(changed > 30_000, 'mutations change the token');
  assert.ok(
    accepted > 0,
    'some harmless changes (wrappers, whitespace) keep a token valid, so the no-forgery check ran',
  );
});

test('random claim values (fc.jsonValue / fc.object) in unsigned tokens: lint and verify on every platform', () => {
  fc.assert(
    fc.property(headerObject, payloadObject, fc.uint8Array({ maxLength: 64 }), (header, payload, signature) => {
      exercise(`${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}.${b64(signature) || 'AA'}`);
    }),
    { numRuns: 6_000 },
  );
});

test('random claim values in properly signed tokens: the signature is valid and acceptance follows the findings alone', () => {
  const signedHeader = fc.record({
    alg: fc.constantFrom(...RSA_ALGORITHMS),
    kid: fc.constantFrom(undefined, 'k1', 'k2'),
    typ: fc.constantFrom(undefined, 'JWT'),
  });
  fc.assert(
    fc.property(signedHeader, payloadObject, (header, payload) => {
      const token = sign(JSON.parse(JSON.stringify(header)) as Record<string, unknown>, payload, header.alg);
      for (const platform of PLATFORMS) {
        const result = timed('verifyToken', token, () => verifyToken(token, { keys: publicKey, at: AT, platform }));
        checkResult(result, true, `signed ${platform}`);
        assert.equal(result.signatureValid, true);
        assert.equal(result.accepted, !hasErrors(result.findings));
        const linted = timed('lintToken', token, () => lintToken(token, platform, { at: AT }));
        checkResult(linted, false, `signed lint ${platform}`);
        // Lint and verify agree on every claim finding; only the signature verdict differs.
        const claimCodes = (findings: readonly Finding[]): string[] =>
          findings.map((item) => item.code).filter((code) => !['QJ020', 'QJ021', 'QJ022'].includes(code));
        assert.deepEqual(claimCodes(linted.findings), claimCodes(result.findings));
      }
      exercise(token);
    }),
    { numRuns: 1_200 },
  );
});

test('inputs around the size limit: no hang, and over the limit is QJ005 alone', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom(...NOISE_CHARS), minLength: 1, maxLength: 40 }),
      fc.integer({ min: MAX_TOKEN_LENGTH - 2000, max: MAX_TOKEN_LENGTH + 2000 }),
      (chunk, length) => {
        const text = chunk.repeat(Math.ceil(length / chunk.length)).slice(0, length);
        const result = exercise(text);
        if (text.length > MAX_TOKEN_LENGTH)
          assert.deepEqual(
            result.findings.map((item) => item.code),
            ['QJ005'],
          );
      },
    ),
    { numRuns: 400 },
  );
});

test('time claims with any JSON number (full double range) never make lint or verify throw', () => {
  fc.assert(
    fc.property(
      fc.record(
        Object.fromEntries(TIME_CLAIMS.map((name) => [name, fc.double({ noNaN: true, noDefaultInfinity: true })])),
        { requiredKeys: [] },
      ),
      (times) => {
        exercise(
          `${b64('{"alg":"RS256"}')}.${b64(JSON.stringify({ userId: 'a', userDirectory: 'b', ...times }))}.AAAA`,
        );
      },
    ),
    { numRuns: 2_000 },
  );
});

test('deeply nested claim values (within the size limit) never make lint or verify throw', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(
        'exp',
        'groups',
        'userId',
        'userDirectory',
        'sub',
        'subType',
        'email_verified',
        'name',
        'alg',
        'kid',
      ),
      fc.integer({ min: 5_000, max: 20_000 }),
      fc.constantFrom('[', '{"a":'),
      (claim, depth, open) => {
        const close = open === '[' ? ']' : '}';
        const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
        const header =
          claim === 'alg'
            ? `{"alg":${nested}}`
            : claim === 'kid'
              ? `{"alg":"RS256","kid":${nested}}`
              : '{"alg":"RS256","kid":"k1"}';
        const payload = claim === 'alg' || claim === 'kid' ? '{}' : `{"${claim}":${nested}}`;
        const token = `${b64(header)}.${b64(payload)}.AAAA`;
        exercise(token);
        // The header's kid reaches the JWKS key selection (QJ015) and the Qlik Cloud kid check (QJ210).
        verifyToken(token, { keys: keySets[1] as VerificationKey[], at: AT, platform: 'cloud', keyId: 'k1' });
      },
    ),
    { numRuns: 40 },
  );
});

test('the fuzz ran at least 100 000 inputs within the time budget', () => {
  assert.ok(inputs >= 100_000, `only ${inputs} inputs`);
  const elapsed = performance.now() - suiteStart;
  assert.ok(elapsed < SUITE_BUDGET_MS, `the fuzz took ${(elapsed / 1000).toFixed(1)} s`);
});
