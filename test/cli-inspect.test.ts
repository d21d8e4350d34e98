/**
 * `qs-jwt decode`, `verify` and `lint` as a user runs them: a separate process, real argv, exit codes,
 * stdout for the result and stderr for one-line errors. Tokens are signed in-process with the library's
 * signer (fast) and fixed claims, with times relative to the real clock where decode shows "in"/"ago".
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signCompactBytes, signJwt, type JwtPayload } from '../src/core/jose/compact-jws.js';
import { createSelfSignedCertificate } from '../src/core/keys/certificate.js';
import { temporaryFolder } from './support/fixtures.js';
import { runCli, type CliResult } from './support/run-cli.js';

const CLOUD_AUDIENCE = 'qlik.api/login/jwt-session';
const work = temporaryFolder('qs-jwt-inspect-');
const path = (name: string): string => join(work, name);

let key: KeyObject;
let otherKey: KeyObject;
let now = 0;

/** File paths of the verification keys in every shape verify takes. */
const files = {
  cert: path('publickey.cer'),
  publicPem: path('publickey.pem'),
  privatePem: path('privatekey.pem'),
  publicJwk: path('public.jwk'),
  jwks: path('jwks.json'),
  otherPublicPem: path('other-publickey.pem'),
};

before(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  key = pair.privateKey;
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  otherKey = other.privateKey;
  writeFileSync(
    files.cert,
    await createSelfSignedCertificate({
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
      commonName: 'inspect',
      days: 30,
    }),
  );
  writeFileSync(files.publicPem, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(files.privatePem, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(files.publicJwk, JSON.stringify(pair.publicKey.export({ format: 'jwk' })));
  writeFileSync(files.otherPublicPem, other.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(
    files.jwks,
    JSON.stringify({
      keys: [
        { ...createPublicKey(other.privateKey).export({ format: 'jwk' }), kid: 'a', use: 'sig', alg: 'RS256' },
        { ...pair.publicKey.export({ format: 'jwk' }), kid: 'b', use: 'sig', alg: 'RS256' },
      ],
    }),
  );
  now = Math.floor(Date.now() / 1000);
});

function qseowToken(extra: JwtPayload = {}, header: Record<string, unknown> = {}, signingKey: KeyObject = key): string {
  return signJwt(
    { alg: 'RS256', typ: 'JWT', ...header },
    { userId: 'anna', userDirectory: 'ACME', iat: now - 60, nbf: now - 60, exp: now + 3600, jti: 'q1', ...extra },
    signingKey,
  );
}

function cloudToken(extra: JwtPayload = {}): string {
  return signJwt(
    { alg: 'RS256', typ: 'JWT', kid: 'k1' },
    {
      iss: 'https://idp.acme.com',
      sub: 'anna-0001',
      subType: 'user',
      name: 'Anna Andersson',
      email: 'anna@acme.com',
      email_verified: true,
      aud: CLOUD_AUDIENCE,
      iat: now - 60,
      nbf: now - 60,
      exp: now + 240,
      jti: 'c1',
      ...extra,
    },
    key,
  );
}

const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** The failure contract: exit code, nothing on stdout, exactly one `qs-jwt: error: …` line on stderr. */
function assertOneLineError(result: CliResult, code: number): string {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '', 'nothing on stdout');
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0] ?? '', /^qs-jwt: error: /);
  return lines[0] ?? '';
}

interface JsonReport {
  accepted: boolean;
  signatureValid: boolean | null;
  header: Record<string, unknown> | null;
  payload: Record<string, unknown> | null;
  findings: { code: string; severity: string; message: string; fix: string }[];
}

function report(result: CliResult): JsonReport {
  return JSON.parse(result.stdout) as JsonReport;
}

const codesIn = (result: CliResult): string[] =>
  [...result.stdout.matchAll(/\b(QJ\d{3})\b/g)].map((match) => match[1] as string);

// Every assert.ok carries a message: without one, node's assert re-parses the (tsx-transformed, one-line)
// source to describe the failed expression, which can take minutes.
function assertCodeIn(result: CliResult, code: string, why = ''): void {
  assert.ok(
    codesIn(result).includes(code),
    `expected ${code}${why ? ` (${why})` : ''} in:\n${result.stdout}${result.stderr}`,
  );
}

function assertNoCodeIn(result: CliResult, code: string): void {
  assert.ok(!codesIn(result).includes(code), `expected no ${code} in:\n${result.stdout}`);
}

// Each test spawns its own processes; running a few tests at once keeps both cores busy.
describe('qs-jwt decode, verify and lint as subprocesses', { concurrency: 4 }, () => {
  // ---- decode --------------------------------------------------------------------------------------

  test('decode: header and payload, "Not verified", times as Unix seconds, ISO and relative ("expires in", "expired … ago")', async () => {
    const live = qseowToken({ iat: now - 600, nbf: now - 600, exp: now + 7200 + 600 });
    const expired = qseowToken({ iat: now - 3 * 86_400, nbf: now - 3 * 86_400, exp: now - 7200 - 600 });
    const [liveOut, expiredOut] = await Promise.all([runCli(['decode', live]), runCli(['decode', expired])]);
    assert.equal(liveOut.code, 0, liveOut.stderr);
    assert.match(liveOut.stdout, /^Header\n/);
    assert.match(liveOut.stdout, /alg\s+"RS256"/);
    assert.match(liveOut.stdout, /userId\s+"anna"/);
    assert.match(liveOut.stdout, /Not verified/);
    assert.match(
      liveOut.stdout,
      new RegExp(`exp\\s+${now + 7800}\\s+${isoTime(now + 7800)}\\s+\\(expires in 2 hours\\)`),
    );
    assert.match(liveOut.stdout, new RegExp(`iat\\s+${now - 600}\\s+${isoTime(now - 600)}\\s+\\(issued 10 min ago\\)`));
    assert.match(
      liveOut.stdout,
      new RegExp(`nbf\\s+${now - 600}\\s+${isoTime(now - 600)}\\s+\\(valid since 10 min ago\\)`),
    );
    assert.equal(expiredOut.code, 0, 'decode reads an expired token without complaint');
    assert.match(
      expiredOut.stdout,
      new RegExp(`exp\\s+${now - 7800}\\s+${isoTime(now - 7800)}\\s+\\(expired 2 hours ago\\)`),
    );
    assert.match(expiredOut.stdout, /Not verified/);
  });

  test('decode --format json: {verified: false, signature, header, payload, times} with unix, iso and relative per time claim', async () => {
    const token = qseowToken({ iat: now - 600, nbf: now - 600, exp: now + 7800 });
    const result = await runCli(['decode', token, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as {
      verified: unknown;
      header: unknown;
      payload: Record<string, unknown>;
      times: Record<string, { unix: number; iso: string; relative: string }>;
    };
    assert.deepEqual(Object.keys(parsed).sort(), ['header', 'payload', 'signature', 'times', 'verified']);
    assert.equal(parsed.verified, false);
    assert.equal((parsed as { signature?: unknown }).signature, 'present');
    assert.deepEqual(parsed.header, { alg: 'RS256', typ: 'JWT' });
    assert.equal(parsed.payload['userId'], 'anna');
    assert.deepEqual(parsed.times['exp'], {
      unix: now + 7800,
      iso: isoTime(now + 7800),
      relative: 'expires in 2 hours',
    });
    assert.deepEqual(parsed.times['iat'], { unix: now - 600, iso: isoTime(now - 600), relative: 'issued 10 min ago' });
    assert.equal(parsed.times['nbf']?.unix, now - 600);
  });

  test('decode takes a "Bearer " prefix and surrounding whitespace, and "-" for standard input', async () => {
    // Times well inside their relative-time units, so runs a second apart print the same "in 2 hours".
    const token = qseowToken({ iat: now - 600, nbf: now - 600, exp: now + 7800 });
    const [plain, bearer, header, stdin] = await Promise.all([
      runCli(['decode', token, '--format', 'json']),
      runCli(['decode', `  Bearer ${token} \n`, '--format', 'json']),
      runCli(['decode', `Authorization: Bearer ${token}`, '--format', 'json']),
      runCli(['decode', '-', '--format', 'json'], { stdin: `\n  Bearer ${token}\r\n` }),
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    for (const [name, result] of [
      ['bearer', bearer],
      ['authorization header', header],
      ['stdin', stdin],
    ] as const) {
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
      assert.equal(result.stdout, plain.stdout, name);
    }
  });

  test('decode refuses a five-part JWE (exit 2, the message says encrypted JWTs are not accepted), and garbage (exit 2, one line)', async () => {
    const [jwe, garbage, twoParts, emptyStdin] = await Promise.all([
      runCli(['decode', 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVydGV4dA.dGFn']),
      runCli(['decode', 'this is not a token']),
      runCli(['decode', 'eyJhbGciOiJSUzI1NiJ9.e30']),
      runCli(['decode', '-'], { stdin: '' }),
    ]);
    assert.match(assertOneLineError(jwe, 2), /encrypted JWT/i);
    assertOneLineError(garbage, 2);
    assertOneLineError(twoParts, 2);
    assertOneLineError(emptyStdin, 2);
  });

  // ---- verify --------------------------------------------------------------------------------------

  test('verify: exit 0 and ACCEPTED with the matching certificate, exit 1 and REJECTED (QJ020) with another key', async () => {
    const token = qseowToken();
    const [good, wrongKey, wrongSigner] = await Promise.all([
      runCli(['verify', token, '--cert', files.cert]),
      runCli(['verify', token, '--key', files.otherPublicPem]),
      runCli(['verify', qseowToken({}, {}, otherKey), '--cert', files.cert]),
    ]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^ACCEPTED/);
    assertCodeIn(good, 'QJ021');
    for (const result of [wrongKey, wrongSigner]) {
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /^REJECTED/);
      assertCodeIn(result, 'QJ020');
      assertNoCodeIn(result, 'QJ021');
    }
  });

  test('verify usage errors exit 2 with one line: no key, two key sources, bad --at, bad --clock-tolerance', async () => {
    const token = qseowToken();
    const [noKey, twoSources, badAt, badTolerance, negativeTolerance, missingFile] = await Promise.all([
      runCli(['verify', token]),
      runCli(['verify', token, '--cert', files.cert, '--jwks', files.jwks]),
      runCli(['verify', token, '--cert', files.cert, '--at', 'next tuesday']),
      runCli(['verify', token, '--cert', files.cert, '--clock-tolerance', 'lots']),
      runCli(['verify', token, '--cert', files.cert, '--clock-tolerance', '-30s']),
      runCli(['verify', token, '--cert', path('missing.cer')]),
    ]);
    assert.match(assertOneLineError(noKey, 2), /--cert|--key|--jwks/);
    const two = assertOneLineError(twoSources, 2);
    assert.match(two, /--cert/);
    assert.match(two, /--jwks/);
    assert.match(assertOneLineError(badAt, 2), /--at/);
    assert.match(assertOneLineError(badTolerance, 2), /--clock-tolerance/);
    assert.match(assertOneLineError(negativeTolerance, 2), /--clock-tolerance/);
    // A file that cannot be read exits 1 (README's exit codes), still with one line.
    assert.match(assertOneLineError(missingFile, 1), /missing\.cer/);
  });

  test('verify takes --cert, --key (public PEM, private PEM, public JWK) and --jwks (key chosen by kid)', async () => {
    const token = qseowToken();
    const withKidB = qseowToken({}, { kid: 'b' });
    const withKidA = qseowToken({}, { kid: 'a' });
    const withKidC = qseowToken({}, { kid: 'c' });
    const results = await Promise.all([
      runCli(['verify', token, '--cert', files.cert]),
      runCli(['verify', token, '--key', files.publicPem]),
      runCli(['verify', token, '--key', files.privatePem]),
      runCli(['verify', token, '--key', files.publicJwk]),
      runCli(['verify', withKidB, '--jwks', files.jwks]),
    ]);
    for (const [index, result] of results.entries()) {
      assert.equal(result.code, 0, `source ${index}: ${result.stderr}${result.stdout}`);
      assert.match(result.stdout, /^ACCEPTED/);
    }
    const [kidA, kidC] = await Promise.all([
      runCli(['verify', withKidA, '--jwks', files.jwks]),
      runCli(['verify', withKidC, '--jwks', files.jwks]),
    ]);
    assert.equal(kidA.code, 1, 'kid "a" selects the other key, which did not sign the token');
    assertCodeIn(kidA, 'QJ020');
    assert.equal(kidC.code, 1);
    assertCodeIn(kidC, 'QJ015');
    assert.match(kidC.stdout, /"c"/);
  });

  test('verify --format json: {accepted, signatureValid, header, payload, findings: [{code, severity, message, fix}]}', async () => {
    const [accepted, rejected] = await Promise.all([
      runCli(['verify', qseowToken(), '--cert', files.cert, '--format', 'json']),
      runCli([
        'verify',
        qseowToken({ exp: now - 10 }),
        '--cert',
        files.cert,
        '--format',
        'json',
        '--platform',
        'qseow',
      ]),
    ]);
    assert.equal(accepted.code, 0, accepted.stderr);
    const good = report(accepted);
    assert.deepEqual(Object.keys(good), [
      'accepted',
      'signatureValid',
      'header',
      'payload',
      'findings',
      'unchecked',
      'profile',
    ]);
    assert.equal(good.accepted, true);
    assert.equal(good.signatureValid, true);
    assert.deepEqual(good.header, { alg: 'RS256', typ: 'JWT' });
    assert.equal(good.payload?.['userId'], 'anna');
    assert.deepEqual(good.findings, [
      { code: 'QJ021', severity: 'info', message: 'signature valid for the given key', fix: '' },
    ]);
    assert.equal(rejected.code, 1);
    const bad = report(rejected);
    assert.equal(bad.accepted, false);
    assert.equal(bad.signatureValid, true);
    for (const item of bad.findings) assert.deepEqual(Object.keys(item), ['code', 'severity', 'message', 'fix']);
    const expiredFinding = bad.findings.find((item) => item.code === 'QJ030');
    assert.ok(expiredFinding, 'QJ030 in the JSON findings');
    assert.equal(expiredFinding.severity, 'error');
    assert.notEqual(expiredFinding.fix, '');
  });

  test('verify --profile qseow follows --userid-attr, --userdir-attr and --audience', async () => {
    const token = qseowToken({
      userId: undefined,
      userDirectory: undefined,
      uid: 'anna',
      dir: 'ACME',
      aud: 'qlik.example.com',
    });
    const flags = ['--cert', files.cert, '--platform', 'qseow'];
    const [configured, defaults, otherAudience, audienceOnly] = await Promise.all([
      runCli([
        'verify',
        token,
        ...flags,
        '--userid-attr',
        'uid',
        '--userdir-attr',
        'dir',
        '--audience',
        'qlik.example.com',
      ]),
      runCli(['verify', token, ...flags]),
      runCli([
        'verify',
        token,
        ...flags,
        '--userid-attr',
        'uid',
        '--userdir-attr',
        'dir',
        '--audience',
        'qlik.example.org',
      ]),
      runCli(['verify', qseowToken(), ...flags, '--audience', 'qlik.example.com']),
    ]);
    assert.equal(configured.code, 0, configured.stdout);
    assert.match(configured.stdout, /^ACCEPTED by QSEoW rules/);
    assert.equal(defaults.code, 1);
    assertCodeIn(defaults, 'QJ101');
    assertCodeIn(defaults, 'QJ103');
    assert.equal(otherAudience.code, 1);
    assert.deepEqual(
      codesIn(otherAudience).filter((code) => code !== 'QJ021'),
      ['QJ105'],
    );
    assert.equal(audienceOnly.code, 1, 'a proxy with a JWT audience refuses a token without aud');
    assertCodeIn(audienceOnly, 'QJ105');
  });

  test('verify --profile cloud follows --issuer and --kid', async () => {
    const token = cloudToken();
    const flags = ['--key', files.publicPem, '--platform', 'cloud'];
    const [ok, wrongIssuer, wrongKid, qseow] = await Promise.all([
      runCli(['verify', token, ...flags, '--issuer', 'https://idp.acme.com', '--kid', 'k1']),
      runCli(['verify', token, ...flags, '--issuer', 'https://idp.example.com', '--kid', 'k1']),
      runCli(['verify', token, ...flags, '--issuer', 'https://idp.acme.com', '--kid', 'k2']),
      runCli(['verify', qseowToken(), ...flags]),
    ]);
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /^ACCEPTED by Qlik Cloud rules/);
    assert.equal(wrongIssuer.code, 1);
    assertCodeIn(wrongIssuer, 'QJ209');
    assert.equal(wrongKid.code, 1);
    assertCodeIn(wrongKid, 'QJ210');
    assert.equal(qseow.code, 1);
    assertCodeIn(qseow, 'QJ201');
  });

  test('verify of an expired token with a valid signature shows both QJ021 and QJ030 (exit 1); --at and --clock-tolerance move the verdict', async () => {
    const exp = now - 3600;
    const token = qseowToken({ iat: exp - 600, nbf: exp - 600, exp });
    const [expired, atThen, toleranceInside, toleranceEdge, iso] = await Promise.all([
      runCli(['verify', token, '--cert', files.cert]),
      runCli(['verify', token, '--cert', files.cert, '--at', String(exp - 1)]),
      runCli(['verify', token, '--cert', files.cert, '--at', String(exp + 29), '--clock-tolerance', '30s']),
      runCli(['verify', token, '--cert', files.cert, '--at', String(exp + 30), '--clock-tolerance', '30s']),
      runCli(['verify', token, '--cert', files.cert, '--at', isoTime(exp - 1)]),
    ]);
    assert.equal(expired.code, 1);
    assert.match(expired.stdout, /^REJECTED/);
    assertCodeIn(expired, 'QJ021');
    assertCodeIn(expired, 'QJ030');
    assert.equal(atThen.code, 0, atThen.stdout);
    assert.equal(toleranceInside.code, 0, toleranceInside.stdout);
    assert.equal(toleranceEdge.code, 1, toleranceEdge.stdout);
    assertCodeIn(toleranceEdge, 'QJ030');
    assert.equal(iso.code, 0, `--at takes RFC 3339 too: ${iso.stderr}${iso.stdout}`);
  });

  test('verify never accepts alg "none" or an HS256 token MACed with the public key PEM', async () => {
    const payload = Buffer.from(JSON.stringify({ userId: 'anna', userDirectory: 'ACME', exp: now + 3600 })).toString(
      'base64url',
    );
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    const hsInput = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${payload}`;
    const forged = `${hsInput}.${createHmac('sha256', readFileSync(files.publicPem)).update(hsInput).digest('base64url')}`;
    const [none, hs] = await Promise.all([
      runCli(['verify', unsigned, '--key', files.publicPem, '--format', 'json']),
      runCli(['verify', forged, '--key', files.publicPem, '--format', 'json']),
    ]);
    assert.equal(none.code, 1, none.stderr);
    assert.equal(report(none).accepted, false);
    assertCodeIn(none, 'QJ010');
    assert.equal(hs.code, 1, hs.stderr);
    assert.equal(report(hs).accepted, false);
    assert.notEqual(report(hs).signatureValid, true);
    assertCodeIn(hs, 'QJ011');
  });

  // ---- lint ----------------------------------------------------------------------------------------

  test('lint needs no key: exit 0 for a clean token (claims only), exit 1 with errors', async () => {
    const [clean, broken, stdin] = await Promise.all([
      runCli(['lint', qseowToken(), '--platform', 'qseow']),
      runCli(['lint', qseowToken({ userId: '' }), '--platform', 'qseow']),
      runCli(['lint', '-', '--platform', 'qseow', '--format', 'json'], {
        stdin: `Bearer ${qseowToken({ exp: now - 5 })}\n`,
      }),
    ]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /^ACCEPTED by QSEoW rules .*signature was not checked/);
    assertCodeIn(clean, 'QJ022');
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /^REJECTED/);
    assertCodeIn(broken, 'QJ102');
    assert.equal(stdin.code, 1);
    const parsed = report(stdin);
    assert.equal(parsed.signatureValid, null);
    assertCodeIn(stdin, 'QJ030');
  });

  test('lint --profile cloud on a QSEoW token lists each missing Qlik Cloud claim', async () => {
    const result = await runCli(['lint', qseowToken(), '--platform', 'cloud']);
    assert.equal(result.code, 1);
    for (const claim of ['sub', 'subType', 'name', 'email', 'email_verified', 'iss']) {
      assert.match(result.stdout, new RegExp(`QJ201 [^\\n]*"${claim}"`), `missing ${claim} is listed`);
    }
    for (const present of ['jti', 'iat', 'nbf', 'exp'])
      assert.doesNotMatch(result.stdout, new RegExp(`QJ201 [^\\n]*"${present}"`));
    assertCodeIn(result, 'QJ202', 'no kid');
    assertCodeIn(result, 'QJ203', 'no aud');
  });

  test('lint reports a hostile time claim as a finding instead of an unexpected error', async () => {
    const token = signCompactBytes(
      Buffer.from('{"alg":"RS256"}'),
      Buffer.from('{"userId":"anna","userDirectory":"ACME","exp":-10000000000000}'),
      key,
      'RS256',
    );
    const result = await runCli(['lint', token, '--platform', 'qseow']);
    assert.doesNotMatch(result.stderr, /unexpected error/);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^REJECTED/);
  });

  test('verify and decode handle a deeply nested claim instead of failing with an unexpected error', async () => {
    const nested = `${'['.repeat(6000)}${']'.repeat(6000)}`;
    const token = `${Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url')}.${Buffer.from(`{"groups":${nested}}`).toString('base64url')}.AAAA`;
    const [verified, decoded] = await Promise.all([
      runCli(['verify', token, '--cert', files.cert, '--platform', 'cloud']),
      runCli(['decode', token]),
    ]);
    assert.doesNotMatch(verified.stderr, /unexpected error/);
    assert.equal(verified.code, 1);
    // Nesting far beyond any Qlik claim is refused as a malformed payload, before any claim is read.
    assertCodeIn(verified, 'QJ004');
    assert.match(verified.stdout, /nested deeper than 32 levels/);
    assert.doesNotMatch(decoded.stderr, /unexpected error/);
    assert.notEqual(
      decoded.code,
      1,
      'exit 1 is for I/O failures; the token is either shown (0) or refused as unusable (2)',
    );
  });

  // ---- create refuses what its own profile rejects -------------------------------------------------

  test('create cloud --audience other is refused (exit 2, mentions QJ203): Qlik Cloud would reject the token', async () => {
    const result = await runCli([
      'create',
      'cloud',
      '--key',
      files.privatePem,
      '--sub',
      'anna',
      '--name',
      'Anna',
      '--email',
      'anna@acme.com',
      '--issuer',
      'https://idp.acme.com',
      '--kid',
      'k1',
      '--audience',
      'other',
    ]);
    const line = assertOneLineError(result, 2);
    assert.match(line, /QJ203/);
    assert.match(line, /qlik\.api\/login\/jwt-session/);
  });
});
