/**
 * Key and certificate files in the shapes users bring them in: DER certificates (the Windows .cer
 * default), PKCS#12 archives (the QMC's client.pfx), EC and OpenSSH keys, files of several certificates
 * and indented PEM. Files are made with openssl and ssh-keygen, so the CLI is checked against them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { signJwt } from '../src/core/jose/compact-jws.js';
import { KeyError } from '../src/core/errors.js';
import { derElement, derInteger, derOid, derSequence, readDerElement } from '../src/core/keys/der.js';
import { loadPrivateKey, loadPublicKey } from '../src/core/keys/key-input.js';
import { readKeyMaterial } from '../src/core/keys/key-material.js';
import { hasCommand, hasOpenssl, temporaryFolder } from './support/fixtures.js';
import { CLI_PATH, runCli, type CliResult } from './support/run-cli.js';
import { startUrlPrintingProcess } from './support/url-printing-process.js';

const work = temporaryFolder('qs-jwt-formats-');
const path = (name: string): string => join(work, name);
const openssl = hasOpenssl();
const sshKeygen = hasCommand('ssh-keygen') || existsSshKeygen();

function existsSshKeygen(): boolean {
  // ssh-keygen has no --version; any run that starts at all proves it is installed.
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function run(command: string, args: string[]): Buffer {
  return execFileSync(command, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
}

function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.code, 0, `${what}: exit ${String(result.code)}, stderr: ${result.stderr}`);
  return result;
}

function oneLineError(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
  assert.match(result.stderr, pattern);
}

function row(stdout: string, name: string): string | undefined {
  return new RegExp(`^${name} +(.*)$`, 'm').exec(stdout)?.[1];
}

function token(key: KeyObject): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { userId: 'anna', userDirectory: 'ACME', iat: now, exp: now + 600 };
  return signJwt({ alg: 'RS256', typ: 'JWT' }, claims, key);
}

// One RSA key and certificate made by openssl, in PEM, DER and PKCS#12 shapes.
const files = {
  key: path('k.pem'),
  cert: path('c.pem'),
  der: path('c.cer'),
  pfx: path('client.pfx'),
  pfxNoMac: path('nomac.pfx'),
  pfxEmpty: path('empty.pfx'),
  pfxSha1: path('sha1.pfx'),
  other: path('other.pem'),
  chain: path('chain.pem'),
};
if (openssl) {
  const selfSigned = (key: string, out: string, subject: string): string[] => [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    out,
    '-days',
    '10',
    '-subj',
    subject,
  ];
  const pkcs12 = (out: string, ...extra: string[]): string[] => [
    'pkcs12',
    '-export',
    '-in',
    files.cert,
    '-inkey',
    files.key,
    '-out',
    out,
    ...extra,
  ];
  run('openssl', selfSigned(files.key, files.cert, '/CN=qs-jwt formats'));
  run('openssl', ['x509', '-in', files.cert, '-outform', 'DER', '-out', files.der]);
  run('openssl', pkcs12(files.pfx, '-passout', 'pass:secret'));
  run('openssl', pkcs12(files.pfxNoMac, '-passout', 'pass:', '-nomac'));
  run('openssl', pkcs12(files.pfxEmpty, '-passout', 'pass:'));
  run('openssl', pkcs12(files.pfxSha1, '-passout', 'pass:', '-macalg', 'sha1'));
  run('openssl', selfSigned(path('other-key.pem'), files.other, '/CN=other'));
  writeFileSync(files.chain, Buffer.concat([readFileSync(files.cert), readFileSync(files.other)]));
}
const skipOpenssl = openssl ? false : 'openssl is not installed';

describe('DER certificates and PKCS#12 archives', { concurrency: true, skip: skipOpenssl }, () => {
  test("keys show describes a DER certificate as fully as its PEM form; --format pem is openssl's PEM", async () => {
    const [der, pem, converted] = await Promise.all([
      runCli(['keys', 'show', files.der]),
      runCli(['keys', 'show', files.cert]),
      runCli(['keys', 'show', files.der, '--format', 'pem']),
    ]);
    ok(der, 'keys show DER');
    assert.equal(row(der.stdout, 'encoding'), 'DER X.509');
    assert.equal(row(der.stdout, 'kind'), 'X.509 certificate');
    const certificate = new X509Certificate(readFileSync(files.der));
    assert.equal(row(der.stdout, 'SHA-256'), certificate.fingerprint256);
    const fingerprintArgs = ['x509', '-in', files.der, '-inform', 'DER', '-noout', '-fingerprint', '-sha256'];
    const fingerprint = run('openssl', fingerprintArgs);
    const shown = `sha256 Fingerprint=${row(der.stdout, 'SHA-256') ?? ''}`;
    assert.equal(shown.toLowerCase(), fingerprint.toString().trim().toLowerCase());
    const withoutFileAndEncoding = (stdout: string): string => stdout.replace(/^(file|encoding) .*\n/gm, '');
    assert.equal(withoutFileAndEncoding(der.stdout), withoutFileAndEncoding(ok(pem, 'keys show PEM').stdout));
    assert.equal(ok(converted, 'keys show --format pem').stdout, readFileSync(files.cert, 'utf8'));
  });

  test("verify --cert takes a DER certificate; a signing command's --key calls it a certificate", async () => {
    const signer = createPrivateKey(readFileSync(files.key));
    const [verified, create] = await Promise.all([
      runCli(['verify', token(signer), '--cert', files.der]),
      runCli(['create', 'qseow', '--key', files.der, '--userid', 'anna', '--userdir', 'ACME']),
    ]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /^ACCEPTED/);
    oneLineError(create, 2, /--key .*c\.cer: this is a certificate \(DER\), which holds only the public key/);
  });

  test('emulate --cert takes a DER certificate and accepts tokens of its key; refuses a chain file', async () => {
    const emulator = await startUrlPrintingProcess(
      process.execPath,
      [CLI_PATH, 'emulate', 'qseow', '--cert', files.der, '--port', '0'],
      { cwd: work, killAfterMs: 30_000 },
    );
    try {
      const url = emulator.url;
      const signer = createPrivateKey(readFileSync(files.key));
      const response = await fetch(`${url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token(signer)}` } });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { userId: string }).userId, 'anna');
      assert.equal(await emulator.stop(), 0);
    } finally {
      emulator.child.kill('SIGKILL');
    }
    const chain = await runCli(['emulate', 'qseow', '--cert', files.chain, '--port', '0'], { timeoutMs: 30_000 });
    oneLineError(chain, 2, /chain\.pem: the file holds 2 certificates/);
  });

  test('the library loads the public key of a DER certificate (what emulate --cert and profile certFile use)', () => {
    const der = readFileSync(files.der);
    assert.ok(loadPublicKey(der).equals(new X509Certificate(der).publicKey));
  });

  test('keys show names a PKCS#12 archive, says if a password guards it, gives working openssl commands', async () => {
    // An archive with a real password and a SHA-1 MAC, as older Windows exports have, is 'set' too.
    run('openssl', [
      'pkcs12',
      '-export',
      '-in',
      files.cert,
      '-inkey',
      files.key,
      '-out',
      path('set-sha1.pfx'),
      '-passout',
      'pass:secret',
      '-macalg',
      'sha1',
    ]);
    const setSha1 = JSON.parse((await runCli(['keys', 'show', path('set-sha1.pfx'), '--format', 'json'])).stdout);
    assert.equal((setSha1 as { password: string }).password, 'set');
    const showJson = (file: string): Promise<CliResult> => runCli(['keys', 'show', file, '--format', 'json']);
    const [text, json, ...others] = await Promise.all([
      runCli(['keys', 'show', files.pfx]),
      runCli(['keys', 'show', files.pfx, '--format', 'json']),
      ...[files.pfxNoMac, files.pfxEmpty, files.pfxSha1].map(showJson),
    ]);
    assert.equal(text.code, 1, 'unusable as it is: exit 1');
    assert.match(row(text.stdout, 'kind') ?? '', /^PKCS#12 \/ PFX/);
    assert.match(row(text.stdout, 'password') ?? '', /^yes/);
    assert.match(text.stderr, /^qs-jwt: .*client\.pfx: .*not a PKCS#12 archive: extract them/);
    type Described = { passwordProtected: boolean; extract: { certificate: string; privateKey: string } };
    const description = JSON.parse(json.stdout) as Described;
    assert.equal(description.passwordProtected, true);
    // What the MAC check finds, each against a file whose password openssl was given.
    const found = others.map((result) => JSON.parse(result.stdout) as { passwordProtected: boolean; password: string });
    const passwords = found.map((facts) => facts.password);
    assert.deepEqual(passwords, ['no-mac', 'empty', 'empty'], 'no MAC; empty with SHA-256, SHA-1');
    assert.deepEqual(
      found.map((facts) => facts.passwordProtected),
      [false, false, false],
    );
    assert.equal(row(text.stdout, 'certificate'), description.extract.certificate);
    // Run the commands as shown, with the password given on the command line instead of typed.
    for (const command of [description.extract.certificate, description.extract.privateKey]) {
      const withPassword = command.replace(/openssl pkcs12 /, 'openssl pkcs12 -passin pass:secret ');
      execFileSync('sh', ['-c', withPassword], { cwd: work, stdio: 'ignore' });
    }
    const extractedCertificate = readFileSync(path('publickey.cer'), 'utf8');
    assert.equal(extractedCertificate, readFileSync(files.cert, 'utf8'), 'the same certificate, clean PEM');
    const extractedKey = readFileSync(path('privatekey.pem'), 'utf8');
    assert.match(extractedKey, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.ok(new X509Certificate(extractedCertificate).checkPrivateKey(createPrivateKey(extractedKey)));
  });

  test('a PKCS#12 archive as --key or --cert is refused in one line naming the openssl pkcs12 commands', async () => {
    const [asKey, asCert] = await Promise.all([
      runCli(['create', 'qseow', '--key', files.pfx, '--userid', 'anna', '--userdir', 'ACME']),
      runCli(['verify', 'a.b.c', '--cert', files.pfx]),
    ]);
    const expected = /client\.pfx: this is a PKCS#12 archive.*openssl pkcs12 .*-nokeys.*openssl pkcs12 .*-nocerts/;
    for (const result of [asKey, asCert]) oneLineError(result, 2, expected);
  });
});

describe('files of several certificates', { concurrency: true, skip: skipOpenssl }, () => {
  test('keys show lists every certificate and says Qlik takes one (exit 1)', async () => {
    const result = await runCli(['keys', 'show', files.chain]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^certificate +1 of 2$/m);
    assert.match(result.stdout, /^certificate +2 of 2$/m);
    assert.match(result.stdout, /^ +subject +CN=qs-jwt formats$/m);
    assert.match(result.stdout, /^ +subject +CN=other$/m);
    assert.match(result.stdout, new RegExp(new X509Certificate(readFileSync(files.other)).fingerprint256));
    assert.match(result.stderr, /holds 2 certificates, but Qlik takes exactly one/);
    const json = await runCli(['keys', 'show', files.chain, '--format', 'json']);
    const { certificates } = JSON.parse(json.stdout) as { certificates: { subject: string }[] };
    assert.deepEqual(
      certificates.map((facts) => facts.subject),
      ['CN=qs-jwt formats', 'CN=other'],
    );
  });

  test('verify --cert and keys show conversions refuse a file of several certificates: one line, exit 2', async () => {
    const signer = createPrivateKey(readFileSync(files.key));
    const [verified, converted] = await Promise.all([
      runCli(['verify', token(signer), '--cert', files.chain]),
      runCli(['keys', 'show', files.chain, '--format', 'single-line']),
    ]);
    const expected = /chain\.pem: the file holds 2 certificates, but Qlik takes exactly one/;
    for (const result of [verified, converted]) oneLineError(result, 2, expected);
  });

  test('the library refuses several certificates where one key is wanted (emulate --cert, profile certFile)', () => {
    assert.throws(() => loadPublicKey(readFileSync(files.chain)), { code: 'CERT_MULTIPLE' });
  });
});

describe('EC, Ed25519 and OpenSSH keys', { concurrency: true }, () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const ecFiles = {
    pkcs8: path('ec-pkcs8.pem'),
    sec1: path('ec-sec1.pem'),
    publicPem: path('ec-public.pem'),
    jwk: path('ec.jwk'),
    publicJwk: path('ec-public.jwk'),
  };
  writeFileSync(ecFiles.pkcs8, ec.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(ecFiles.sec1, ec.privateKey.export({ type: 'sec1', format: 'pem' }));
  writeFileSync(ecFiles.publicPem, ec.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(ecFiles.jwk, JSON.stringify(ec.privateKey.export({ format: 'jwk' })));
  writeFileSync(ecFiles.publicJwk, JSON.stringify(ec.publicKey.export({ format: 'jwk' })));

  test('keys show describes EC keys in every shape (curve, thumbprint) and says Qlik needs RSA (exit 1)', async () => {
    const show = (file: string): Promise<CliResult> => runCli(['keys', 'show', file, '--format', 'json']);
    const results = await Promise.all(Object.values(ecFiles).map(show));
    const thumbprints = new Set<string>();
    for (const result of results) {
      assert.equal(result.code, 1, result.stderr);
      const description = JSON.parse(result.stdout) as Record<string, string>;
      assert.equal(description['keyType'], 'EC');
      assert.equal(description['curve'], 'P-384');
      assert.match(description['unusable'] ?? '', /Qlik accepts only RSA keys/);
      thumbprints.add(description['jwkThumbprint'] ?? '');
      const said = /^qs-jwt: .*: Qlik accepts only RSA keys .*EC P-384 key: create an RSA key pair with qs-jwt keys/;
      assert.match(result.stderr, said);
    }
    assert.equal(thumbprints.size, 1, 'one key, one thumbprint in every shape');
    const text = await runCli(['keys', 'show', ecFiles.sec1]);
    assert.equal(row(text.stdout, 'key'), 'EC P-384');
    assert.equal(row(text.stdout, 'encoding'), 'PEM SEC1');
  });

  test('converting an EC key is still refused (exit 2); signing with one still says it is not RSA', async () => {
    const [converted, create] = await Promise.all([
      runCli(['keys', 'show', ecFiles.pkcs8, '--format', 'pem']),
      runCli(['create', 'qseow', '--key', ecFiles.jwk, '--userid', 'anna', '--userdir', 'ACME']),
    ]);
    oneLineError(converted, 2, /EC key: Qlik Sense needs an RSA key/);
    oneLineError(create, 2, /kty "EC": Qlik Sense needs an RSA key/);
  });

  const needsSshKeygen = { skip: sshKeygen ? false : 'ssh-keygen is not installed' };
  test("ssh-rsa .pub has ssh-keygen's fingerprint and PEM; ssh-ed25519 is unusable", needsSshKeygen, async () => {
    run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', 'anna@laptop', '-f', path('id_rsa')]);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ed key', '-f', path('id_ed25519')]);
    const [rsaText, rsaPem, ed] = await Promise.all([
      runCli(['keys', 'show', path('id_rsa.pub')]),
      runCli(['keys', 'show', path('id_rsa.pub'), '--format', 'pem']),
      runCli(['keys', 'show', path('id_ed25519.pub')]),
    ]);
    ok(rsaText, 'keys show ssh-rsa');
    assert.equal(row(rsaText.stdout, 'encoding'), 'OpenSSH ssh-rsa');
    assert.equal(row(rsaText.stdout, 'key'), 'RSA 2048 bits');
    assert.equal(row(rsaText.stdout, 'SSH comment'), 'anna@laptop');
    const listed = run('ssh-keygen', ['-l', '-f', path('id_rsa.pub')])
      .toString()
      .split(' ')[1];
    assert.equal(row(rsaText.stdout, 'SSH fingerprint'), listed);
    const exported = run('ssh-keygen', ['-e', '-m', 'PKCS8', '-f', path('id_rsa.pub')]).toString();
    assert.equal(ok(rsaPem, 'keys show --format pem').stdout, exported);
    assert.equal(ed.code, 1, ed.stderr);
    assert.equal(row(ed.stdout, 'key'), 'Ed25519');
    const edListed = run('ssh-keygen', ['-l', '-f', path('id_ed25519.pub')])
      .toString()
      .split(' ')[1];
    assert.equal(row(ed.stdout, 'SSH fingerprint'), edListed);
    assert.match(row(ed.stdout, 'usable') ?? '', /^no: Qlik accepts only RSA keys/);
  });

  test('an ssh-rsa key under 2048 bits is described and unusable; a damaged .pub line is one clear error', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    // The SSH wire format: each field a 4-byte length and its bytes; integers signed, so 0x80+ gets a zero.
    const field = (bytes: Buffer): Buffer => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(bytes.length);
      return Buffer.concat([prefix, bytes]);
    };
    const mpint = (base64url: string): Buffer => {
      const raw = Buffer.from(base64url, 'base64url');
      return (raw[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw;
    };
    const blob = Buffer.concat([
      field(Buffer.from('ssh-rsa')),
      field(mpint(small.e ?? '')),
      field(mpint(small.n ?? '')),
    ]);
    writeFileSync(path('small.pub'), `ssh-rsa ${blob.toString('base64')} small\n`);
    writeFileSync(path('damaged.pub'), `ssh-rsa ${blob.subarray(0, 40).toString('base64')} cut\n`);
    const [smallResult, damaged] = await Promise.all([
      runCli(['keys', 'show', path('small.pub')]),
      runCli(['keys', 'show', path('damaged.pub')]),
    ]);
    assert.equal(smallResult.code, 1, smallResult.stderr);
    assert.equal(row(smallResult.stdout, 'key'), 'RSA 1024 bits');
    oneLineError(damaged, 2, /damaged\.pub: the OpenSSH ssh-rsa key cannot be read/);
  });
});

describe('indented PEM', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pems = {
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    pkcs1: pair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    legacyEncrypted: pair.privateKey.export({
      type: 'pkcs1',
      format: 'pem',
      cipher: 'aes-128-cbc',
      passphrase: 'pw',
    }) as string,
  };
  const indentation = fc.array(fc.constantFrom(' ', '\t'), { maxLength: 8 }).map((parts) => parts.join(''));
  const reindent = (pem: string, before: string[], after: string[], newline: string): string =>
    pem
      .trimEnd()
      .split('\n')
      .map((line, index) => `${before[index % before.length] ?? ''}${line}${after[index % after.length] ?? ''}`)
      .join(newline);
  const layout = fc.record({
    before: fc.array(indentation, { minLength: 1, maxLength: 5 }),
    after: fc.array(indentation, { minLength: 1, maxLength: 5 }),
    newline: fc.constantFrom('\n', '\r\n'),
  });

  test('keys indented by any spaces and tabs per line (pasted from YAML or a web form) load as the same key', () => {
    fc.assert(
      fc.property(layout, ({ before, after, newline }) => {
        assert.ok(loadPublicKey(reindent(pems.publicKey, before, after, newline)).equals(pair.publicKey));
        assert.ok(loadPrivateKey(reindent(pems.pkcs1, before, after, newline)).equals(pair.privateKey));
        const legacy = reindent(pems.legacyEncrypted, before, after, newline);
        const opened = loadPrivateKey(legacy, { passphrase: 'pw' });
        assert.ok(opened.equals(pair.privateKey), 'legacy encryption headers survive');
      }),
      { numRuns: 60 },
    );
  });

  test('verify --cert takes an indented certificate file', { skip: skipOpenssl }, async () => {
    const lines = readFileSync(files.cert, 'utf8').split('\n');
    const indented = lines.map((line) => (line ? `      ${line}` : line)).join('\n');
    writeFileSync(path('indented.cer'), `certificate: |\n${indented}`);
    const signed = token(createPrivateKey(readFileSync(files.key)));
    const result = await runCli(['verify', signed, '--cert', path('indented.cer')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ACCEPTED/);
  });

  test("the public key of an indented certificate is the certificate's", { skip: skipOpenssl }, () => {
    const pem = readFileSync(files.cert, 'utf8');
    const key = loadPublicKey(pem.replace(/^/gm, '\t  '));
    assert.ok(key.equals(createPublicKey(pem)));
  });
});

describe('parsers of binary and OpenSSH input (property tests)', () => {
  const refusesWithKeyError = (read: () => unknown): void => {
    try {
      read();
    } catch (error) {
      assert.ok(error instanceof KeyError, `a KeyError, not ${String(error)}`);
    }
  };

  test('DER elements written with any tag and content length read back exactly, and truncation is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x1e }), fc.uint8Array({ maxLength: 70_000 }), (tag, content) => {
        const encoded = derElement(tag, content);
        const element = readDerElement(encoded);
        assert.ok(element);
        assert.equal(element.tag, tag);
        assert.deepEqual(Buffer.from(element.value), Buffer.from(content));
        assert.equal(element.end, encoded.length);
        if (content.length > 0) assert.equal(readDerElement(encoded.subarray(0, encoded.length - 1)), undefined);
      }),
      { numRuns: 40 },
    );
  });

  test('any bytes that start like DER (0x30), or a PKCS#12 header with junk after it, give a KeyError or a key', () => {
    const pkcs12Start = derSequence(derInteger(3), derSequence(derOid('1.2.840.113549.1.7.1')));
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((tail) => Uint8Array.of(0x30, ...tail)),
      fc.uint8Array({ maxLength: 200 }).map((tail) => Buffer.concat([pkcs12Start, tail])),
    );
    fc.assert(
      fc.property(inputs, (bytes) => {
        refusesWithKeyError(() => readKeyMaterial(bytes, { describeOnly: true }));
        refusesWithKeyError(() => loadPublicKey(bytes));
        refusesWithKeyError(() => loadPrivateKey(bytes));
      }),
      { numRuns: 300 },
    );
  });

  test('an OpenSSH line with any base64 blob gives a KeyError or a key, never another exception', () => {
    const types = fc.constantFrom('ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-dss');
    fc.assert(
      fc.property(types, fc.uint8Array({ maxLength: 300 }), (type, blob) => {
        const line = `${type} ${Buffer.from(blob).toString('base64')} comment`;
        refusesWithKeyError(() => readKeyMaterial(line, { describeOnly: true }));
      }),
      { numRuns: 300 },
    );
  });
});
