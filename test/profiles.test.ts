// Profiles (qs-jwt.config.json), QSJWT_* environment variables and `config show`, run as a subprocess.
// Precedence is flags > environment > profile > built-in defaults; every token is checked against the key
// that should have signed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createSelfSignedCertificate } from '../src/index.js';
import { PROFILE_FIELDS } from '../src/core/config/config-schema.js';
import { decodePart, makeKeyFixtures, temporaryFolder } from './support/fixtures.js';
import { runCli, type CliResult, type CliRunOptions } from './support/run-cli.js';

const HASHES: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };
const CONFIG_NAME = 'qs-jwt.config.json';

// Key A: the fixtures' key, given with --key. Key P: the profiles' keyFile, with a certificate for certFile.
// Keys B and C: for QSJWT_KEY and QSJWT_KEY_FILE.
const keys = makeKeyFixtures();
const keyA = createPublicKey(readFileSync(keys.pkcs8));
const pairP = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pairB = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pairC = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pemB = pairB.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const certificateP = await createSelfSignedCertificate({
  privateKey: pairP.privateKey,
  publicKey: pairP.publicKey,
  commonName: 'qs-jwt profiles test',
  days: 30,
});

/** root/qs-jwt.config.json with root/keys/{privatekey.pem,publickey.cer}; root/a/b/c is a nested working folder. */
const root = temporaryFolder();
const nested = join(root, 'a', 'b', 'c');
mkdirSync(nested, { recursive: true });
mkdirSync(join(root, 'keys'));
writeFileSync(join(root, 'keys', 'privatekey.pem'), pairP.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
  mode: 0o600,
});
writeFileSync(join(root, 'keys', 'publickey.cer'), certificateP);
const keyFileC = join(keys.dir, 'key-c.pem');
writeFileSync(keyFileC, pairC.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
const configFile = join(root, CONFIG_NAME);
const PROFILES = {
  prod: {
    platform: 'qseow',
    audience: 'qlik.acme.com',
    useridAttr: 'uid',
    userdirAttr: 'udir',
    groupsAttr: 'roles',
    expires: '8h',
    alg: 'RS384',
    keyFile: 'keys/privatekey.pem',
    certFile: 'keys/publickey.cer',
  },
  'cloud-prod': {
    platform: 'cloud',
    issuer: 'https://idp.acme.com',
    kid: 'key-7',
    expires: '10m',
    keyFile: 'keys/privatekey.pem',
    certFile: 'keys/publickey.cer',
  },
  layers: { audience: 'aud-profile', alg: 'RS384', expires: '2h' },
} as const;
writeFileSync(configFile, JSON.stringify({ profiles: PROFILES }, null, 2));

/** A second config file elsewhere, with its own key (A) next to it. */
const altFolder = temporaryFolder();
const altConfig = join(altFolder, 'alt.json');
writeFileSync(join(altFolder, 'alt-key.pem'), readFileSync(keys.pkcs8), { mode: 0o600 });
writeFileSync(
  altConfig,
  JSON.stringify({ profiles: { prod: { platform: 'qseow', audience: 'alt.acme.com', keyFile: 'alt-key.pem' } } }),
);

/** A folder with no config file in it or above it. */
const elsewhere = temporaryFolder();

function configAbove(folder: string): string | undefined {
  for (let current = folder; ; current = dirname(current)) {
    if (existsSync(join(current, CONFIG_NAME))) return join(current, CONFIG_NAME);
    if (dirname(current) === current) return undefined;
  }
}

interface Minted {
  token: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

function signedBy(token: string, key: KeyObject): boolean {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const hash = HASHES[String(decodePart(token, 0)['alg'])];
  return (
    hash !== undefined && verify(hash, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))
  );
}

/** Runs a token command that must succeed; checks the token is signed by `key`. */
async function mint(args: string[], key: KeyObject, options: CliRunOptions = {}): Promise<Minted> {
  const result = await runCli(args, options);
  assert.equal(result.code, 0, `exit ${String(result.code)}: ${result.stderr}`);
  assert.match(result.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'stdout is one token');
  const token = result.stdout.trimEnd();
  assert.ok(signedBy(token, key), 'signed by the expected key');
  return { token, header: decodePart(token, 0), payload: decodePart(token, 1) };
}

function lifetime(payload: Record<string, unknown>): number {
  return (payload['exp'] as number) - (payload['iat'] as number);
}

function assertOneErrorLine(result: CliResult, code: number): string {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '', 'nothing on stdout');
  assert.match(result.stderr, /^qs-jwt: error: [^\n]+\n$/, `one error line on stderr: ${result.stderr}`);
  return result.stderr;
}

function includes(text: string, part: string, what = part): void {
  assert.ok(text.includes(part), `${what} in: ${text}`);
}

const createQseow = (...extra: string[]): string[] => [
  'create',
  'qseow',
  '--userid',
  'anna',
  '--userdir',
  'ACME',
  ...extra,
];
const createCloud = (...extra: string[]): string[] => [
  'create',
  'cloud',
  '--sub',
  'anna',
  '--name',
  'Anna',
  '--email',
  'anna@acme.com',
  ...extra,
];

interface VerifyReport {
  accepted: boolean;
  signatureValid: boolean | null;
  findings: { code: string; severity: string }[];
}

async function verifyJson(
  token: string,
  args: string[],
  options: CliRunOptions = {},
): Promise<{ result: CliResult; report: VerifyReport; codes: string[] }> {
  const result = await runCli(['verify', token, '--format', 'json', ...args], options);
  const report = JSON.parse(result.stdout) as VerifyReport;
  const codes = report.findings.filter((finding) => finding.severity === 'error').map((finding) => finding.code);
  return { result, report, codes };
}

// ---- Finding the config file and using a profile ---------------------------------------------------

test('a profile found upwards from a nested folder drives create qseow: audience, attribute names, groups claim, expires, alg, keyFile', async () => {
  const { header, payload } = await mint(
    createQseow('--profile', 'prod', '--groups', 'Sales', 'EMEA'),
    pairP.publicKey,
    { cwd: nested },
  );
  assert.equal(header['alg'], 'RS384');
  assert.equal(payload['uid'], 'anna');
  assert.equal(payload['udir'], 'ACME');
  assert.deepEqual(payload['roles'], ['Sales', 'EMEA']);
  assert.equal(payload['aud'], 'qlik.acme.com');
  assert.equal(lifetime(payload), 8 * 3600);
  for (const claim of ['userId', 'userDirectory', 'groups'])
    assert.equal(payload[claim], undefined, `no default-named ${claim} claim`);
});

test('--config FILE and QSJWT_CONFIG work from any folder; keyFile is relative to the config file, not the working folder', async () => {
  assert.equal(configAbove(elsewhere), undefined, 'the test needs a folder with no config above it');
  const byFlag = await mint(createQseow('--config', configFile, '--profile', 'prod'), pairP.publicKey, {
    cwd: elsewhere,
  });
  assert.equal(byFlag.payload['aud'], 'qlik.acme.com');
  assert.equal(byFlag.payload['uid'], 'anna');
  const byEnvironment = await mint(createQseow('--profile', 'prod'), pairP.publicKey, {
    cwd: elsewhere,
    env: { QSJWT_CONFIG: configFile },
  });
  assert.equal(byEnvironment.payload['aud'], 'qlik.acme.com');
  // From inside root, --config and QSJWT_CONFIG beat the file found upwards; alt.json's keyFile is key A next to it.
  const altByFlag = await mint(createQseow('--config', altConfig, '--profile', 'prod'), keyA, { cwd: nested });
  assert.equal(altByFlag.payload['aud'], 'alt.acme.com');
  assert.equal(altByFlag.payload['userId'], 'anna', 'alt.json sets no attribute names: the defaults apply');
  const altByEnvironment = await mint(createQseow('--profile', 'prod'), keyA, {
    cwd: nested,
    env: { QSJWT_CONFIG: altConfig },
  });
  assert.equal(altByEnvironment.payload['aud'], 'alt.acme.com');
});

test('QSJWT_PROFILE selects a profile, and --profile beats it', async () => {
  const selected = await mint(createQseow(), pairP.publicKey, { cwd: root, env: { QSJWT_PROFILE: 'prod' } });
  assert.equal(selected.payload['uid'], 'anna');
  assert.equal(selected.header['alg'], 'RS384');
  const overridden = await mint(createQseow('--profile', 'layers', '--key', keys.pkcs8), keyA, {
    cwd: root,
    env: { QSJWT_PROFILE: 'prod' },
  });
  assert.equal(overridden.payload['aud'], 'aud-profile');
  assert.equal(overridden.payload['userId'], 'anna', 'the prod profile was not used');
});

test('create cloud takes issuer, kid, expires and keyFile from a cloud profile', async () => {
  const { header, payload } = await mint(createCloud('--profile', 'cloud-prod'), pairP.publicKey, { cwd: nested });
  assert.equal(header['kid'], 'key-7');
  assert.equal(payload['iss'], 'https://idp.acme.com');
  assert.equal(payload['aud'], 'qlik.api/login/jwt-session');
  assert.equal((payload['exp'] as number) - (payload['nbf'] as number), 600);
});

test('batch qseow and batch cloud take the profile', async () => {
  writeFileSync(join(nested, 'users.csv'), 'userid,userdir,groups\nanna,ACME,Sales;EMEA\nbob,ACME,\n');
  writeFileSync(join(nested, 'users.jsonl'), '{"sub":"anna","name":"Anna","email":"anna@acme.com"}\n');
  const qseow = await runCli(['batch', 'qseow', '--profile', 'prod', '--input', 'users.csv'], { cwd: nested });
  assert.equal(qseow.code, 0, qseow.stderr);
  const qseowLines = qseow.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { line: number; token: string });
  assert.deepEqual(
    qseowLines.map((entry) => entry.line),
    [2, 3],
  );
  const [anna, bob] = qseowLines.map((entry) => {
    assert.ok(signedBy(entry.token, pairP.publicKey), `line ${entry.line} is signed with the profile's keyFile`);
    return { header: decodePart(entry.token, 0), payload: decodePart(entry.token, 1) };
  });
  assert.equal(anna?.header['alg'], 'RS384');
  assert.equal(anna?.payload['uid'], 'anna');
  assert.equal(anna?.payload['udir'], 'ACME');
  assert.deepEqual(anna?.payload['roles'], ['Sales', 'EMEA']);
  assert.equal(anna?.payload['aud'], 'qlik.acme.com');
  assert.equal(lifetime(anna?.payload ?? {}), 8 * 3600);
  assert.equal(bob?.payload['uid'], 'bob');

  const cloud = await runCli(['batch', 'cloud', '--profile', 'cloud-prod', '--input', 'users.jsonl'], { cwd: nested });
  assert.equal(cloud.code, 0, cloud.stderr);
  const [entry] = cloud.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { line: number; token: string });
  assert.ok(entry && signedBy(entry.token, pairP.publicKey));
  assert.equal(decodePart(entry.token, 0)['kid'], 'key-7');
  assert.equal(decodePart(entry.token, 1)['iss'], 'https://idp.acme.com');

  const refused = await runCli(['batch', 'cloud', '--profile', 'prod', '--input', 'users.jsonl'], { cwd: nested });
  includes(assertOneErrorLine(refused, 2), 'prod');
});

test('verify --profile NAME checks with the profile certFile and applies its platform rules and settings', async () => {
  const good = await mint(createQseow('--profile', 'prod'), pairP.publicKey, { cwd: nested });
  const accepted = await verifyJson(good.token, ['--profile', 'prod'], { cwd: nested });
  assert.equal(accepted.result.code, 0, accepted.result.stdout);
  assert.equal(accepted.report.accepted, true);
  assert.equal(accepted.report.signatureValid, true, 'the certificate of certFile verified the signature');

  // Default attribute names: the proxy configured as in the profile (uid/udir) finds no user.
  const defaultNames = await mint(
    createQseow('--key', join(root, 'keys', 'privatekey.pem'), '--audience', 'qlik.acme.com'),
    pairP.publicKey,
  );
  const noUser = await verifyJson(defaultNames.token, ['--profile', 'prod'], { cwd: nested });
  assert.equal(noUser.result.code, 1);
  assert.ok(
    noUser.codes.includes('QJ101') && noUser.codes.includes('QJ103'),
    `QSEoW rules with uid/udir: ${noUser.codes.join(', ')}`,
  );
  // Another audience than the profile's.
  const otherAudience = await mint(createQseow('--profile', 'prod', '--audience', 'other.acme.com'), pairP.publicKey, {
    cwd: nested,
  });
  const wrongAudience = await verifyJson(otherAudience.token, ['--profile', 'prod'], { cwd: nested });
  assert.equal(wrongAudience.result.code, 1);
  assert.deepEqual(wrongAudience.codes, ['QJ105']);
  // Signed with another key than certFile's.
  const otherKey = await mint(createQseow('--profile', 'prod', '--key', keys.pkcs8), keyA, { cwd: nested });
  const badSignature = await verifyJson(otherKey.token, ['--profile', 'prod'], { cwd: nested });
  assert.equal(badSignature.result.code, 1);
  assert.equal(badSignature.report.signatureValid, false);
  assert.ok(badSignature.codes.includes('QJ020'));

  // A cloud profile: Qlik Cloud rules, with its issuer and kid.
  const cloudToken = await mint(createCloud('--profile', 'cloud-prod'), pairP.publicKey, { cwd: nested });
  const cloudAccepted = await verifyJson(cloudToken.token, ['--profile', 'cloud-prod'], { cwd: nested });
  assert.equal(cloudAccepted.result.code, 0, cloudAccepted.result.stdout);
  const otherIssuer = await mint(
    createCloud(
      '--key',
      join(root, 'keys', 'privatekey.pem'),
      '--issuer',
      'https://other.example.com',
      '--kid',
      'key-7',
    ),
    pairP.publicKey,
  );
  const wrongIssuer = await verifyJson(otherIssuer.token, ['--profile', 'cloud-prod'], { cwd: nested });
  assert.equal(wrongIssuer.result.code, 1);
  assert.deepEqual(wrongIssuer.codes, ['QJ209']);
  const qseowUnderCloud = await verifyJson(good.token, ['--profile', 'cloud-prod'], { cwd: nested });
  assert.equal(qseowUnderCloud.result.code, 1);
  assert.ok(
    qseowUnderCloud.codes.includes('QJ201'),
    `a QSEoW token under Qlik Cloud rules: ${qseowUnderCloud.codes.join(', ')}`,
  );
});

// ---- Precedence --------------------------------------------------------------------------------------

interface Layered {
  setting: string;
  flag: string;
  variable: string;
  values: { profile: string; environment: string; flag: string };
  read: (minted: Minted) => unknown;
  expected: { byDefault: unknown; profile: unknown; environment: unknown; flag: unknown };
}

const LAYERED: Layered[] = [
  {
    setting: 'audience',
    flag: '--audience',
    variable: 'QSJWT_AUDIENCE',
    values: { profile: 'aud-profile', environment: 'aud-env', flag: 'aud-flag' },
    read: (minted) => minted.payload['aud'],
    expected: { byDefault: undefined, profile: 'aud-profile', environment: 'aud-env', flag: 'aud-flag' },
  },
  {
    setting: 'alg',
    flag: '--alg',
    variable: 'QSJWT_ALG',
    values: { profile: 'RS384', environment: 'RS512', flag: 'RS256' },
    read: (minted) => minted.header['alg'],
    expected: { byDefault: 'RS256', profile: 'RS384', environment: 'RS512', flag: 'RS256' },
  },
  {
    setting: 'expires',
    flag: '--expires',
    variable: 'QSJWT_EXPIRES',
    values: { profile: '2h', environment: '3h', flag: '4h' },
    read: (minted) => lifetime(minted.payload),
    expected: { byDefault: 3600, profile: 2 * 3600, environment: 3 * 3600, flag: 4 * 3600 },
  },
];

for (const layered of LAYERED) {
  test(`${layered.setting}: flag > ${layered.variable} > profile > default`, async () => {
    assert.equal(
      PROFILES.layers[layered.setting as keyof typeof PROFILES.layers],
      layered.values.profile,
      'the layers profile holds the profile value',
    );
    const base = createQseow('--key', keys.pkcs8);
    const environment = { [layered.variable]: layered.values.environment };
    const [byDefault, profile, fromEnvironment, flag] = await Promise.all([
      mint(base, keyA, { cwd: root }),
      mint([...base, '--profile', 'layers'], keyA, { cwd: root }),
      mint([...base, '--profile', 'layers'], keyA, { cwd: root, env: environment }),
      mint([...base, '--profile', 'layers', layered.flag, layered.values.flag], keyA, { cwd: root, env: environment }),
    ]);
    assert.equal(layered.read(byDefault), layered.expected.byDefault, 'built-in default');
    assert.equal(layered.read(profile), layered.expected.profile, 'profile over the default');
    assert.equal(layered.read(fromEnvironment), layered.expected.environment, `${layered.variable} over the profile`);
    assert.equal(layered.read(flag), layered.expected.flag, `${layered.flag} over ${layered.variable}`);
  });
}

test('QSJWT_KEY (PEM or JWK text) and QSJWT_KEY_FILE sign; --key beats both, QSJWT_KEY beats QSJWT_KEY_FILE, both beat the profile keyFile', async () => {
  const jwkB = JSON.stringify(pairB.privateKey.export({ format: 'jwk' }));
  const runs: [string, string[], Record<string, string>, KeyObject][] = [
    ['QSJWT_KEY (PEM)', createQseow(), { QSJWT_KEY: pemB }, pairB.publicKey],
    ['QSJWT_KEY (JWK)', createQseow(), { QSJWT_KEY: jwkB }, pairB.publicKey],
    ['QSJWT_KEY_FILE', createQseow(), { QSJWT_KEY_FILE: keyFileC }, pairC.publicKey],
    ['QSJWT_KEY over QSJWT_KEY_FILE', createQseow(), { QSJWT_KEY: pemB, QSJWT_KEY_FILE: keyFileC }, pairB.publicKey],
    ['--key over both', createQseow('--key', keys.pkcs8), { QSJWT_KEY: pemB, QSJWT_KEY_FILE: keyFileC }, keyA],
    [
      'QSJWT_KEY_FILE over the profile keyFile',
      createQseow('--profile', 'prod'),
      { QSJWT_KEY_FILE: keyFileC },
      pairC.publicKey,
    ],
    ['QSJWT_KEY over the profile keyFile', createQseow('--profile', 'prod'), { QSJWT_KEY: pemB }, pairB.publicKey],
  ];
  const results = await Promise.all(runs.map(([, args, env]) => runCli(args, { cwd: root, env })));
  results.forEach((result, index) => {
    const [name, , , key] = runs[index] as [string, string[], Record<string, string>, KeyObject];
    assert.equal(result.code, 0, `${name}: ${result.stderr}`);
    assert.ok(signedBy(result.stdout.trim(), key), `${name}: signed by the expected key`);
  });
});

// ---- Validation --------------------------------------------------------------------------------------

interface BadConfig {
  name: string;
  /** File content; undefined: no file at all. */
  content?: string;
  profile: string;
  mentions: (file: string) => string[];
}

const BAD_CONFIGS: BadConfig[] = [
  {
    name: 'an unknown field',
    profile: 'p',
    content: JSON.stringify({ profiles: { ok: { audience: 'x' }, p: { audiance: 'qlik.acme.com' } } }),
    mentions: (file) => [file, 'profile "p"', '"audiance"', ...PROFILE_FIELDS],
  },
  {
    name: 'a bad alg',
    profile: 'p',
    content: JSON.stringify({ profiles: { p: { alg: 'HS256' } } }),
    mentions: (file) => [file, 'profile "p"', '"alg"', 'RS256'],
  },
  {
    name: 'expires "0s"',
    profile: 'p',
    content: JSON.stringify({ profiles: { p: { expires: '0s' } } }),
    mentions: (file) => [file, 'profile "p"', '"expires"'],
  },
  {
    name: 'a platform typo',
    profile: 'p',
    content: JSON.stringify({ profiles: { p: { platform: 'qseo' } } }),
    mentions: (file) => [file, 'profile "p"', '"platform"', 'qseow'],
  },
  {
    name: 'a file that is not JSON',
    profile: 'p',
    content: '{"profiles": {"p": {"audience": "x",}}}',
    mentions: (file) => [file, 'JSON'],
  },
  {
    name: 'a profile name the file does not have',
    profile: 'nope',
    content: JSON.stringify({ profiles: { alpha: {}, beta: {} } }),
    mentions: (file) => [file, 'nope', 'alpha', 'beta'],
  },
];

for (const bad of BAD_CONFIGS) {
  test(`config with ${bad.name}: exit 2, one line naming the file, the profile and the field`, async () => {
    const folder = temporaryFolder();
    const file = join(folder, CONFIG_NAME);
    writeFileSync(file, bad.content ?? '');
    // Both the found-upwards file and --config, with create, batch and verify alike.
    const runs = await Promise.all([
      runCli(createQseow('--profile', bad.profile, '--key', keys.pkcs8), { cwd: folder }),
      runCli(createQseow('--config', file, '--profile', bad.profile, '--key', keys.pkcs8), { cwd: elsewhere }),
      runCli(['batch', 'qseow', '--config', file, '--profile', bad.profile, '--key', keys.pkcs8, '--input', '-'], {
        cwd: elsewhere,
        stdin: 'userid,userdir\nanna,ACME\n',
      }),
      runCli(
        ['verify', 'a.b.c', '--config', file, '--profile', bad.profile, '--cert', join(root, 'keys', 'publickey.cer')],
        { cwd: elsewhere },
      ),
    ]);
    for (const result of runs) {
      const line = assertOneErrorLine(result, 2);
      for (const part of bad.mentions(file)) includes(line, part);
    }
  });
}

test('--profile with no config file here or above: exit 2, naming the file it looked for and the folder', async () => {
  assert.equal(configAbove(elsewhere), undefined, 'the test needs a folder with no config above it');
  const line = assertOneErrorLine(
    await runCli(createQseow('--profile', 'prod', '--key', keys.pkcs8), { cwd: elsewhere }),
    2,
  );
  for (const part of [CONFIG_NAME, elsewhere, 'prod', '--config']) includes(line, part);
  const missing = join(elsewhere, 'missing.json');
  // A named file that cannot be read exits 1, like every other file the CLI cannot read.
  const given = assertOneErrorLine(
    await runCli(createQseow('--config', missing, '--profile', 'prod', '--key', keys.pkcs8), { cwd: elsewhere }),
    1,
  );
  includes(given, missing);
});

test("a profile for one platform is refused by the other platform's commands", async () => {
  const [cloudForQseow, qseowForCloud] = await Promise.all([
    runCli(createQseow('--profile', 'cloud-prod'), { cwd: root }),
    runCli(createCloud('--profile', 'prod'), { cwd: root }),
  ]);
  const first = assertOneErrorLine(cloudForQseow, 2);
  for (const part of ['cloud-prod', 'cloud', 'create cloud']) includes(first, part);
  const second = assertOneErrorLine(qseowForCloud, 2);
  for (const part of ['prod', 'qseow', 'create qseow']) includes(second, part);
});

// ---- config show ------------------------------------------------------------------------------------

interface ShownConfig {
  configFile: string | null;
  profiles: string[];
  profile: string | null;
  settings: Record<string, { value: string; source: string; from: string }>;
  environment: Record<string, string>;
}

function shownValue(field: string, value: string): string {
  return field === 'keyFile' || field === 'certFile' ? join(root, value) : value;
}

test('config show lists the config file found upwards and its profiles', async () => {
  const text = await runCli(['config', 'show'], { cwd: nested });
  assert.equal(text.code, 0, text.stderr);
  includes(text.stdout, configFile);
  for (const name of Object.keys(PROFILES)) includes(text.stdout, name);
  const json = await runCli(['config', 'show', '--format', 'json'], { cwd: nested });
  assert.equal(json.code, 0, json.stderr);
  const shown = JSON.parse(json.stdout) as ShownConfig;
  assert.equal(shown.configFile, configFile);
  assert.deepEqual(shown.profiles, Object.keys(PROFILES));
  assert.equal(shown.profile, null);
});

test('config show --profile NAME shows every setting of the profile with its source', async () => {
  const from = `${configFile} profile "prod"`;
  const text = await runCli(['config', 'show', '--profile', 'prod'], { cwd: nested });
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.split('\n');
  for (const [field, value] of Object.entries(PROFILES.prod)) {
    const line = lines.find((candidate) => candidate.trimStart().startsWith(`${field} `));
    assert.ok(line, `a line for ${field}: ${text.stdout}`);
    includes(line, shownValue(field, value), `${field} value`);
    includes(line, `[profile: ${from}]`, `${field} source`);
  }
  const json = await runCli(['config', 'show', '--profile', 'prod', '--format', 'json'], { cwd: nested });
  assert.equal(json.code, 0, json.stderr);
  const shown = JSON.parse(json.stdout) as ShownConfig;
  assert.equal(shown.profile, 'prod');
  for (const [field, value] of Object.entries(PROFILES.prod)) {
    assert.deepEqual(shown.settings[field], { value: shownValue(field, value), source: 'profile', from }, field);
  }
});

test('config show: an environment variable overrides the profile value it shadows', async () => {
  const env = { QSJWT_AUDIENCE: 'aud-from-env', QSJWT_EXPIRES: '30m', QSJWT_PROFILE: 'prod' };
  const json = await runCli(['config', 'show', '--format', 'json'], { cwd: nested, env });
  assert.equal(json.code, 0, json.stderr);
  const shown = JSON.parse(json.stdout) as ShownConfig;
  assert.equal(shown.profile, 'prod', 'QSJWT_PROFILE selects the profile');
  assert.deepEqual(shown.settings['audience'], {
    value: 'aud-from-env',
    source: 'environment',
    from: 'QSJWT_AUDIENCE',
  });
  assert.deepEqual(shown.settings['expires'], { value: '30m', source: 'environment', from: 'QSJWT_EXPIRES' });
  assert.equal(shown.settings['alg']?.source, 'profile', 'settings without a variable stay from the profile');
  const text = await runCli(['config', 'show'], { cwd: nested, env });
  assert.equal(text.code, 0, text.stderr);
  const audience = text.stdout.split('\n').find((line) => line.trimStart().startsWith('audience '));
  assert.ok(audience, text.stdout);
  includes(audience, 'aud-from-env');
  includes(audience, 'QSJWT_AUDIENCE');
  assert.ok(!audience.includes('qlik.acme.com'), `the shadowed profile value is not shown as in effect: ${audience}`);
});

test('config show never prints QSJWT_KEY or QSJWT_PASSPHRASE, in text or JSON', async () => {
  const passphrase = 'Tr0ub4dor&3-do-not-print-7d1f';
  const secretParts = [
    pemB.trim(),
    passphrase,
    ...pemB.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----')),
  ];
  const env = { QSJWT_KEY: pemB, QSJWT_PASSPHRASE: passphrase };
  const runs = await Promise.all([
    runCli(['config', 'show'], { cwd: nested, env }),
    runCli(['config', 'show', '--format', 'json'], { cwd: nested, env }),
    runCli(['config', 'show', '--profile', 'prod'], { cwd: nested, env }),
    runCli(['config', 'show', '--profile', 'prod', '--format', 'json'], { cwd: nested, env }),
  ]);
  for (const result of runs) {
    assert.equal(result.code, 0, result.stderr);
    for (const part of secretParts) {
      assert.ok(
        !result.stdout.includes(part) && !result.stderr.includes(part),
        `a secret leaked: ${part.slice(0, 24)}…`,
      );
    }
    assert.match(result.stdout, /QSJWT_KEY/, 'the variable is named as set');
    assert.match(result.stdout, /QSJWT_PASSPHRASE/, 'the variable is named as set');
    assert.match(result.stdout, /masked/);
  }
  const shown = JSON.parse(runs[1]?.stdout ?? '') as ShownConfig;
  assert.ok(
    shown.environment['QSJWT_KEY'] !== undefined && shown.environment['QSJWT_PASSPHRASE'] !== undefined,
    'both listed, masked',
  );
});

// ---- Compatibility ------------------------------------------------------------------------------------

test('a literal key through the legacy create-qseow --cert-privatekey still works and warns about shell history', async () => {
  const pem = readFileSync(keys.pkcs8, 'utf8');
  const result = await runCli([
    'create-qseow',
    '--userdir',
    'ACME',
    '--userid',
    'anna',
    '--expires',
    '1h',
    '--cert-privatekey',
    pem,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const token = result.stdout.trim();
  assert.ok(signedBy(token, keyA), 'signed with the literal key');
  assert.equal(decodePart(token, 1)['userId'], 'anna');
  assert.match(result.stderr, /warning/);
  assert.match(result.stderr, /shell history/);
  assert.ok(!result.stdout.includes('PRIVATE KEY') && !result.stderr.includes('PRIVATE KEY'), 'the key is not echoed');
});
