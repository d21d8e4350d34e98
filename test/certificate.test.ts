/**
 * The key files and certificate `qs-jwt keys create` writes, checked with the `openssl` command and
 * node:crypto rather than with our own code: X.509 fields and extensions, serial, validity, the
 * self-signature, the key pair's consistency, file formats and modes, and the `keys show` conversions.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate, createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyError, createSelfSignedCertificate, generateKeyPair, loadPrivateKey } from '../src/index.js';
import { hasOpenssl, temporaryFolder } from './support/fixtures.js';
import { runCli } from './support/run-cli.js';

const OPENSSL = hasOpenssl();
const needsOpenssl = OPENSSL
  ? {}
  : { skip: 'the openssl command is not installed: install openssl to run the certificate checks' };
const DAY_SECONDS = 86_400;
const PASSPHRASE = 'correct horse battery staple';

interface KeyDir {
  dir: string;
  privateKey: string;
  publicKey: string;
  certificate: string;
}

const work = temporaryFolder('qs-jwt-cert-');
const passphraseFile = join(work, 'passphrase.txt');
let plain: KeyDir;
let encrypted: KeyDir;

function keyDir(dir: string): KeyDir {
  return {
    dir,
    privateKey: join(dir, 'privatekey.pem'),
    publicKey: join(dir, 'publickey.pem'),
    certificate: join(dir, 'publickey.cer'),
  };
}

before(async () => {
  // A trailing line break, as editors write it: qs-jwt ignores one, and so does openssl's file: source.
  writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  plain = keyDir(join(work, 'plain'));
  encrypted = keyDir(join(work, 'encrypted'));
  const common = ['--bits', '2048', '--days', '30', '--cn', 'my cn'];
  const [first, second] = await Promise.all([
    runCli(['keys', 'create', '--out', plain.dir, ...common], { cwd: work }),
    runCli(['keys', 'create', '--out', encrypted.dir, ...common, '--passphrase-file', passphraseFile], { cwd: work }),
  ]);
  assert.equal(first?.code, 0, first?.stderr);
  assert.equal(second?.code, 0, second?.stderr);
});

function openssl(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function opensslOk(args: readonly string[]): string {
  const result = openssl(args);
  assert.equal(result.status, 0, `openssl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parses OpenSSL's (and Node's X509Certificate's) `Nov  3 09:00:09 2026 GMT` to Unix seconds. */
function parseOpensslDate(text: string): number {
  const match = /^(\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/.exec(text.trim());
  assert.ok(match, `unexpected date format: ${text}`);
  const [, month, day, hours, minutes, seconds, year] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const monthIndex = MONTHS.indexOf(month);
  assert.ok(monthIndex >= 0, `unexpected month in ${text}`);
  return Date.UTC(Number(year), monthIndex, Number(day), Number(hours), Number(minutes), Number(seconds)) / 1000;
}

/** RFC 7638 thumbprint computed here with node:crypto, independent of the library. */
function thumbprint(jwk: { n: string; e: string }): string {
  return createHash('sha256').update(`{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`).digest('base64url');
}

// ---- certificate contents -----------------------------------------------------------------------

test(
  'the certificate is X.509 v3, SHA-256 signed, with the given CN, CA:FALSE, digitalSignature and an SKI',
  needsOpenssl,
  () => {
    const text = opensslOk(['x509', '-in', plain.certificate, '-noout', '-text']);
    assert.match(text, /Version: 3 \(0x2\)/);
    const algorithms = [...text.matchAll(/Signature Algorithm: (\S+)/g)].map((match) => match[1]);
    assert.deepEqual(algorithms, ['sha256WithRSAEncryption', 'sha256WithRSAEncryption']);
    assert.match(text, /Public-Key: \(2048 bit\)/);
    assert.match(text, /Exponent: 65537 \(0x10001\)/);
    assert.match(text, /X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    assert.match(
      text,
      /X509v3 Key Usage: critical\n\s+Digital Signature\n/,
      'keyUsage must be critical and digitalSignature only',
    );
    const ski = /X509v3 Subject Key Identifier: ?\n\s+([0-9A-F:]+)\n/.exec(text);
    assert.ok(ski?.[1], 'the certificate has a subject key identifier');
    assert.equal(ski[1].split(':').length, 20, 'the SKI is a 160-bit key identifier');

    const names = opensslOk(['x509', '-in', plain.certificate, '-noout', '-subject', '-issuer', '-nameopt', 'RFC2253']);
    assert.equal(names, 'subject=CN=my cn\nissuer=CN=my cn\n');
  },
);

test('the serial is positive, at least 64 bits, not all zero, and differs between certificates', needsOpenssl, () => {
  const serials = [plain, encrypted].map((keys) => {
    const output = opensslOk(['x509', '-in', keys.certificate, '-noout', '-serial']).trim();
    const match = /^serial=([0-9A-F]+)$/.exec(output);
    assert.ok(match?.[1], `serial is not a positive hex number: ${output}`);
    return match[1];
  });
  for (const serial of serials) {
    assert.ok(serial.length >= 16, `serial ${serial} has fewer than 8 bytes`);
    assert.equal(serial.length % 2, 0);
    assert.doesNotMatch(serial, /^0+$/);
    assert.ok(
      Number.parseInt(serial.slice(0, 2), 16) < 0x80,
      `serial ${serial}: the top bit must be clear (positive without padding)`,
    );
  }
  assert.notEqual(serials[0], serials[1]);
  // DER view: the serial INTEGER is encoded positive and minimal.
  const asn1 = opensslOk(['asn1parse', '-in', plain.certificate]);
  const serialLine = asn1.split('\n').find((line) => /d=2 .*prim: INTEGER/.test(line));
  assert.ok(serialLine, asn1);
  assert.match(serialLine, new RegExp(`l= *${(serials[0] ?? '').length / 2} prim: INTEGER +:${serials[0]}$`));
});

test('notAfter − notBefore is exactly --days 30, starting now', needsOpenssl, () => {
  const output = opensslOk(['x509', '-in', plain.certificate, '-noout', '-startdate', '-enddate']);
  const notBefore = parseOpensslDate(/notBefore=(.*)/.exec(output)?.[1] ?? '');
  const notAfter = parseOpensslDate(/notAfter=(.*)/.exec(output)?.[1] ?? '');
  assert.equal(notAfter - notBefore, 30 * DAY_SECONDS);
  const now = Date.now() / 1000;
  assert.ok(Math.abs(now - notBefore) < 600, `notBefore ${notBefore} is not close to now ${now}`);
  // The certificate is valid now, by openssl's own clock check.
  opensslOk(['x509', '-in', plain.certificate, '-noout', '-checkend', '0']);
});

test(
  'the self-signature verifies with openssl verify, and not against another key with the same name',
  needsOpenssl,
  () => {
    const ok = opensslOk(['verify', '-x509_strict', '-CAfile', plain.certificate, plain.certificate]);
    assert.equal(ok.trim(), `${plain.certificate}: OK`);
    // Same subject and issuer "CN = my cn", different key: the signature check must fail.
    const wrong = openssl(['verify', '-CAfile', encrypted.certificate, plain.certificate]);
    assert.notEqual(wrong.status, 0, wrong.stdout);
    assert.match(`${wrong.stdout}${wrong.stderr}`, /signature failure|verification failed/);
  },
);

// ---- key files ----------------------------------------------------------------------------------

test("publickey.pem equals the certificate's public key and the private key's public half", needsOpenssl, () => {
  const publicPem = readFileSync(plain.publicKey, 'utf8');
  assert.match(publicPem, /^-----BEGIN PUBLIC KEY-----\n/);
  assert.equal(opensslOk(['x509', '-in', plain.certificate, '-pubkey', '-noout']), publicPem);
  assert.equal(opensslOk(['pkey', '-in', plain.privateKey, '-pubout']), publicPem);
});

test(
  'privatekey.pem is an unencrypted PKCS#8 RSA key that passes openssl rsa -check, with mode 0600',
  needsOpenssl,
  () => {
    const pem = readFileSync(plain.privateKey, 'utf8');
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
    assert.equal(statSync(plain.privateKey).mode & 0o777, 0o600);
    const check = openssl(['rsa', '-check', '-noout', '-in', plain.privateKey]);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /RSA key ok/);
    assert.match(opensslOk(['pkey', '-in', plain.privateKey, '-noout', '-text']), /Private-Key: \(2048 bit/);
  },
);

test(
  'with --passphrase-file the private key is encrypted PKCS#8 (PBES2, AES-256-CBC) that openssl opens',
  needsOpenssl,
  () => {
    const pem = readFileSync(encrypted.privateKey, 'utf8');
    assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    assert.doesNotMatch(pem, /BEGIN PRIVATE KEY/);
    assert.equal(statSync(encrypted.privateKey).mode & 0o777, 0o600);
    const structure = opensslOk(['asn1parse', '-in', encrypted.privateKey]);
    assert.match(structure, /OBJECT +:PBES2/);
    assert.match(structure, /OBJECT +:aes-256-cbc/);
    assert.match(structure, /OBJECT +:hmacWithSHA256/);
    // PBKDF2-params: salt, then the iteration count (hex), which OpenSSL's own export sets to 2048.
    const count = /:PBKDF2\n.*\n.*OCTET STRING.*\n.*INTEGER +:([0-9A-F]+)/.exec(structure)?.[1];
    const iterations = Number.parseInt(count ?? '0', 16);
    assert.ok(iterations >= 600_000, `PBKDF2 iteration count ${iterations} is at least OWASP's 600,000`);
    const text = opensslOk([
      'pkey',
      '-in',
      encrypted.privateKey,
      '-passin',
      `file:${passphraseFile}`,
      '-noout',
      '-text',
    ]);
    assert.match(text, /Private-Key: \(2048 bit/);
    assert.equal(
      opensslOk(['pkey', '-in', encrypted.privateKey, '-passin', `file:${passphraseFile}`, '-pubout']),
      readFileSync(encrypted.publicKey, 'utf8'),
    );
    const wrong = openssl(['pkey', '-in', encrypted.privateKey, '-passin', 'pass:not the passphrase', '-noout']);
    assert.notEqual(wrong.status, 0, 'a wrong passphrase must not open the key');
    // The library reads it back with the same passphrase (no trailing newline).
    const key = loadPrivateKey(pem, { passphrase: PASSPHRASE });
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  },
);

// ---- keys show conversions ----------------------------------------------------------------------

test(
  'keys show --format single-line, with line breaks put back, is the same certificate for openssl',
  needsOpenssl,
  async () => {
    const shown = await runCli(['keys', 'show', plain.certificate, '--format', 'single-line'], { cwd: work });
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.stdout.indexOf('\n'), shown.stdout.length - 1, 'one line and a final line break');
    const match = /^-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=]+)-----END CERTIFICATE-----\n$/.exec(shown.stdout);
    assert.ok(match?.[1], `not a single-line PEM certificate: ${shown.stdout}`);
    const rebuilt = `-----BEGIN CERTIFICATE-----\n${(match[1].match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
    const rebuiltPath = join(work, 'rebuilt.cer');
    writeFileSync(rebuiltPath, rebuilt);
    const fingerprint = (path: string) =>
      opensslOk(['x509', '-in', path, '-noout', '-fingerprint', '-sha256', '-serial', '-subject']);
    assert.equal(fingerprint(rebuiltPath), fingerprint(plain.certificate));
    assert.equal(
      rebuilt,
      readFileSync(plain.certificate, 'utf8'),
      'the single line holds the certificate PEM unchanged',
    );
  },
);

test(
  'keys show --format jwk --public gives the same public key as openssl, without private members',
  needsOpenssl,
  async () => {
    const opensslPublic = opensslOk(['x509', '-in', plain.certificate, '-pubkey', '-noout']);
    const shown = await Promise.all(
      [plain.privateKey, plain.certificate].map((file) =>
        runCli(['keys', 'show', file, '--format', 'jwk', '--public'], { cwd: work }),
      ),
    );
    for (const result of shown) {
      assert.equal(result.code, 0, result.stderr);
      const jwk = JSON.parse(result.stdout) as JsonWebKey & { kid?: string };
      assert.deepEqual(Object.keys(jwk).sort(), ['e', 'kid', 'kty', 'n'], 'a public JWK must carry no private members');
      assert.equal(jwk.kty, 'RSA');
      const converted = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      assert.equal(converted, opensslPublic);
      assert.equal(jwk.kid, thumbprint({ n: jwk.n ?? '', e: jwk.e ?? '' }), 'kid is the RFC 7638 thumbprint');
    }
  },
);

// ---- library: createSelfSignedCertificate ---------------------------------------------------------

let libraryKeys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
async function libraryKeyPair(): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  libraryKeys ??= await generateKeyPair({ bits: 2048 });
  return libraryKeys;
}

test('createSelfSignedCertificate with days=1 round-trips through node:crypto X509Certificate', async () => {
  const { privateKey, publicKey } = await libraryKeyPair();
  const notBefore = new Date('2026-03-01T12:00:00.750Z');
  const pem = await createSelfSignedCertificate({
    privateKey,
    publicKey,
    commonName: 'library test',
    days: 1,
    notBefore,
  });
  assert.match(pem, /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
  const certificate = new X509Certificate(pem);
  assert.equal(certificate.checkPrivateKey(privateKey), true);
  assert.equal(certificate.verify(publicKey), true, 'self-signed with the given key');
  assert.equal(certificate.subject, 'CN=library test');
  assert.equal(certificate.issuer, 'CN=library test');
  assert.equal(certificate.ca, false);
  assert.equal(
    certificate.publicKey.export({ type: 'spki', format: 'pem' }),
    publicKey.export({ type: 'spki', format: 'pem' }),
  );
  const validFrom = parseOpensslDate(certificate.validFrom);
  const validTo = parseOpensslDate(certificate.validTo);
  assert.equal(validFrom, Date.UTC(2026, 2, 1, 12, 0, 0) / 1000, 'notBefore is the given time, to the second');
  assert.equal(validTo - validFrom, DAY_SECONDS);

  // Another key pair's private key does not match the certificate.
  const other = loadPrivateKey(readFileSync(plain.privateKey));
  assert.equal(certificate.checkPrivateKey(other), false);
});

test('createSelfSignedCertificate refuses validities outside 1–36500 whole days', async () => {
  const { privateKey, publicKey } = await libraryKeyPair();
  for (const days of [0, -1, 1.5, 36_501]) {
    await assert.rejects(
      createSelfSignedCertificate({ privateKey, publicKey, days }),
      (error: unknown) => {
        assert.ok(error instanceof KeyError, String(error));
        assert.equal(error.code, 'CERT_INVALID');
        return true;
      },
      `days=${days}`,
    );
  }
  const longest = new X509Certificate(await createSelfSignedCertificate({ privateKey, publicKey, days: 36_500 }));
  assert.equal(parseOpensslDate(longest.validTo) - parseOpensslDate(longest.validFrom), 36_500 * DAY_SECONDS);
});
