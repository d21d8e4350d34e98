// `qs-jwt create qseow`, `qs-jwt create cloud` and `qs-jwt quickstart`, run as a subprocess. Every token is
// decoded and its signature checked with Node's crypto against the fixture's public key.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodePart, makeKeyFixtures, temporaryFolder } from './support/fixtures.js';
import { runCli, type CliResult, type CliRunOptions } from './support/run-cli.js';

const keys = makeKeyFixtures();
const publicKey = createPublicKey(readFileSync(keys.publicPem));
const TOKEN_LINE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/;
const HASHES: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };
const CLOUD_AUDIENCE = 'qlik.api/login/jwt-session';
/** 2030-01-01T00:00:00Z */
const FIXED_IAT = 1_893_456_000;

const qseow = (...extra: string[]): string[] => [
  'create',
  'qseow',
  '--key',
  keys.pkcs8,
  '--userid',
  'anna',
  '--userdir',
  'ACME',
  ...extra,
];
const cloud = (...extra: string[]): string[] => [
  'create',
  'cloud',
  '--key',
  keys.pkcs8,
  '--sub',
  'anna-0001',
  '--name',
  'Anna Andersson',
  '--email',
  'anna@acme.com',
  '--issuer',
  'https://idp.acme.com',
  '--kid',
  'key-1',
  ...extra,
];

interface Minted {
  token: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  result: CliResult;
}

function signatureValid(token: string, key: KeyObject, hash: string): boolean {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return verify(hash, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
}

/** Runs a token command that must succeed with the bare token on stdout; checks the signature. */
async function mint(args: string[], options: CliRunOptions = {}, key: KeyObject = publicKey): Promise<Minted> {
  const result = await runCli(args, options);
  assert.equal(result.code, 0, `exit ${String(result.code)}: ${result.stderr}`);
  assert.match(result.stdout, TOKEN_LINE, 'stdout is exactly one token and a line break');
  const token = result.stdout.trimEnd();
  const header = decodePart(token, 0);
  const hash = HASHES[String(header['alg'])];
  assert.ok(hash, `alg ${String(header['alg'])}`);
  assert.ok(signatureValid(token, key, hash), 'the signature verifies with the public key');
  return { token, header, payload: decodePart(token, 1), result };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function assertRandomJti(jti: unknown): void {
  assert.equal(typeof jti, 'string');
  assert.match(jti as string, /^[A-Za-z0-9_-]+$/);
  assert.ok(Buffer.from(jti as string, 'base64url').length >= 16, `jti ${String(jti)} carries at least 128 bits`);
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

describe('create qseow', { concurrency: true }, () => {
  test('prints only the token; default claims are typed and the lifetime is 1h', async () => {
    const before = nowSeconds();
    const { header, payload, result } = await mint(qseow());
    assert.equal(result.stderr, '', 'no summary or message when stderr is not a terminal');
    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT' });
    assert.deepEqual(Object.keys(payload).sort(), ['exp', 'iat', 'jti', 'nbf', 'userDirectory', 'userId']);
    assert.equal(payload['userId'], 'anna');
    assert.equal(payload['userDirectory'], 'ACME');
    const iat = payload['iat'] as number;
    assert.ok(Number.isInteger(iat) && iat >= before - 1 && iat <= nowSeconds() + 1, `iat ${iat} is now`);
    assert.equal(payload['nbf'], iat);
    assert.equal(payload['exp'], iat + 3600);
    assertRandomJti(payload['jti']);
  });

  test('every --format carries the same token: token, json, header, env', async () => {
    const fixed = qseow('--issued-at', isoSeconds(FIXED_IAT), '--jti', 'fixed-jti');
    const [token, json, header, env] = await Promise.all(
      ['token', 'json', 'header', 'env'].map((format) => runCli([...fixed, '--format', format])),
    );
    for (const result of [token, json, header, env]) assert.equal(result?.code, 0, result?.stderr);
    const bare = (token as CliResult).stdout;
    assert.match(bare, TOKEN_LINE);
    const jwt = bare.trimEnd();
    assert.equal((header as CliResult).stdout, `Authorization: Bearer ${jwt}\n`);
    assert.equal((env as CliResult).stdout, `QLIK_JWT=${jwt}\n`);
    const parsed = JSON.parse((json as CliResult).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed).sort(), ['expiresAt', 'header', 'payload', 'token']);
    assert.equal(parsed['token'], jwt);
    assert.deepEqual(parsed['header'], decodePart(jwt, 0));
    assert.deepEqual(parsed['payload'], decodePart(jwt, 1));
    assert.equal(parsed['expiresAt'], '2030-01-01T01:00:00Z');
  });

  test('groups are a JSON array from space-separated and repeated --groups; --claim values are JSON when they parse', async () => {
    const { header, payload } = await mint(
      qseow(
        '--groups',
        'Sales',
        'EMEA Managers',
        '--groups',
        'Finance',
        '--name',
        'Anna Andersson',
        '--email',
        'anna@acme.com',
        '--audience',
        'qlik.example.com',
        '--issuer',
        'my-issuer',
        '--sub',
        'anna-0001',
        '--kid',
        'key-7',
        '--claim',
        'level=3',
        '--claim',
        'department=sales',
        '--claim',
        'roles=["admin","dev"]',
        '--claim',
        'active=true',
        '--claim',
        'code="42"',
        '--claim',
        'nothing=null',
        '--claim',
        'meta={"a":1}',
        '--claim',
        'spaced=two words',
      ),
    );
    assert.deepEqual(payload['groups'], ['Sales', 'EMEA Managers', 'Finance']);
    assert.equal(payload['name'], 'Anna Andersson');
    assert.equal(payload['email'], 'anna@acme.com');
    assert.equal(payload['aud'], 'qlik.example.com');
    assert.equal(payload['iss'], 'my-issuer');
    assert.equal(payload['sub'], 'anna-0001');
    assert.equal(header['kid'], 'key-7');
    assert.equal(payload['level'], 3);
    assert.equal(payload['department'], 'sales');
    assert.deepEqual(payload['roles'], ['admin', 'dev']);
    assert.equal(payload['active'], true);
    assert.equal(payload['code'], '42');
    assert.equal(payload['nothing'], null);
    assert.deepEqual(payload['meta'], { a: 1 });
    assert.equal(payload['spaced'], 'two words');
  });

  test('--userid-attr, --userdir-attr and --groups-attr rename the claims', async () => {
    const { payload } = await mint(
      qseow('--userid-attr', 'uid', '--userdir-attr', 'directory', '--groups-attr', 'roles', '--groups', 'Sales'),
    );
    assert.equal(payload['uid'], 'anna');
    assert.equal(payload['directory'], 'ACME');
    assert.deepEqual(payload['roles'], ['Sales']);
    for (const name of ['userId', 'userDirectory', 'groups']) assert.ok(!(name in payload), `no ${name} claim`);
  });

  test('claims may be named like Object.prototype members', async () => {
    const { payload } = await mint(qseow('--claim', 'constructor=x', '--claim', 'toString=y'));
    assert.ok(Object.hasOwn(payload, 'constructor'));
    assert.equal(payload['constructor'], 'x');
    assert.equal(payload['toString'], 'y');
  });

  test('jti is random, at least 128 bits, and different on every call', async () => {
    const runs = await Promise.all([mint(qseow()), mint(qseow()), mint(qseow())]);
    const ids = runs.map((run) => run.payload['jti']);
    for (const id of ids) assertRandomJti(id);
    assert.equal(new Set(ids).size, ids.length, `distinct: ${ids.join(', ')}`);
  });

  test('--issued-at and --jti fixed give byte-identical tokens across runs', async () => {
    const args = qseow('--issued-at', '2030-01-01T00:00:00Z', '--jti', 'run-1', '--groups', 'Sales', '--expires', '8h');
    const [first, second] = await Promise.all([mint(args), mint(args)]);
    assert.equal(first.token, second.token);
    assert.equal(first.payload['iat'], FIXED_IAT);
    assert.equal(first.payload['exp'], FIXED_IAT + 8 * 3600);
    assert.equal(first.payload['jti'], 'run-1');
  });

  test('--expires takes durations, RFC 3339 (with offsets) and Unix seconds', async () => {
    const issued = ['--issued-at', String(FIXED_IAT)];
    const [combined, rfc3339, offset, unix, week] = await Promise.all([
      mint(qseow(...issued, '--expires', '1h30m')),
      mint(qseow(...issued, '--expires', '2030-01-01T08:00:00Z')),
      mint(qseow(...issued, '--expires', '2030-01-01T10:00:00+02:00')),
      mint(qseow(...issued, '--expires', String(FIXED_IAT + 7200))),
      mint(qseow(...issued, '--expires', '2w')),
    ]);
    assert.equal(combined.payload['exp'], FIXED_IAT + 5400);
    assert.equal(rfc3339.payload['exp'], FIXED_IAT + 8 * 3600);
    assert.equal(offset.payload['exp'], FIXED_IAT + 8 * 3600);
    assert.equal(unix.payload['exp'], FIXED_IAT + 7200);
    assert.equal(week.payload['exp'], FIXED_IAT + 14 * 86_400);
    for (const run of [combined, rfc3339, offset, unix, week]) assert.equal(run.payload['iat'], FIXED_IAT);
  });

  test('an absolute --expires with the default issue time is used as given', async () => {
    const expires = nowSeconds() + 7200;
    const { payload } = await mint(qseow('--expires', isoSeconds(expires)));
    assert.equal(payload['exp'], expires);
  });

  test('--not-before -30s backdates nbf only', async () => {
    const { payload } = await mint(qseow('--issued-at', String(FIXED_IAT), '--not-before', '-30s'));
    assert.equal(payload['iat'], FIXED_IAT);
    assert.equal(payload['nbf'], FIXED_IAT - 30);
    assert.equal(payload['exp'], FIXED_IAT + 3600);
  });

  test('--alg RS384 and RS512 are in the header and are the hash actually signed with', async () => {
    for (const [alg, hash] of [
      ['RS384', 'sha384'],
      ['RS512', 'sha512'],
    ] as const) {
      const { token, header } = await mint(qseow('--alg', alg));
      assert.equal(header['alg'], alg);
      assert.ok(signatureValid(token, publicKey, hash));
      assert.ok(!signatureValid(token, publicKey, 'sha256'), `${alg} is not an RS256 signature`);
    }
  });

  test('a lifetime over 30 days is minted with a warning on stderr (exit 0); 30 days is not warned about', async () => {
    const [long, limit] = await Promise.all([mint(qseow('--expires', '31d')), mint(qseow('--expires', '30d'))]);
    assert.equal((long.payload['exp'] as number) - (long.payload['iat'] as number), 31 * 86_400);
    const lines = long.result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, long.result.stderr);
    assert.match(lines[0] ?? '', /^qs-jwt: warning: .*30 days/);
    assert.match(lines[0] ?? '', /\b31d\b/, 'the warning says how long the token lives');
    assert.equal(limit.result.stderr, '');
  });

  test('--verbose prints a summary on stderr and still only the token on stdout', async () => {
    const { payload, result } = await mint(qseow('--verbose', '--audience', 'qlik.example.com', '--kid', 'key-7'));
    assert.match(result.stderr, /QSEoW token for ACME\\anna/);
    assert.match(result.stderr, /alg +RS256, kid key-7/);
    assert.match(result.stderr, /aud +qlik\.example\.com/);
    for (const claim of ['iat', 'nbf', 'exp']) {
      assert.match(result.stderr, new RegExp(`${claim} +${isoSeconds(payload[claim] as number)}`), claim);
    }
  });

  describe('key input', { concurrency: true }, () => {
    const pkcs8 = readFileSync(keys.pkcs8, 'utf8');
    const cases: [string, string[], CliRunOptions][] = [
      ['--key - (standard input)', ['--key', '-'], { stdin: pkcs8 }],
      [
        '--key-env with PEM text',
        ['--key-env', 'QS_JWT_TEST_KEY'],
        { env: { QS_JWT_TEST_KEY: readFileSync(keys.pkcs1, 'utf8') } },
      ],
      [
        '--key-env with a JWK',
        ['--key-env', 'QS_JWT_TEST_KEY'],
        { env: { QS_JWT_TEST_KEY: readFileSync(keys.jwk, 'utf8') } },
      ],
      ['a private JWK file', ['--key', keys.jwk], {}],
      ['a PKCS#1 file', ['--key', keys.pkcs1], {}],
      [
        'an encrypted key with --passphrase-file',
        ['--key', keys.encryptedPkcs8, '--passphrase-file', keys.passphraseFile],
        {},
      ],
      [
        'an encrypted key with QSJWT_PASSPHRASE',
        ['--key', keys.encryptedPkcs8],
        { env: { QSJWT_PASSPHRASE: keys.passphrase } },
      ],
    ];
    for (const [name, keyArgs, options] of cases) {
      test(`${name} signs a verifiable token`, async () => {
        const { payload, result } = await mint(
          ['create', 'qseow', ...keyArgs, '--userid', 'anna', '--userdir', 'ACME'],
          options,
        );
        assert.equal(payload['userId'], 'anna');
        assert.equal(result.stderr, '');
      });
    }
  });
});

describe('create cloud', { concurrency: true }, () => {
  test('prints only the token; the claims Qlik Cloud requires are present and typed; lifetime 5m', async () => {
    const { header, payload, result } = await mint(cloud('--groups', 'Sales', 'Finance', '--groups', 'EMEA Managers'));
    assert.equal(result.stderr, '');
    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', kid: 'key-1' });
    assert.equal(payload['iss'], 'https://idp.acme.com');
    assert.equal(payload['sub'], 'anna-0001');
    assert.equal(payload['subType'], 'user');
    assert.equal(payload['name'], 'Anna Andersson');
    assert.equal(payload['email'], 'anna@acme.com');
    assert.equal(payload['email_verified'], true);
    assert.equal(payload['aud'], CLOUD_AUDIENCE);
    assert.deepEqual(payload['groups'], ['Sales', 'Finance', 'EMEA Managers']);
    assert.ok(!('group' in payload));
    const iat = payload['iat'] as number;
    assert.ok(Math.abs(iat - nowSeconds()) <= 5);
    assert.equal(payload['nbf'], iat);
    assert.equal(payload['exp'], iat + 300);
    assertRandomJti(payload['jti']);
  });

  test('--email-verified false is the JSON boolean false', async () => {
    const { payload } = await mint(cloud('--email-verified', 'false'));
    assert.equal(payload['email_verified'], false);
  });

  test('every --format carries the same token', async () => {
    const fixed = cloud('--issued-at', isoSeconds(FIXED_IAT), '--jti', 'fixed-jti');
    const results = await Promise.all(
      ['token', 'json', 'header', 'env'].map((format) => runCli([...fixed, '--format', format])),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const [token, json, header, env] = results.map((result) => result.stdout);
    assert.match(token ?? '', TOKEN_LINE);
    const jwt = (token ?? '').trimEnd();
    assert.equal(header, `Authorization: Bearer ${jwt}\n`);
    assert.equal(env, `QLIK_JWT=${jwt}\n`);
    const parsed = JSON.parse(json ?? '') as Record<string, unknown>;
    assert.equal(parsed['token'], jwt);
    assert.deepEqual(parsed['payload'], decodePart(jwt, 1));
    assert.equal(parsed['expiresAt'], '2030-01-01T00:05:00Z');
  });

  test('--issued-at and --jti fixed give byte-identical tokens; without them jti differs per call', async () => {
    const fixed = cloud('--issued-at', '2030-01-01T00:00:00Z', '--jti', 'login-1');
    const [first, second, randomA, randomB] = await Promise.all([
      mint(fixed),
      mint(fixed),
      mint(cloud()),
      mint(cloud()),
    ]);
    assert.equal(first.token, second.token);
    assert.equal(first.payload['jti'], 'login-1');
    assert.notEqual(randomA.payload['jti'], randomB.payload['jti']);
  });

  test('exactly 60 minutes is allowed; --not-before -30s backdates within the hour', async () => {
    const [hour, skew] = await Promise.all([
      mint(cloud('--expires', '60m')),
      mint(cloud('--issued-at', String(FIXED_IAT), '--not-before', '-30s', '--expires', '5m')),
    ]);
    assert.equal((hour.payload['exp'] as number) - (hour.payload['nbf'] as number), 3600);
    assert.equal(skew.payload['nbf'], FIXED_IAT - 30);
    assert.equal(skew.payload['exp'], FIXED_IAT + 300);
  });

  test('--alg RS512 is reflected in the header', async () => {
    const { header } = await mint(cloud('--alg', 'RS512'));
    assert.equal(header['alg'], 'RS512');
  });

  test('another --audience is refused, as Qlik Cloud would refuse the token (QJ203)', async () => {
    const result = await runCli(cloud('--audience', 'something-else'));
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^qs-jwt: error: .*"something-else".*QJ203/);
  });

  test('--verbose prints who, audience, issuer and times on stderr; stdout stays the token', async () => {
    const { result } = await mint(cloud('--verbose'));
    assert.match(result.stderr, /Qlik Cloud token for Anna Andersson <anna@acme\.com> \(sub anna-0001\)/);
    assert.match(result.stderr, /kid key-1/);
    assert.match(result.stderr, /aud +qlik\.api\/login\/jwt-session/);
    assert.match(result.stderr, /iss +https:\/\/idp\.acme\.com/);
    assert.match(result.stderr, /exp +\d{4}-\d\d-\d\dT/);
  });

  test('an encrypted key with QSJWT_PASSPHRASE signs cloud tokens too', async () => {
    const { payload } = await mint(
      cloud().map((arg) => (arg === keys.pkcs8 ? keys.encryptedPkcs8 : arg)),
      { env: { QSJWT_PASSPHRASE: keys.passphrase } },
    );
    assert.equal(payload['sub'], 'anna-0001');
  });
});

// One quickstart (a 4096-bit key) and one re-run that must re-use it.
test(
  'quickstart creates keys and two checked example tokens, prints where to paste what, and re-uses the keys',
  { timeout: 180_000 },
  async () => {
    const cwd = temporaryFolder();
    const out = join(cwd, 'qs');
    const first = await runCli(['quickstart', '--out', 'qs'], { cwd, timeoutMs: 150_000 });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '');
    for (const name of [
      'privatekey.pem',
      'publickey.pem',
      'publickey.cer',
      'publickey-single-line.txt',
      'qseow.jwt',
      'cloud.jwt',
    ]) {
      assert.ok(readdirSync(out).includes(name), `${name} written`);
    }
    for (const name of ['privatekey.pem', 'qseow.jwt', 'cloud.jwt'])
      assert.equal(statSync(join(out, name)).mode & 0o777, 0o600, `${name} is 0600`);

    const certificate = new X509Certificate(readFileSync(join(out, 'publickey.cer')));
    const certificateKey = certificate.publicKey;
    assert.equal(certificateKey.asymmetricKeyDetails?.modulusLength, 4096);
    const jwk = certificateKey.export({ format: 'jwk' });
    const kid = createHash('sha256')
      .update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n }))
      .digest('base64url');

    const qseowToken = readFileSync(join(out, 'qseow.jwt'), 'utf8');
    const cloudToken = readFileSync(join(out, 'cloud.jwt'), 'utf8');
    assert.match(qseowToken, TOKEN_LINE);
    assert.match(cloudToken, TOKEN_LINE);
    assert.ok(signatureValid(qseowToken.trimEnd(), certificateKey, 'sha256'), 'qseow.jwt verifies with publickey.cer');
    assert.ok(signatureValid(cloudToken.trimEnd(), certificateKey, 'sha256'), 'cloud.jwt verifies with publickey.cer');
    const qseowPayload = decodePart(qseowToken.trimEnd(), 1);
    assert.equal(typeof qseowPayload['userId'], 'string');
    assert.equal(typeof qseowPayload['userDirectory'], 'string');
    assert.equal((qseowPayload['exp'] as number) - (qseowPayload['iat'] as number), 3600);
    const cloudHeader = decodePart(cloudToken.trimEnd(), 0);
    const cloudPayload = decodePart(cloudToken.trimEnd(), 1);
    assert.equal(cloudHeader['kid'], kid, 'the cloud token kid is the certificate key thumbprint');
    assert.equal(cloudPayload['aud'], CLOUD_AUDIENCE);
    assert.ok((cloudPayload['exp'] as number) - (cloudPayload['nbf'] as number) <= 3600);

    assert.match(first.stdout, /created a 4096-bit key pair/);
    assert.match(first.stdout, new RegExp(`Key ID: ${kid}\\n`));
    assert.match(
      first.stdout,
      new RegExp(`Issuer: ${String(cloudPayload['iss']).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`),
    );
    assert.ok(
      first.stdout.includes(readFileSync(join(out, 'publickey-single-line.txt'), 'utf8').trimEnd()),
      'prints the one-line certificate',
    );
    assert.match(first.stdout, /curl .*\$\(cat qs\/qseow\.jwt\)/);
    assert.match(first.stdout, /curl .*-X POST.*\$\(cat qs\/cloud\.jwt\)/);
    assert.match(first.stdout, /\/login\/jwt-session/);

    const keyBefore = readFileSync(join(out, 'privatekey.pem'));
    const certificateBefore = readFileSync(join(out, 'publickey.cer'));
    const second = await runCli(['quickstart', '--out', 'qs'], { cwd, timeoutMs: 60_000 });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /re-used the key pair/);
    assert.doesNotMatch(second.stdout, /created a 4096-bit/);
    assert.match(second.stdout, new RegExp(`Key ID: ${kid}\\n`), 'same key ID');
    assert.deepEqual(readFileSync(join(out, 'privatekey.pem')), keyBefore);
    assert.deepEqual(readFileSync(join(out, 'publickey.cer')), certificateBefore);
    const newCloudToken = readFileSync(join(out, 'cloud.jwt'), 'utf8').trimEnd();
    assert.notEqual(newCloudToken, cloudToken.trimEnd(), 'fresh example tokens');
    assert.ok(signatureValid(newCloudToken, certificateKey, 'sha256'));
  },
);
