// The settings mechanism as a user meets it, run as a subprocess: verify/lint make every check they are
// given (flags imply the platform), --platform versus --profile, config files found upwards only when
// safe, and errors that name the flag, variable or config field a bad value came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCloudToken, createQseowToken, createSelfSignedCertificate } from '../src/index.js';
import { temporaryFolder } from './support/fixtures.js';
import { runCli, type CliResult } from './support/run-cli.js';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const certificate = await createSelfSignedCertificate({ ...pair, commonName: 'qs-jwt settings test', days: 30 });
const root = temporaryFolder();
const certFile = join(root, 'publickey.cer');
const keyFile = join(root, 'privatekey.pem');
writeFileSync(certFile, certificate);
writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

const qseowToken = createQseowToken({ privateKey: pair.privateKey, userId: 'anna', userDirectory: 'ACME' }).token;
const cloudToken = createCloudToken({
  privateKey: pair.privateKey,
  subject: 'anna',
  name: 'Anna',
  email: 'anna@acme.com',
  issuer: 'https://idp.acme.com',
  keyId: 'k1',
}).token;

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

function oneErrorLine(result: CliResult, ...mentions: RegExp[]): void {
  assert.equal(result.code, 2, `exit 2 expected, got ${result.code}: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const errors = lines(result.stderr).filter((line) => line.startsWith('qs-jwt: error: '));
  assert.equal(errors.length, 1, result.stderr);
  for (const mention of mentions) assert.match(errors[0] ?? '', mention);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

async function verifyJson(
  token: string,
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = root,
): Promise<{
  code: number | null;
  report: { accepted: boolean; findings: { code: string }[]; unchecked: string[]; profile: unknown };
  stderr: string;
}> {
  const result = await runCli(['verify', token, '--format', 'json', ...args], { env, cwd });
  assert.ok(result.code === 0 || result.code === 1, `verify exit ${result.code}: ${result.stderr}`);
  return { code: result.code, report: JSON.parse(result.stdout), stderr: result.stderr };
}

const codes = (report: { findings: { code: string }[] }): string[] => report.findings.map((item) => item.code);

test('verify: --issuer and --kid are checked without --platform (they imply cloud): a wrong issuer and kid are REJECTED', async () => {
  const wrong = await verifyJson(cloudToken, [
    '--cert',
    certFile,
    '--issuer',
    'https://other.example',
    '--kid',
    'other',
  ]);
  assert.equal(wrong.code, 1);
  assert.ok(codes(wrong.report).includes('QJ209') && codes(wrong.report).includes('QJ210'), codes(wrong.report).join());
  const right = await verifyJson(cloudToken, ['--cert', certFile, '--issuer', 'https://idp.acme.com', '--kid', 'k1']);
  assert.equal(right.code, 0, JSON.stringify(right.report.findings));
});

test('verify and lint: QSJWT_ISSUER/QSJWT_KID and QSJWT_AUDIENCE are checked too, as the flags', async () => {
  const byEnvironment = await verifyJson(cloudToken, ['--cert', certFile], {
    QSJWT_ISSUER: 'https://other.example',
    QSJWT_KID: 'k1',
  });
  assert.equal(byEnvironment.code, 1);
  assert.ok(codes(byEnvironment.report).includes('QJ209'));
  const audience = await runCli(['lint', qseowToken, '--format', 'json'], {
    env: { QSJWT_AUDIENCE: 'qlik.example.com' },
  });
  assert.equal(audience.code, 1, audience.stderr);
  assert.ok(
    JSON.parse(audience.stdout).findings.some((item: { code: string }) => item.code === 'QJ105'),
    audience.stdout,
  );
});

test('verify: --audience/--userid-attr imply qseow; settings of both platforms without --platform are a usage error', async () => {
  const qseow = await verifyJson(qseowToken, ['--cert', certFile, '--userid-attr', 'uid']);
  assert.equal(qseow.code, 1);
  assert.ok(codes(qseow.report).includes('QJ101'), 'the user ID claim named by --userid-attr is missing');
  oneErrorLine(
    await runCli(['verify', qseowToken, '--cert', certFile, '--audience', 'a', '--issuer', 'i']),
    /--audience/,
    /--issuer/,
    /--platform/,
  );
});

test('verify: a flag the chosen platform cannot check is a usage error; an environment variable for the other platform is ignored with a warning', async () => {
  oneErrorLine(
    await runCli(['verify', qseowToken, '--cert', certFile, '--platform', 'qseow', '--issuer', 'x']),
    /--issuer/,
    /Qlik Cloud/,
    /--platform cloud/,
  );
  oneErrorLine(await runCli(['lint', qseowToken, '--platform', 'none', '--kid', 'x']), /--kid/);
  const ignored = await verifyJson(qseowToken, ['--cert', certFile, '--platform', 'qseow'], { QSJWT_ISSUER: 'x' });
  assert.equal(ignored.code, 0);
  assert.match(ignored.stderr, /warning: QSJWT_ISSUER="x" is ignored/);
});

test('verify --platform cloud without --issuer/--kid says what went unchecked, in text and JSON', async () => {
  const json = await verifyJson(cloudToken, ['--cert', certFile, '--platform', 'cloud']);
  assert.equal(json.code, 0);
  assert.equal(json.report.unchecked.length, 2);
  assert.match(json.report.unchecked.join('\n'), /--issuer/);
  assert.match(json.report.unchecked.join('\n'), /--kid/);
  const text = await runCli(['verify', cloudToken, '--cert', certFile, '--platform', 'cloud']);
  assert.match(text.stdout, /note {4}not checked: iss/);
  assert.match(text.stdout, /note {4}not checked: kid/);
});

test('--profile names a profile only: a config profile called "cloud" is used with its certFile, issuer and kid', async () => {
  const folder = join(root, 'profile-named-cloud');
  mkdirSync(folder);
  writeFileSync(
    join(folder, 'qs-jwt.config.json'),
    JSON.stringify({
      profiles: {
        cloud: { platform: 'cloud', certFile: '../publickey.cer', issuer: 'https://other.example', kid: 'k1' },
      },
    }),
  );
  const result = await verifyJson(cloudToken, ['--profile', 'cloud'], {}, folder);
  assert.equal(result.code, 1, 'the profile issuer differs from the token');
  assert.ok(codes(result.report).includes('QJ209'), codes(result.report).join());
  assert.doesNotMatch(result.stderr, /warning/);
  assert.deepEqual(result.report.profile, { name: 'cloud', file: join(folder, 'qs-jwt.config.json'), explicit: false });
});

test('the old spelling --profile qseow still selects the platform, with a deprecation warning, when no profile has that name', async () => {
  const result = await runCli(['lint', qseowToken, '--profile', 'cloud'], { cwd: root });
  assert.equal(result.code, 1, 'a QSEoW token under Qlik Cloud rules');
  assert.match(result.stdout, /REJECTED by Qlik Cloud rules/);
  assert.match(result.stderr, /warning: --profile cloud names a platform: write --platform cloud/);
  oneErrorLine(
    await runCli(['lint', qseowToken, '--profile', 'cloud', '--platform', 'qseow'], { cwd: root }),
    /--platform/,
  );
});

test('a bad value in a profile names the file, the profile and the field, never a flag that does not exist', async () => {
  const folder = join(root, 'bad-profile');
  mkdirSync(folder);
  const file = join(folder, 'qs-jwt.config.json');
  writeFileSync(
    file,
    JSON.stringify({ profiles: { prod: { expires: '99999999999999', keyFile: '../privatekey.pem' } } }),
  );
  const result = await runCli(['create', 'qseow', '--profile', 'prod', '--userid', 'a', '--userdir', 'b'], {
    cwd: folder,
  });
  oneErrorLine(result, /qs-jwt\.config\.json/, /profile "prod"/, /field "expires"/);
  assert.doesNotMatch(result.stderr, /--time|--expires/);
  writeFileSync(file, JSON.stringify({ profiles: { prod: { clockTolerance: '99999y' } } }));
  oneErrorLine(
    await runCli(['verify', qseowToken, '--cert', certFile, '--profile', 'prod'], { cwd: folder }),
    /profile "prod"/,
    /field "clockTolerance"/,
  );
});

test('values from flags and variables are blamed on their source: --clock-tolerance, QSJWT_EXPIRES, empty --userid and --kid', async () => {
  oneErrorLine(
    await runCli(['verify', qseowToken, '--cert', certFile, '--clock-tolerance', '99999y']),
    /--clock-tolerance "99999y"/,
    /100 years/,
  );
  oneErrorLine(
    await runCli(['create', 'qseow', '--key', keyFile, '--userid', 'a', '--userdir', 'b'], {
      env: { QSJWT_EXPIRES: 'soon' },
    }),
    /QSJWT_EXPIRES="soon"/,
  );
  oneErrorLine(
    await runCli(['create', 'qseow', '--key', keyFile, '--userid', '  ', '--userdir', 'b']),
    /--userid " {2}"/,
    /empty/,
  );
  oneErrorLine(
    await runCli([
      'create',
      'cloud',
      '--key',
      keyFile,
      '--sub',
      's',
      '--name',
      'n',
      '--email',
      'e@x',
      '--issuer',
      'i',
      '--kid',
      '',
    ]),
    /--kid ""/,
  );
  // A lifetime the core refuses after combining values (Qlik Cloud's one hour) is blamed on --expires.
  oneErrorLine(
    await runCli([
      'create',
      'cloud',
      '--key',
      keyFile,
      '--sub',
      's',
      '--name',
      'n',
      '--email',
      'e@x',
      '--issuer',
      'i',
      '--kid',
      'k',
      '--expires',
      '2h',
    ]),
    /--expires "2h"/,
    /60 minutes/,
  );
  oneErrorLine(
    await runCli(['create', 'qseow', '--key', keyFile, '--userid', 'a', '--userdir', 'b', '--claim', 'iss=x']),
    /--claim "iss"/,
    /use --issuer/,
  );
});

test('--claim numbers that JSON cannot carry exactly are refused instead of becoming null or another number', async () => {
  oneErrorLine(
    await runCli(['create', 'qseow', '--key', keyFile, '--userid', 'a', '--userdir', 'b', '--claim', 'n=1e999']),
    /--claim n=1e999/,
    /null/,
  );
  oneErrorLine(
    await runCli([
      'create',
      'qseow',
      '--key',
      keyFile,
      '--userid',
      'a',
      '--userdir',
      'b',
      '--claim',
      'n=12345678901234567890',
    ]),
    /too large/,
  );
  const quoted = await runCli([
    'create',
    'qseow',
    '--key',
    keyFile,
    '--userid',
    'a',
    '--userdir',
    'b',
    '--claim',
    'n="1e999"',
    '--format',
    'json',
  ]);
  assert.equal(quoted.code, 0, quoted.stderr);
  assert.equal(JSON.parse(quoted.stdout).payload.n, '1e999');
});

test('a config file found upwards is refused when anyone can write to it or it belongs to another user; --config names it explicitly', async (t) => {
  const folder = join(root, 'planted');
  const inner = join(folder, 'work');
  mkdirSync(inner, { recursive: true });
  const file = join(folder, 'qs-jwt.config.json');
  writeFileSync(file, JSON.stringify({ profiles: { prod: { platform: 'qseow', certFile: '../publickey.cer' } } }));
  chmodSync(file, 0o666);
  const refused = await runCli(['verify', qseowToken, '--profile', 'prod'], { cwd: inner });
  oneErrorLine(refused, /anyone can write to it/, /--config/);
  const explicit = await runCli(['verify', qseowToken, '--profile', 'prod', '--config', file], { cwd: inner });
  assert.equal(explicit.code, 0, explicit.stderr);
  chmodSync(file, 0o644);
  assert.equal((await runCli(['verify', qseowToken, '--profile', 'prod'], { cwd: inner })).code, 0);
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    t.diagnostic(
      'not root: cannot give the file to another user; the owner case is covered by the unit test of untrustedReason',
    );
    return;
  }
  chownSync(file, 65534, 65534);
  oneErrorLine(await runCli(['verify', qseowToken, '--profile', 'prod'], { cwd: inner }), /belongs to another user/);
});

test('config files: a BOM is fine; an invalid --config without --profile is an error; reserved profile names are refused; --verbose says which file', async () => {
  const folder = join(root, 'config-shapes');
  mkdirSync(folder);
  const bom = join(folder, 'bom.json');
  writeFileSync(
    bom,
    `\uFEFF${JSON.stringify({ profiles: { prod: { platform: 'qseow', certFile: '../publickey.cer' } } })}`,
  );
  assert.equal((await runCli(['verify', qseowToken, '--config', bom, '--profile', 'prod'])).code, 0);
  const broken = join(folder, 'broken.json');
  writeFileSync(broken, '{"profiles": {"prod": {"expires": 5}}}');
  oneErrorLine(
    await runCli(['verify', qseowToken, '--cert', certFile, '--config', broken]),
    /broken\.json/,
    /field "expires"/,
  );
  const unused = await runCli(['verify', qseowToken, '--cert', certFile, '--config', bom]);
  assert.equal(unused.code, 0);
  assert.match(unused.stderr, /warning: --config .* without --profile/);
  const reserved = join(folder, 'reserved.json');
  for (const name of ['__proto__', 'constructor']) {
    writeFileSync(reserved, `{"profiles": {"${name}": {"kid": "k"}}}`);
    oneErrorLine(await runCli(['config', 'show', '--config', reserved]), new RegExp(`profile "${name}"`), /reserved/);
  }
  writeFileSync(reserved, '{"profiles": {"toString": {"platform": "qseow", "audience": "a"}}}');
  oneErrorLine(
    await runCli(['verify', qseowToken, '--cert', certFile, '--config', reserved, '--profile', 'hasOwnProperty']),
    /no profile "hasOwnProperty"/,
  );
  const toStringProfile = await runCli([
    'config',
    'show',
    '--config',
    reserved,
    '--profile',
    'toString',
    '--format',
    'json',
  ]);
  assert.equal(toStringProfile.code, 0, toStringProfile.stderr);
  assert.equal(JSON.parse(toStringProfile.stdout).settings.audience.value, 'a');
  const verbose = await runCli([
    'create',
    'qseow',
    '--config',
    bom,
    '--profile',
    'prod',
    '--key',
    keyFile,
    '--userid',
    'a',
    '--userdir',
    'b',
    '--verbose',
  ]);
  assert.equal(verbose.code, 0, verbose.stderr);
  assert.match(verbose.stderr, /using profile "prod" of .*bom\.json/);
});

test('renamed flags keep working with a warning: keys create --prefix, create qseow --subject, doctor qseow --host', async () => {
  const out = join(root, 'renamed');
  const keys = await runCli(['keys', 'create', '--out', out, '--bits', '2048', '--prefix', 'old-']);
  assert.equal(keys.code, 0, keys.stderr);
  assert.match(keys.stderr, /--prefix is now --file-prefix/);
  assert.ok(readFileSync(join(out, 'old-privatekey.pem'), 'utf8').includes('PRIVATE KEY'));
  const created = await runCli([
    'create',
    'qseow',
    '--key',
    keyFile,
    '--userid',
    'a',
    '--userdir',
    'b',
    '--subject=s1',
    '--format',
    'json',
  ]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stderr, /--subject is now --sub/);
  assert.equal(JSON.parse(created.stdout).payload.sub, 's1');
  const doctor = await runCli(['doctor', 'qseow', '--host', 'portal.example.com', '--help']);
  assert.equal(doctor.code, 0, doctor.stderr);
  assert.match(doctor.stderr, /--host is now --users-host/);
});

test('empty --out is a usage error, not the current folder', async () => {
  oneErrorLine(await runCli(['keys', 'create', '--out', '', '--bits', '2048'], { cwd: root }), /--out ""/);
  oneErrorLine(await runCli(['quickstart', '--out', ' '], { cwd: root }), /--out " "/);
});
