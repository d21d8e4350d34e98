/**
 * Independent cross-checks of the tokens we mint: the `openssl` command, and two other JWT libraries
 * (`jose`, `jsonwebtoken`) verify what the library and the CLI sign; signing is deterministic; and
 * algorithms Qlik does not accept are refused.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, importSPKI, importX509, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import {
  AlgorithmError,
  ClaimError,
  QsJwtError,
  RSA_ALGORITHMS,
  cloudTokenMinter,
  createCloudToken,
  createQseowToken,
  encodePrivateKeyPem,
  encodePublicKeyPem,
  generateKeyPair,
  loadPrivateKey,
  qseowTokenMinter,
  signCompactBytes,
  signJwt,
  TimeError,
  type CreatedToken,
  type RsaAlgorithm,
} from '../src/index.js';
import { decodePart, hasOpenssl, temporaryFolder } from './support/fixtures.js';
import { runCli } from './support/run-cli.js';

const OPENSSL = hasOpenssl();
const needsOpenssl = OPENSSL
  ? {}
  : { skip: 'the openssl command is not installed: install openssl to run the openssl cross-checks' };
const HASH_FLAG: Record<RsaAlgorithm, string> = { RS256: '-sha256', RS384: '-sha384', RS512: '-sha512' };
const CLOUD_AUDIENCE = 'qlik.api/login/jwt-session';

const work = temporaryFolder('qs-jwt-cross-');
let fileCounter = 0;

let privateKey: KeyObject;
let privatePem: string;
let publicPem: string;
let publicPemPath: string;

before(async () => {
  const pair = await generateKeyPair({ bits: 2048 });
  privatePem = encodePrivateKeyPem(pair.privateKey);
  // Sign with the key as a user would load it from privatekey.pem.
  privateKey = loadPrivateKey(privatePem);
  publicPem = encodePublicKeyPem(pair.publicKey);
  publicPemPath = join(work, 'publickey.pem');
  writeFileSync(publicPemPath, publicPem);
});

function openssl(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8', input });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `openssl dgst -shaNNN -verify PUB -signature sig.bin input.txt` over the token's signing input. */
function opensslVerifies(token: string, alg: RsaAlgorithm, publicKeyPath: string): boolean {
  const [header, payload, signature] = token.split('.');
  assert.ok(header !== undefined && payload !== undefined && signature !== undefined, `not a compact JWS: ${token}`);
  fileCounter += 1;
  const inputPath = join(work, `input-${fileCounter}.txt`);
  const signaturePath = join(work, `sig-${fileCounter}.bin`);
  writeFileSync(inputPath, `${header}.${payload}`);
  writeFileSync(signaturePath, Buffer.from(signature, 'base64url'));
  const result = openssl(['dgst', HASH_FLAG[alg], '-verify', publicKeyPath, '-signature', signaturePath, inputPath]);
  const ok = result.status === 0 && result.stdout.includes('Verified OK');
  if (!ok && result.status === 0) assert.fail(`openssl exited 0 without "Verified OK": ${result.stdout}`);
  return ok;
}

function mintQseow(alg: RsaAlgorithm, extra: { now?: number; jwtId?: string } = {}): CreatedToken {
  return createQseowToken({
    privateKey,
    algorithm: alg,
    userId: 'anna',
    userDirectory: 'ACME',
    name: 'Anna Andersson',
    email: 'anna@acme.com',
    groups: ['Sales', 'EMEA Managers'],
    audience: 'qlik.example.com',
    issuer: 'qs-jwt-tests',
    keyId: 'qseow-key',
    expires: '1h',
    ...extra,
  });
}

function mintCloud(alg: RsaAlgorithm, extra: { now?: number; jwtId?: string } = {}): CreatedToken {
  return createCloudToken({
    privateKey,
    algorithm: alg,
    subject: 'anna-0001',
    name: 'Anna Andersson',
    email: 'anna@acme.com',
    issuer: 'https://idp.acme.com',
    keyId: 'my-key-id',
    groups: ['Sales', 'Finance'],
    emailVerified: true,
    expires: '5m',
    ...extra,
  });
}

function withPayload(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, , signature] = token.split('.');
  const payload = decodePart(token, 1);
  change(payload);
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}

function otherAlgorithm(alg: RsaAlgorithm): RsaAlgorithm {
  return alg === 'RS256' ? 'RS512' : 'RS256';
}

// ---- openssl ------------------------------------------------------------------------------------

test('QSEoW and Qlik Cloud tokens verify with openssl dgst for RS256, RS384 and RS512', needsOpenssl, () => {
  for (const alg of RSA_ALGORITHMS) {
    for (const created of [mintQseow(alg), mintCloud(alg)]) {
      assert.equal(decodePart(created.token, 0)['alg'], alg);
      assert.ok(
        opensslVerifies(created.token, alg, publicPemPath),
        `${alg} token does not verify with openssl: ${created.token}`,
      );
      // The header names the hash actually used: the same signature does not verify under another digest.
      assert.equal(
        opensslVerifies(created.token, otherAlgorithm(alg), publicPemPath),
        false,
        `${alg} token verified under the wrong digest`,
      );
    }
  }
});

test('openssl rejects a token whose payload was changed after signing', needsOpenssl, () => {
  for (const alg of RSA_ALGORITHMS) {
    const qseow = mintQseow(alg).token;
    assert.ok(opensslVerifies(qseow, alg, publicPemPath));
    assert.equal(
      opensslVerifies(
        withPayload(qseow, (payload) => {
          payload['userId'] = 'admin';
        }),
        alg,
        publicPemPath,
      ),
      false,
    );
    const cloud = mintCloud(alg).token;
    assert.equal(
      opensslVerifies(
        withPayload(cloud, (payload) => {
          payload['email'] = 'mallory@evil.example';
        }),
        alg,
        publicPemPath,
      ),
      false,
    );
  }
});

// ---- jose and jsonwebtoken ----------------------------------------------------------------------

test('jose jwtVerify (importSPKI, algorithm pinned) accepts our tokens and reads back the same typed claims', async () => {
  for (const alg of RSA_ALGORITHMS) {
    const key = await importSPKI(publicPem, alg);
    const qseow = mintQseow(alg);
    const readQseow = await jwtVerify(qseow.token, key, {
      algorithms: [alg],
      audience: 'qlik.example.com',
      issuer: 'qs-jwt-tests',
    });
    assert.deepEqual(readQseow.payload, qseow.payload);
    assert.deepEqual(readQseow.protectedHeader, { alg, typ: 'JWT', kid: 'qseow-key' });
    assert.deepEqual(readQseow.payload['groups'], ['Sales', 'EMEA Managers']);
    assert.equal(readQseow.payload['userId'], 'anna');
    assert.equal(readQseow.payload['userDirectory'], 'ACME');

    const cloud = mintCloud(alg);
    const readCloud = await jwtVerify(cloud.token, key, {
      algorithms: [alg],
      audience: CLOUD_AUDIENCE,
      issuer: 'https://idp.acme.com',
    });
    assert.deepEqual(readCloud.payload, cloud.payload);
    assert.deepEqual(readCloud.protectedHeader, { alg, typ: 'JWT', kid: 'my-key-id' });
    assert.equal(readCloud.payload['email_verified'], true, 'email_verified must be the JSON boolean true');
    assert.ok(Array.isArray(readCloud.payload['groups']));
    assert.deepEqual(readCloud.payload['groups'], ['Sales', 'Finance']);
    assert.equal(readCloud.payload['subType'], 'user');
    assert.equal(readCloud.payload.sub, 'anna-0001');
    assert.equal(typeof readCloud.payload.jti, 'string');
    assert.equal((readCloud.payload.exp ?? 0) - (readCloud.payload.nbf ?? 0), 300);

    await assert.rejects(
      jwtVerify(cloud.token, key, { algorithms: [otherAlgorithm(alg)] }),
      'a pinned other algorithm must be refused',
    );
    const tampered = withPayload(cloud.token, (payload) => {
      payload['email_verified'] = false;
    });
    await assert.rejects(jwtVerify(tampered, key, { algorithms: [alg] }), 'a changed payload must not verify');
  }
});

test('jsonwebtoken verify (algorithm pinned) accepts our tokens and reads back the same typed claims', () => {
  for (const alg of RSA_ALGORITHMS) {
    const qseow = mintQseow(alg);
    const readQseow = jsonwebtoken.verify(qseow.token, publicPem, {
      algorithms: [alg],
      complete: true,
      audience: 'qlik.example.com',
    });
    assert.deepEqual(readQseow.header, { alg, typ: 'JWT', kid: 'qseow-key' });
    assert.deepEqual(readQseow.payload, qseow.payload);

    const cloud = mintCloud(alg);
    const readCloud = jsonwebtoken.verify(cloud.token, publicPem, {
      algorithms: [alg],
      complete: true,
      audience: CLOUD_AUDIENCE,
      issuer: 'https://idp.acme.com',
    });
    assert.deepEqual(readCloud.payload, cloud.payload);
    assert.ok(typeof readCloud.payload === 'object');
    assert.equal(readCloud.payload['email_verified'], true);
    assert.deepEqual(readCloud.payload['groups'], ['Sales', 'Finance']);

    assert.throws(
      () => jsonwebtoken.verify(cloud.token, publicPem, { algorithms: [otherAlgorithm(alg)] }),
      /invalid algorithm/,
    );
    const tampered = withPayload(qseow.token, (payload) => {
      payload['userId'] = 'admin';
    });
    assert.throws(() => jsonwebtoken.verify(tampered, publicPem, { algorithms: [alg] }), /invalid signature/);
  }
});

// ---- CLI ----------------------------------------------------------------------------------------

test(
  'tokens minted by the CLI verify with openssl against the certificate keys create wrote',
  needsOpenssl,
  async () => {
    const dir = temporaryFolder('qs-jwt-cross-cli-');
    const keys = await runCli(['keys', 'create', '--out', dir, '--bits', '2048'], { cwd: dir });
    assert.equal(keys.code, 0, keys.stderr);
    const certificatePath = join(dir, 'publickey.cer');
    const keyPath = join(dir, 'privatekey.pem');
    const extracted = openssl(['x509', '-in', certificatePath, '-pubkey', '-noout']);
    assert.equal(extracted.status, 0, extracted.stderr);
    const certificatePublicKey = join(dir, 'certificate-publickey.pem');
    writeFileSync(certificatePublicKey, extracted.stdout);

    const runs: { label: string; alg: RsaAlgorithm; args: string[] }[] = [
      {
        label: 'create qseow',
        alg: 'RS384',
        args: [
          'create',
          'qseow',
          '--key',
          keyPath,
          '--userid',
          'anna',
          '--userdir',
          'ACME',
          '--groups',
          'Sales',
          'EMEA Managers',
          '--alg',
          'RS384',
        ],
      },
      {
        label: 'create cloud',
        alg: 'RS512',
        args: [
          'create',
          'cloud',
          '--key',
          keyPath,
          '--sub',
          'anna',
          '--name',
          'Anna Andersson',
          '--email',
          'anna@acme.com',
          '--issuer',
          'https://idp.acme.com',
          '--kid',
          'k1',
          '--groups',
          'Sales',
          'Finance',
          '--alg',
          'RS512',
        ],
      },
      {
        label: 'create cloud (default alg)',
        alg: 'RS256',
        args: [
          'create',
          'cloud',
          '--key',
          keyPath,
          '--sub',
          'anna',
          '--name',
          'Anna',
          '--email',
          'anna@acme.com',
          '--issuer',
          'acme',
          '--kid',
          'k1',
        ],
      },
      {
        label: 'create-qseow',
        alg: 'RS256',
        args: [
          'create-qseow',
          '--userdir',
          'ACME',
          '--userid',
          'anna',
          '--expires',
          '1h',
          '--cert-privatekey-file',
          keyPath,
          '--groups',
          'Sales',
        ],
      },
      {
        label: 'create-qscloud',
        alg: 'RS256',
        args: [
          'create-qscloud',
          '--useremail',
          'anna@acme.com',
          '--useremail-verified',
          'false',
          '--username',
          'Anna A',
          '--issuer',
          'acme',
          '--keyid',
          'k1',
          '--expires',
          '5m',
          '--cert-privatekey-file',
          keyPath,
          '--groups',
          'Sales',
          'Finance',
        ],
      },
    ];
    const results = await Promise.all(runs.map((run) => runCli(run.args, { cwd: dir })));
    const certificateKey = (alg: RsaAlgorithm) => importX509(readFileSync(certificatePath, 'utf8'), alg);
    for (const [index, run] of runs.entries()) {
      const result = results[index];
      assert.ok(result !== undefined);
      assert.equal(result.code, 0, `${run.label}: ${result.stderr}`);
      const token = result.stdout.trim();
      assert.equal(result.stdout, `${token}\n`, `${run.label}: stdout must be the token and one line break`);
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.equal(decodePart(token, 0)['alg'], run.alg, run.label);
      assert.ok(
        opensslVerifies(token, run.alg, certificatePublicKey),
        `${run.label} token does not verify with openssl`,
      );
      // And with jose, straight from the certificate.
      await jwtVerify(token, await certificateKey(run.alg), { algorithms: [run.alg] });
    }
    const legacyCloud = decodePart(results[4]?.stdout.trim() ?? '', 1);
    assert.equal(legacyCloud['email_verified'], false, 'create-qscloud must send email_verified as a JSON boolean');
    assert.deepEqual(legacyCloud['groups'], ['Sales', 'Finance']);
    assert.equal(legacyCloud['sub'], 'anna@acme.com');
    assert.deepEqual(decodePart(results[0]?.stdout.trim() ?? '', 1)['groups'], ['Sales', 'EMEA Managers']);
  },
);

// ---- determinism --------------------------------------------------------------------------------

test('same inputs, including now and jwtId, give the same token byte for byte', () => {
  const fixed = { now: 1_767_225_600, jwtId: 'fixed-jti-0001' };
  for (const alg of RSA_ALGORITHMS) {
    assert.equal(mintQseow(alg, fixed).token, mintQseow(alg, fixed).token);
    assert.equal(mintCloud(alg, fixed).token, mintCloud(alg, fixed).token);
    // A key given as PEM text signs the same as the parsed KeyObject.
    const fromPem = createQseowToken({
      privateKey: privatePem,
      algorithm: alg,
      userId: 'anna',
      userDirectory: 'ACME',
      ...fixed,
    });
    const fromKey = createQseowToken({ privateKey, algorithm: alg, userId: 'anna', userDirectory: 'ACME', ...fixed });
    assert.equal(fromPem.token, fromKey.token);
  }
  // Without a fixed jti, tokens differ (the default jti is random).
  assert.notEqual(mintQseow('RS256', { now: fixed.now }).token, mintQseow('RS256', { now: fixed.now }).token);
});

test('a token minter makes, user by user, the very tokens createQseowToken and createCloudToken make', () => {
  const now = 1_767_225_600;
  const qseow = qseowTokenMinter({
    privateKey,
    algorithm: 'RS384',
    audience: 'qlik.example.com',
    issuer: 'qs-jwt-tests',
    keyId: 'k1',
    expires: '8h',
    now,
  });
  const cloud = cloudTokenMinter({
    privateKey: privatePem,
    issuer: 'https://idp.acme.com',
    keyId: 'my-key-id',
    expires: '5m',
    now,
  });
  for (const [index, user] of ['anna', 'bert', 'carl'].entries()) {
    const qseowUser = {
      userId: user,
      userDirectory: 'ACME',
      groups: [`g${index}`],
      jwtId: `jti-${user}`,
      claims: { level: index },
    };
    const made = qseow.create(qseowUser);
    assert.equal(
      made.token,
      createQseowToken({
        privateKey,
        algorithm: 'RS384',
        audience: 'qlik.example.com',
        issuer: 'qs-jwt-tests',
        keyId: 'k1',
        expires: '8h',
        now,
        ...qseowUser,
      }).token,
    );
    assert.equal(made.expiresAt, '2026-01-01T08:00:00Z');
    assert.ok(opensslVerifiesIfPresent(made.token, 'RS384'));
    const cloudUser = { subject: user, name: user, email: `${user}@acme.com`, jwtId: `jti-${user}` };
    assert.equal(
      cloud.create(cloudUser).token,
      createCloudToken({
        privateKey,
        issuer: 'https://idp.acme.com',
        keyId: 'my-key-id',
        expires: '5m',
        now,
        ...cloudUser,
      }).token,
    );
  }
});

test('a token minter refuses bad shared settings when made, and bad user fields per token', () => {
  assert.throws(
    () => qseowTokenMinter({ privateKey, userIdAttribute: 'sub' }),
    (error: unknown) => error instanceof ClaimError && error.code === 'CLAIM_RESERVED_NAME',
  );
  assert.throws(() => cloudTokenMinter({ privateKey, issuer: ' ', keyId: 'k' }), ClaimError);
  const minter = qseowTokenMinter({ privateKey, expires: '-5m' });
  // The time window depends on the clock, so it is checked (and refused) per token.
  assert.throws(() => minter.create({ userId: 'anna', userDirectory: 'ACME' }), TimeError);
  const good = qseowTokenMinter({ privateKey });
  assert.throws(() => good.create({ userId: '', userDirectory: 'ACME' }), /userId "": is required/);
  assert.throws(
    () => good.create({ userId: 'anna', userDirectory: 'ACME', groups: ['ok', 7 as unknown as string] }),
    /group 2 must be a non-empty string/,
  );
  assert.equal(decodePart(good.create({ userId: 'anna', userDirectory: 'ACME' }).token, 1)['userId'], 'anna');
});

test('a token minter follows the clock: each token gets iat, nbf and exp from the second it is made in', () => {
  let clock = 1_767_225_600;
  const minter = qseowTokenMinter({
    privateKey,
    expires: '1h',
    notBefore: '-30s',
    get now() {
      return clock;
    },
  });
  const times = (): unknown[] => {
    const payload = decodePart(minter.create({ userId: 'anna', userDirectory: 'ACME' }).token, 1);
    return [payload['iat'], payload['nbf'], payload['exp']];
  };
  assert.deepEqual(times(), [clock, clock - 30, clock + 3600]);
  assert.deepEqual(times(), [clock, clock - 30, clock + 3600]);
  clock += 1;
  assert.deepEqual(times(), [clock, clock - 30, clock + 3600]);
});

function opensslVerifiesIfPresent(token: string, alg: RsaAlgorithm): boolean {
  return OPENSSL ? opensslVerifies(token, alg, publicPemPath) : true;
}

test('jose SignJWT over byte-identical header and payload JSON gives the same token', async () => {
  const fixed = { now: 1_767_225_600, jwtId: 'fixed-jti-0002' };
  for (const alg of RSA_ALGORITHMS) {
    for (const created of [mintQseow(alg, fixed), mintCloud(alg, fixed)]) {
      // Precondition: our header and payload are plain JSON.stringify output, which is what jose serialises too.
      const [headerPart, payloadPart] = created.token.split('.');
      assert.equal(Buffer.from(headerPart ?? '', 'base64url').toString('utf8'), JSON.stringify(created.header));
      assert.equal(Buffer.from(payloadPart ?? '', 'base64url').toString('utf8'), JSON.stringify(created.payload));
      const joseToken = await new SignJWT(created.payload).setProtectedHeader(created.header).sign(privateKey);
      assert.equal(
        joseToken,
        created.token,
        `${alg}: RSASSA-PKCS1-v1_5 is deterministic, so jose must produce the same signature`,
      );
    }
  }
});

test('the CLI with --issued-at and --jti is deterministic and matches the library', async () => {
  const dir = temporaryFolder('qs-jwt-cross-det-');
  const keyPath = join(dir, 'privatekey.pem');
  writeFileSync(keyPath, privatePem, { mode: 0o600 });
  const args = [
    'create',
    'qseow',
    '--key',
    keyPath,
    '--userid',
    'anna',
    '--userdir',
    'ACME',
    '--groups',
    'Sales',
    '--issued-at',
    '2026-01-01T00:00:00Z',
    '--jti',
    'fixed-jti-0003',
    '--expires',
    '8h',
    '--alg',
    'RS384',
  ];
  const [first, second] = await Promise.all([runCli(args, { cwd: dir }), runCli(args, { cwd: dir })]);
  assert.equal(first?.code, 0, first?.stderr);
  assert.equal(second?.code, 0, second?.stderr);
  assert.equal(first?.stdout, second?.stdout);
  const library = createQseowToken({
    privateKey,
    algorithm: 'RS384',
    userId: 'anna',
    userDirectory: 'ACME',
    groups: ['Sales'],
    issuedAt: '2026-01-01T00:00:00Z',
    jwtId: 'fixed-jti-0003',
    expires: '8h',
  });
  assert.equal(first?.stdout.trim(), library.token);
  assert.deepEqual(decodePart(library.token, 1), {
    userId: 'anna',
    userDirectory: 'ACME',
    groups: ['Sales'],
    iat: 1_767_225_600,
    nbf: 1_767_225_600,
    exp: 1_767_225_600 + 8 * 3600,
    jti: 'fixed-jti-0003',
  });
});

// ---- refused algorithms -------------------------------------------------------------------------

const REFUSED = ['HS256', 'HS384', 'HS512', 'none', 'ES256', 'PS256', 'rs256'] as const;

function assertRefused(run: () => unknown, alg: string): void {
  assert.throws(
    run,
    (error: unknown) => {
      assert.ok(error instanceof AlgorithmError, `${alg}: expected AlgorithmError, got ${String(error)}`);
      assert.ok(error instanceof QsJwtError);
      assert.equal(error.code, 'ALG_UNSUPPORTED');
      assert.ok(error.message.includes(alg), `${alg}: the message names the algorithm: ${error.message}`);
      return true;
    },
    `${alg} must be refused`,
  );
}

test('createQseowToken and createCloudToken refuse HMAC, none, EC and PSS algorithms with ALG_UNSUPPORTED', () => {
  for (const alg of REFUSED) {
    const algorithm = alg as unknown as RsaAlgorithm;
    assertRefused(() => createQseowToken({ privateKey, algorithm, userId: 'anna', userDirectory: 'ACME' }), alg);
    assertRefused(
      () =>
        createCloudToken({
          privateKey,
          algorithm,
          subject: 'anna',
          name: 'Anna',
          email: 'anna@acme.com',
          issuer: 'acme',
          keyId: 'k1',
        }),
      alg,
    );
  }
});

test('the CLI refuses --alg none and --alg HS256 with exit code 2 and no token', async () => {
  const dir = temporaryFolder('qs-jwt-cross-alg-');
  const keyPath = join(dir, 'privatekey.pem');
  writeFileSync(keyPath, privatePem, { mode: 0o600 });
  const results = await Promise.all(
    ['none', 'HS256'].map((alg) =>
      runCli(['create', 'qseow', '--key', keyPath, '--userid', 'anna', '--userdir', 'ACME', '--alg', alg], {
        cwd: dir,
      }),
    ),
  );
  for (const result of results) {
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^qs-jwt: error: .*--alg/m);
  }
});

test('signJwt and signCompactBytes refuse HMAC, none, EC and PSS algorithms with ALG_UNSUPPORTED', () => {
  for (const alg of REFUSED) {
    const algorithm = alg as unknown as RsaAlgorithm;
    assertRefused(() => signJwt({ alg: algorithm, typ: 'JWT' }, { sub: 'anna' }, privateKey), alg);
    assertRefused(() => signCompactBytes(Buffer.from('{}'), Buffer.from('{}'), privateKey, algorithm), alg);
  }
});
