// `qs-jwt keys create` and `qs-jwt keys show`, run as a subprocess. Files are checked with Node's own
// crypto, so a key that only the CLI itself could read would fail here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeKeyFixtures, temporaryFolder } from './support/fixtures.js';
import { runCli, type CliResult } from './support/run-cli.js';

const keys = makeKeyFixtures();
const DAY_MS = 86_400_000;

/** RFC 7638 JWK thumbprint of an RSA public key, computed here rather than trusted from the CLI. */
function thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  return createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n }))
    .digest('base64url');
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.code, 0, `${what}: exit ${String(result.code)}, stderr: ${result.stderr}`);
  return result;
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
}

function snapshot(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name))]),
  );
}

function parseJson(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

const FILES = ['privatekey.pem', 'publickey.cer', 'publickey.pem'];

describe('keys create', { concurrency: true }, () => {
  test('writes a PKCS#8 private key (mode 0600), its SPKI public key and a matching certificate, into a folder it creates', async () => {
    const out = join(temporaryFolder(), 'new', 'keys');
    const result = ok(await runCli(['keys', 'create', '--out', out, '--bits', '2048']), 'keys create');
    assert.equal(result.stdout, '', 'text mode prints nothing on stdout');
    assert.match(result.stderr, /2048-bit/);
    assert.match(result.stderr, /JWK thumbprint/);
    assert.deepEqual(
      readdirSync(out).sort(),
      FILES,
      'exactly the three files, no temporary leftovers, no single-line file',
    );

    const privatePem = readFileSync(join(out, 'privatekey.pem'), 'utf8');
    assert.match(privatePem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(mode(join(out, 'privatekey.pem')), 0o600);
    const privateKey = createPrivateKey(privatePem);
    assert.equal(privateKey.asymmetricKeyType, 'rsa');
    assert.equal(privateKey.asymmetricKeyDetails?.modulusLength, 2048);

    const publicPem = readFileSync(join(out, 'publickey.pem'), 'utf8');
    assert.match(publicPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.ok(
      createPublicKey(publicPem).equals(createPublicKey(privateKey)),
      'publickey.pem is the public half of privatekey.pem',
    );

    const certificatePem = readFileSync(join(out, 'publickey.cer'), 'utf8');
    assert.match(certificatePem, /^-----BEGIN CERTIFICATE-----\n/);
    const certificate = new X509Certificate(certificatePem);
    assert.ok(certificate.checkPrivateKey(privateKey), 'the certificate belongs to the private key');
    assert.ok(certificate.verify(certificate.publicKey), 'self-signed');
    assert.equal(certificate.subject, 'CN=qs-jwt');
    assert.equal(certificate.issuer, 'CN=qs-jwt');
    assert.equal(certificate.ca, false);
    const serial = Buffer.from(certificate.serialNumber, 'hex');
    assert.ok(
      serial.length <= 16 && serial.length >= 8,
      `a random serial of up to 128 bits: ${certificate.serialNumber}`,
    );
    assert.ok(((serial[0] ?? 0) & 0x80) === 0, 'the serial is positive');
    const days = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / DAY_MS;
    assert.ok(Math.abs(days - 1825) <= 1, `default validity is 1825 days, got ${days}`);
    assert.ok(Math.abs(Date.parse(certificate.validFrom) - Date.now()) < 10 * 60_000, 'valid from about now');
    assert.match(result.stderr, new RegExp(thumbprint(privateKey)), 'the summary shows the JWK thumbprint');
  });

  test('--prefix, --days and --cn shape the file names and the certificate', async () => {
    const out = temporaryFolder();
    ok(
      await runCli([
        'keys',
        'create',
        '--out',
        out,
        '--bits',
        '2048',
        '--file-prefix',
        'prod-',
        '--days',
        '30',
        '--cn',
        'qlik-jwt prod',
      ]),
      'keys create',
    );
    assert.deepEqual(
      readdirSync(out).sort(),
      FILES.map((name) => `prod-${name}`),
    );
    assert.equal(mode(join(out, 'prod-privatekey.pem')), 0o600);
    const certificate = new X509Certificate(readFileSync(join(out, 'prod-publickey.cer')));
    assert.equal(certificate.subject, 'CN=qlik-jwt prod');
    const days = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / DAY_MS;
    assert.ok(Math.abs(days - 30) <= 1, `--days 30 gives 30 days, got ${days}`);
    assert.ok(certificate.checkPrivateKey(createPrivateKey(readFileSync(join(out, 'prod-privatekey.pem')))));
  });

  test('--single-line prints the certificate as exactly one line on stdout and writes publickey-single-line.txt', async () => {
    const out = temporaryFolder();
    const result = ok(await runCli(['keys', 'create', '--out', out, '--bits', '2048', '--single-line']), 'keys create');
    assert.ok(result.stdout.endsWith('\n'));
    const lines = result.stdout.slice(0, -1).split('\n');
    assert.equal(lines.length, 1, `one line on stdout, got ${lines.length}`);
    const line = lines[0] ?? '';
    assert.match(line, /^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=]+-----END CERTIFICATE-----$/);
    assert.equal(readFileSync(join(out, 'publickey-single-line.txt'), 'utf8'), result.stdout);
    assert.equal(
      pemBody(line),
      pemBody(readFileSync(join(out, 'publickey.cer'), 'utf8')),
      'the same certificate as publickey.cer',
    );
    assert.doesNotMatch(result.stderr, /-----BEGIN/, 'the summary on stderr does not repeat the certificate');
  });

  test('--format json prints a JSON summary on stdout whose facts match the files', async () => {
    const out = temporaryFolder();
    const result = ok(
      await runCli(['keys', 'create', '--out', out, '--bits', '2048', '--format', 'json']),
      'keys create',
    );
    const summary = parseJson(result.stdout);
    assert.equal(summary['privateKey'], join(out, 'privatekey.pem'));
    assert.equal(summary['publicKey'], join(out, 'publickey.pem'));
    assert.equal(summary['certificate'], join(out, 'publickey.cer'));
    assert.equal(summary['singleLineCertificate'], null);
    assert.equal(summary['bits'], 2048);
    assert.equal(summary['encrypted'], false);
    const certificate = new X509Certificate(readFileSync(join(out, 'publickey.cer')));
    assert.equal(summary['sha256Thumbprint'], certificate.fingerprint256);
    assert.equal(summary['sha1Thumbprint'], certificate.fingerprint);
    assert.equal(summary['serialNumber'], certificate.serialNumber);
    assert.equal(summary['jwkThumbprint'], thumbprint(certificate.publicKey));
    assert.doesNotMatch(result.stderr, /Created/, 'no text summary besides the JSON');
  });

  test('refuses to overwrite without --force: exit 1, existing files untouched byte for byte; --force replaces them', async () => {
    const out = temporaryFolder();
    ok(await runCli(['keys', 'create', '--out', out, '--bits', '2048', '--single-line']), 'first keys create');
    const before = snapshot(out);
    const refused = await runCli(['keys', 'create', '--out', out, '--bits', '2048', '--single-line']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^qs-jwt: error: .*already exists.*--force/);
    assert.equal(refused.stderr.trimEnd().split('\n').length, 1);
    assert.deepEqual(snapshot(out), before, 'same names (no temporary files left) and same bytes');

    const forced = ok(
      await runCli(['keys', 'create', '--out', out, '--bits', '2048', '--single-line', '--force']),
      'keys create --force',
    );
    const after = snapshot(out);
    assert.deepEqual([...after.keys()], [...before.keys()]);
    for (const [name, content] of after) assert.notDeepEqual(content, before.get(name), `${name} was replaced`);
    assert.equal(mode(join(out, 'privatekey.pem')), 0o600, 'still 0600 after --force');
    const certificate = new X509Certificate(readFileSync(join(out, 'publickey.cer')));
    assert.ok(
      certificate.checkPrivateKey(createPrivateKey(readFileSync(join(out, 'privatekey.pem')))),
      'the new files belong together',
    );
    assert.equal(readFileSync(join(out, 'publickey-single-line.txt'), 'utf8'), forced.stdout);
  });

  test('writes nothing at all when only one of the target files exists', async () => {
    const out = temporaryFolder();
    writeFileSync(join(out, 'publickey.cer'), 'an older certificate\n');
    const before = snapshot(out);
    const result = await runCli(['keys', 'create', '--out', out, '--bits', '2048']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /publickey\.cer already exists/);
    assert.deepEqual(snapshot(out), before, 'no privatekey.pem or publickey.pem appeared');
  });

  test('--passphrase-file writes an ENCRYPTED PRIVATE KEY that opens only with that passphrase', async () => {
    const out = temporaryFolder();
    const result = ok(
      await runCli([
        'keys',
        'create',
        '--out',
        out,
        '--bits',
        '2048',
        '--passphrase-file',
        keys.passphraseFile,
        '--format',
        'json',
      ]),
      'keys create',
    );
    assert.equal(parseJson(result.stdout)['encrypted'], true);
    const pem = readFileSync(join(out, 'privatekey.pem'), 'utf8');
    assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    assert.equal(mode(join(out, 'privatekey.pem')), 0o600);
    assert.throws(() => createPrivateKey(pem), 'unreadable without the passphrase');
    assert.throws(
      () => createPrivateKey({ key: pem, format: 'pem', passphrase: `${keys.passphrase}\n` }),
      'the trailing newline of the file is not part of the passphrase',
    );
    const privateKey = createPrivateKey({ key: pem, format: 'pem', passphrase: keys.passphrase });
    assert.ok(new X509Certificate(readFileSync(join(out, 'publickey.cer'))).checkPrivateKey(privateKey));
  });

  test('--bits 1024 is refused with exit 2 and writes nothing', async () => {
    const out = join(temporaryFolder(), 'keys');
    const result = await runCli(['keys', 'create', '--out', out, '--bits', '1024']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /--bits/);
    assert.equal(existsSync(out), false);
  });

  // The only default-size (4096-bit) generation of this file.
  test('the default key size is 4096 bits', { timeout: 120_000 }, async () => {
    const out = temporaryFolder();
    const result = ok(
      await runCli(['keys', 'create', '--out', out, '--format', 'json'], { timeoutMs: 120_000 }),
      'keys create',
    );
    assert.equal(parseJson(result.stdout)['bits'], 4096);
    assert.equal(createPrivateKey(readFileSync(join(out, 'privatekey.pem'))).asymmetricKeyDetails?.modulusLength, 4096);
    assert.equal(
      new X509Certificate(readFileSync(join(out, 'publickey.cer'))).publicKey.asymmetricKeyDetails?.modulusLength,
      4096,
    );
  });
});

describe('keys show', { concurrency: true }, () => {
  const publicKey = createPublicKey(readFileSync(keys.publicPem));
  const kid = thumbprint(publicKey);
  // A certificate for the fixture key pair, made once with the CLI itself.
  const certificateFolder = temporaryFolder();
  const certificateReady = runCli(['keys', 'create', '--out', certificateFolder, '--bits', '2048', '--single-line']);
  const certificatePath = join(certificateFolder, 'publickey.cer');

  test('text describes a certificate: kind, size, subject, validity, thumbprints', async () => {
    ok(await certificateReady, 'keys create');
    const certificate = new X509Certificate(readFileSync(certificatePath));
    const result = ok(await runCli(['keys', 'show', certificatePath]), 'keys show');
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^kind +X\.509 certificate$/m);
    assert.match(result.stdout, /^key +RSA 2048 bits$/m);
    assert.match(result.stdout, /^subject +CN=qs-jwt$/m);
    assert.match(result.stdout, /self-signed/);
    assert.match(result.stdout, new RegExp(`^SHA-256 +${certificate.fingerprint256}$`, 'm'));
    assert.match(result.stdout, new RegExp(`^SHA-1 +${certificate.fingerprint}$`, 'm'));
    assert.match(result.stdout, new RegExp(`^JWK thumbprint +${thumbprint(certificate.publicKey)}$`, 'm'));
  });

  test('json describes a private key, with its RFC 7638 thumbprint', async () => {
    const result = ok(await runCli(['keys', 'show', keys.pkcs8, '--format', 'json']), 'keys show');
    const description = parseJson(result.stdout);
    assert.equal(description['file'], keys.pkcs8);
    assert.equal(description['kind'], 'private-key');
    assert.equal(description['encoding'], 'PEM PKCS#8');
    assert.equal(description['bits'], 2048);
    assert.equal(description['jwkThumbprint'], kid);
  });

  test('pem converts a PKCS#1 key to the same key as PKCS#8', async () => {
    const result = ok(await runCli(['keys', 'show', keys.pkcs1, '--format', 'pem']), 'keys show');
    assert.match(result.stdout, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    const converted = createPrivateKey(result.stdout);
    const original = createPrivateKey(readFileSync(keys.pkcs1));
    assert.deepEqual(converted.export({ format: 'jwk' }), original.export({ format: 'jwk' }));
  });

  test('pem --public gives the SPKI public key of a private key', async () => {
    const result = ok(await runCli(['keys', 'show', keys.pkcs1, '--format', 'pem', '--public']), 'keys show');
    assert.match(result.stdout, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.doesNotMatch(result.stdout, /PRIVATE/);
    assert.ok(createPublicKey(result.stdout).equals(publicKey));
  });

  test('single-line gives a certificate on one line, the same as keys create --single-line wrote', async () => {
    ok(await certificateReady, 'keys create');
    const result = ok(await runCli(['keys', 'show', certificatePath, '--format', 'single-line']), 'keys show');
    assert.equal(result.stdout.split('\n').length, 2, 'one line and its line break');
    assert.equal(result.stdout, readFileSync(join(certificateFolder, 'publickey-single-line.txt'), 'utf8'));
  });

  test("single-line --public gives a private key's public key on one line", async () => {
    const result = ok(await runCli(['keys', 'show', keys.pkcs8, '--format', 'single-line', '--public']), 'keys show');
    assert.match(result.stdout, /^-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=]+-----END PUBLIC KEY-----\n$/);
    assert.equal(pemBody(result.stdout), pemBody(readFileSync(keys.publicPem, 'utf8')));
  });

  test('jwk of a private key is the private JWK, kid = the thumbprint json reports', async () => {
    const [jwkResult, jsonResult] = await Promise.all([
      runCli(['keys', 'show', keys.pkcs8, '--format', 'jwk']),
      runCli(['keys', 'show', keys.pkcs8, '--format', 'json']),
    ]);
    const jwk = parseJson(ok(jwkResult, 'jwk').stdout);
    assert.equal(jwk['kty'], 'RSA');
    assert.equal(typeof jwk['d'], 'string', 'a private JWK');
    assert.equal(jwk['kid'], parseJson(ok(jsonResult, 'json').stdout)['jwkThumbprint']);
    assert.equal(jwk['kid'], kid);
    const imported = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    assert.ok(createPublicKey(imported).equals(publicKey));
  });

  test('jwk --public has no private members and kid = the thumbprint', async () => {
    const result = ok(
      await runCli([
        'keys',
        'show',
        keys.encryptedPkcs8,
        '--format',
        'jwk',
        '--public',
        '--passphrase-file',
        keys.passphraseFile,
      ]),
      'keys show',
    );
    const jwk = parseJson(result.stdout);
    assert.deepEqual(Object.keys(jwk).sort(), ['e', 'kid', 'kty', 'n']);
    assert.equal(jwk['kid'], kid);
    assert.ok(createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).equals(publicKey));
  });

  test('reads standard input for -', async () => {
    const result = ok(
      await runCli(['keys', 'show', '-', '--format', 'json'], { stdin: readFileSync(keys.pkcs1) }),
      'keys show -',
    );
    const description = parseJson(result.stdout);
    assert.equal(description['file'], 'standard input');
    assert.equal(description['kind'], 'private-key');
    assert.equal(description['encoding'], 'PEM PKCS#1');
    assert.equal(description['jwkThumbprint'], kid);
  });

  test('JWK files: a private JWK is a private key, a public JWK a public key, both with the same thumbprint', async () => {
    const [privateResult, publicResult] = await Promise.all([
      runCli(['keys', 'show', keys.jwk, '--format', 'json']),
      runCli(['keys', 'show', keys.publicJwk, '--format', 'json']),
    ]);
    const privateDescription = parseJson(ok(privateResult, 'private JWK').stdout);
    const publicDescription = parseJson(ok(publicResult, 'public JWK').stdout);
    assert.deepEqual([privateDescription['kind'], privateDescription['encoding']], ['private-key', 'JWK']);
    assert.deepEqual([publicDescription['kind'], publicDescription['encoding']], ['public-key', 'JWK']);
    assert.equal(privateDescription['jwkThumbprint'], kid);
    assert.equal(publicDescription['jwkThumbprint'], kid);
  });

  test('an encrypted key without a passphrase is shown as encrypted, and says how to open it', async () => {
    const [text, json] = await Promise.all([
      runCli(['keys', 'show', keys.encryptedPkcs8]),
      runCli(['keys', 'show', keys.encryptedPkcs8, '--format', 'json']),
    ]);
    assert.match(ok(text, 'text').stdout, /^kind +encrypted private key .*--passphrase-file.*QSJWT_PASSPHRASE/m);
    assert.match(text.stdout, /^encoding +PEM PKCS#8, encrypted$/m);
    assert.doesNotMatch(text.stdout, /thumbprint/i, 'nothing claimed about a key it could not read');
    assert.deepEqual(parseJson(ok(json, 'json').stdout), {
      file: keys.encryptedPkcs8,
      kind: 'encrypted-private-key',
      encoding: 'PEM PKCS#8, encrypted',
    });
  });

  test('an encrypted key opens with --passphrase-file or QSJWT_PASSPHRASE', async () => {
    const [withFile, withEnvironment] = await Promise.all([
      runCli(['keys', 'show', keys.encryptedPkcs8, '--format', 'json', '--passphrase-file', keys.passphraseFile]),
      runCli(['keys', 'show', keys.encryptedPkcs8, '--format', 'json'], { env: { QSJWT_PASSPHRASE: keys.passphrase } }),
    ]);
    for (const result of [withFile, withEnvironment]) {
      const description = parseJson(ok(result, 'keys show').stdout);
      assert.equal(description['kind'], 'private-key');
      assert.equal(description['bits'], 2048);
      assert.equal(description['jwkThumbprint'], kid);
    }
  });

  test('a key under 2048 bits is described, said to be unusable (exit 1), and never converted', async () => {
    const smallPublic = createPublicKey(readFileSync(keys.small));
    const [text, json, jwk] = await Promise.all([
      runCli(['keys', 'show', keys.small]),
      runCli(['keys', 'show', keys.small, '--format', 'json']),
      runCli(['keys', 'show', keys.small, '--format', 'jwk', '--public']),
    ]);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /^key +RSA 1024 bits$/m);
    assert.match(text.stdout, /^usable +no: RSA keys under 2048 bits are breakable/m);
    assert.match(text.stderr, /1024-bit key; create a new one with qs-jwt keys create/);
    assert.equal(json.code, 1, json.stderr);
    const description = parseJson(json.stdout);
    assert.equal(description['bits'], 1024);
    assert.equal(description['jwkThumbprint'], thumbprint(smallPublic));
    assert.match(String(description['unusable']), /under 2048 bits/);
    assert.equal(jwk.code, 2, 'converting a small key is refused as before');
    assert.equal(jwk.stdout, '');
    assert.match(jwk.stderr, /1024 bits/);
  });
});
