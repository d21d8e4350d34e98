// `create-qseow` and `create-qscloud` with the JavaScript qs-jwt's flags, run as a subprocess: a pipeline
// switches by changing the binary, and gets real exit codes and Qlik-correct claims.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodePart, makeKeyFixtures, temporaryFolder } from './support/fixtures.js';
import { runCli, type CliResult, type CliRunOptions } from './support/run-cli.js';

const keys = makeKeyFixtures();
const publicKey = createPublicKey(readFileSync(keys.publicPem));
const TOKEN_LINE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/;
const DAY_MS = 86_400_000;

const qseow = (...extra: string[]): string[] => [
  'create-qseow',
  '--userdir',
  'ACME',
  '--userid',
  'anna',
  '--expires',
  '1h',
  ...extra,
];
const qscloud = (...extra: string[]): string[] => [
  'create-qscloud',
  '--useremail',
  'anna@acme.com',
  '--username',
  'Anna Andersson',
  '--issuer',
  'https://idp.acme.com',
  '--keyid',
  'key-1',
  '--expires',
  '5m',
  '--cert-privatekey-file',
  keys.pkcs8,
  ...extra,
];

interface Minted {
  token: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  result: CliResult;
}

async function mint(args: string[], options: CliRunOptions = {}, key: KeyObject = publicKey): Promise<Minted> {
  const result = await runCli(args, options);
  assert.equal(result.code, 0, `exit ${String(result.code)}: ${result.stderr}`);
  assert.match(result.stdout, TOKEN_LINE, 'stdout carries only the token');
  const token = result.stdout.trimEnd();
  const [headerPart = '', payloadPart = '', signature = ''] = token.split('.');
  assert.ok(
    verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signature, 'base64url')),
    'signature verifies',
  );
  return { token, header: decodePart(token, 0), payload: decodePart(token, 1), result };
}

function assertOneLineFailure(result: CliResult, code: number): string {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', /^qs-jwt[ :].*error/);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
  return lines[0] ?? '';
}

describe('create-qseow', { concurrency: true }, () => {
  test('takes the JavaScript flags and prints only the token, with a groups array and an audience', async () => {
    const { header, payload, result } = await mint([
      'create-qseow',
      '--userdir',
      'ACME',
      '--userid',
      'anna',
      '--username',
      'Anna Andersson',
      '--useremail',
      'anna@acme.com',
      '--groups',
      'Sales',
      'EMEA Managers',
      '--groups',
      'Finance',
      '--expires',
      '8h',
      '--audience',
      'qlik.example.com',
      '--cert-privatekey-file',
      keys.pkcs8,
    ]);
    assert.equal(result.stderr, '');
    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT' });
    assert.equal(payload['userId'], 'anna');
    assert.equal(payload['userDirectory'], 'ACME');
    assert.equal(payload['name'], 'Anna Andersson');
    assert.equal(payload['email'], 'anna@acme.com');
    assert.deepEqual(payload['groups'], ['Sales', 'EMEA Managers', 'Finance']);
    assert.equal(payload['aud'], 'qlik.example.com');
    assert.equal((payload['exp'] as number) - (payload['iat'] as number), 8 * 3600);
  });

  test('--cert-privatekey with literal PEM text works but warns about shell history on stderr', async () => {
    const pem = readFileSync(keys.pkcs8, 'utf8');
    const [multiLine, escaped] = await Promise.all([
      mint(qseow('--cert-privatekey', pem)),
      mint(qseow('--cert-privatekey', pem.trimEnd().replace(/\n/g, '\\n'))),
    ]);
    for (const { result, payload } of [multiLine, escaped]) {
      assert.equal(payload['userId'], 'anna');
      assert.match(result.stderr, /^qs-jwt: warning: .*--cert-privatekey.*shell history/m);
      assert.match(result.stderr, /--cert-privatekey-file/, 'and names the safer flag');
    }
  });

  test('--loglevel error hides the --cert-privatekey and long-lifetime warnings', async () => {
    const pem = readFileSync(keys.pkcs8, 'utf8');
    const [quiet, loud] = await Promise.all([
      mint([
        'create-qseow',
        '--userdir',
        'ACME',
        '--userid',
        'anna',
        '--expires',
        '40d',
        '--cert-privatekey',
        pem,
        '--loglevel',
        'error',
      ]),
      mint(['create-qseow', '--userdir', 'ACME', '--userid', 'anna', '--expires', '40d', '--cert-privatekey', pem]),
    ]);
    assert.equal(quiet.result.stderr, '');
    assert.match(loud.result.stderr, /shell history/);
    assert.match(loud.result.stderr, /30 days/);
  });

  test('--minimal-output: a clean run prints nothing on stderr', async () => {
    const { result } = await mint(qseow('--cert-privatekey-file', keys.pkcs8, '--minimal-output'));
    assert.equal(result.stderr, '');
  });

  test('an encrypted --cert-privatekey-file opens with --passphrase-file', async () => {
    const { payload } = await mint(
      qseow('--cert-privatekey-file', keys.encryptedPkcs8, '--passphrase-file', keys.passphraseFile),
    );
    assert.equal(payload['userDirectory'], 'ACME');
  });

  test('failures exit non-zero with nothing on stdout: no key given', async () => {
    const line = assertOneLineFailure(await runCli(qseow()), 2);
    assert.match(line, /--cert-privatekey-file/);
    assert.match(line, /--cert-create/);
  });

  test('failures exit non-zero: a key file that does not exist', async () => {
    const missing = join(temporaryFolder(), 'privatekey.pem');
    // Exit 1, as for every file the CLI cannot read (README's exit codes).
    const line = assertOneLineFailure(await runCli(qseow('--cert-privatekey-file', missing)), 1);
    assert.ok(line.includes(missing), line);
  });

  // Two 4096-bit generations: --cert-create always makes a 4096-bit key, and makes it before it finds
  // the files already there.
  test(
    '--cert-create true writes prefixed files (key 0600) in the current folder, then refuses to overwrite them',
    { timeout: 240_000 },
    async () => {
      const cwd = temporaryFolder();
      const args = qseow('--cert-create', 'true', '--cert-file-prefix', 'demo-', '--cert-create-expires-days', '90');
      const created = await runCli([...args, '--minimal-output'], { cwd, timeoutMs: 120_000 });
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, TOKEN_LINE);
      assert.equal(created.stderr, '', '--minimal-output hides the summary of the created files');
      const names = readdirSync(cwd).sort();
      assert.deepEqual(names, ['demo-privatekey.pem', 'demo-publickey.cer', 'demo-publickey.pem']);
      assert.equal(statSync(join(cwd, 'demo-privatekey.pem')).mode & 0o777, 0o600);
      const certificate = new X509Certificate(readFileSync(join(cwd, 'demo-publickey.cer')));
      assert.equal(certificate.publicKey.asymmetricKeyDetails?.modulusLength, 4096);
      const days = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / DAY_MS;
      assert.ok(Math.abs(days - 90) <= 1, `--cert-create-expires-days 90 gives 90 days, got ${days}`);
      // The token is signed with the new key: it verifies with the new certificate.
      const token = created.stdout.trimEnd();
      const [headerPart = '', payloadPart = '', signature = ''] = token.split('.');
      assert.ok(
        verify(
          'sha256',
          Buffer.from(`${headerPart}.${payloadPart}`),
          certificate.publicKey,
          Buffer.from(signature, 'base64url'),
        ),
      );
      assert.equal(decodePart(token, 1)['userId'], 'anna');

      const before = new Map(names.map((name) => [name, readFileSync(join(cwd, name))]));
      const again = await runCli(args, { cwd, timeoutMs: 120_000 });
      const line = assertOneLineFailure(again, 1);
      assert.match(line, /already exists/);
      assert.deepEqual(readdirSync(cwd).sort(), names, 'no new or temporary files');
      for (const [name, content] of before)
        assert.deepEqual(readFileSync(join(cwd, name)), content, `${name} untouched`);
    },
  );
});

describe('create-qscloud', { concurrency: true }, () => {
  test('claims as Qlik Cloud reads them: boolean email_verified, groups (never group), sub = the email', async () => {
    const { header, payload, result } = await mint(
      qscloud('--useremail-verified', 'false', '--groups', 'Sales', 'Finance'),
    );
    assert.equal(result.stderr, '');
    assert.equal(header['kid'], 'key-1');
    assert.equal(payload['email_verified'], false);
    assert.deepEqual(payload['groups'], ['Sales', 'Finance']);
    assert.ok(!('group' in payload), 'no "group" claim');
    assert.equal(payload['sub'], 'anna@acme.com');
    assert.equal(payload['subType'], 'user');
    assert.equal(payload['name'], 'Anna Andersson');
    assert.equal(payload['email'], 'anna@acme.com');
    assert.equal(payload['iss'], 'https://idp.acme.com');
    assert.equal(payload['aud'], 'qlik.api/login/jwt-session');
    assert.equal((payload['exp'] as number) - (payload['nbf'] as number), 300);
  });

  test('email_verified defaults to the JSON boolean true', async () => {
    const { payload } = await mint(qscloud());
    assert.equal(payload['email_verified'], true);
  });

  test('sub is the same for the same user on every run, and --sub overrides it', async () => {
    const [first, second, explicit] = await Promise.all([
      mint(qscloud()),
      mint(qscloud()),
      mint(qscloud('--sub', 'anna-0001')),
    ]);
    assert.equal(first.payload['sub'], second.payload['sub']);
    assert.notEqual(first.payload['jti'], second.payload['jti'], 'while jti stays unique');
    assert.equal(explicit.payload['sub'], 'anna-0001');
  });

  test('--expires 365d is refused (exit 2) with the one-hour rule', async () => {
    const line = assertOneLineFailure(await runCli(qscloud().map((arg) => (arg === '5m' ? '365d' : arg))), 2);
    assert.match(line, /60 minutes/);
  });

  test('failures exit non-zero: no key, no email', async () => {
    const withoutKey = qscloud().filter((arg) => arg !== '--cert-privatekey-file' && arg !== keys.pkcs8);
    const withoutEmail = qscloud().filter((arg) => arg !== '--useremail' && arg !== 'anna@acme.com');
    const [noKey, noEmail] = await Promise.all([runCli(withoutKey), runCli(withoutEmail)]);
    assert.match(assertOneLineFailure(noKey, 2), /--cert-privatekey-file/);
    assert.match(assertOneLineFailure(noEmail, 2), /--useremail/);
  });
});
