// Defects in how the CLI reads inputs and writes outputs (issue 10, defects 6, 7 and 11), run as a
// subprocess: empty output paths, a key readable by others, folders that cannot be created or written,
// unreadable inputs, and batch's columns, jti values and progress display.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyModeReport } from '../src/cli/commands/quickstart.js';
import { Progress } from '../src/cli/batch/progress.js';
import { decodePart, makeKeyFixtures, temporaryFolder } from './support/fixtures.js';
import { CLI_PATH, runCli, type CliResult } from './support/run-cli.js';

const keys = makeKeyFixtures();

function oneErrorLine(result: CliResult, code: number): string {
  assert.equal(result.code, code, `exit code (stderr: ${result.stderr})`);
  assert.equal(result.stdout, '', 'nothing on stdout');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
  assert.match(lines[0] ?? '', /^qs-jwt[ :].*error: /);
  assert.doesNotMatch(result.stderr, /\.tmp\b|EACCES|ENOTDIR|EISDIR|errno/, 'no temporary file or raw system error');
  return lines[0] ?? '';
}

/** A folder every user can enter, so a run as another user reaches the files the test made. */
function sharedFolder(): string {
  const folder = temporaryFolder();
  chmodSync(folder, 0o755);
  return folder;
}

const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
const permissionsTestable = process.platform !== 'win32' && (!isRoot || hasSetpriv);
const skipPermissions = permissionsTestable ? false : 'running as root without setpriv: permissions cannot be denied';

/**
 * Runs the CLI as a user that file modes apply to: root reads and writes anything, so as root the run
 * drops to the user nobody (65534) with setpriv.
 */
function runCliUnprivileged(args: readonly string[], cwd?: string): Promise<CliResult> {
  const nobody = ['--reuid', '65534', '--regid', '65534', '--clear-groups'];
  const command = isRoot
    ? (['setpriv', [...nobody, process.execPath, CLI_PATH, ...args]] as const)
    : ([process.execPath, [CLI_PATH, ...args]] as const);
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('QSJWT_')));
    const options = { cwd, env: { ...env, HOME: cwd ?? '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] as const };
    const child = spawn(command[0], [...command[1]], { ...options, stdio: [...options.stdio] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// ---- defect 6: an empty output path -----------------------------------------------------------------

test('keys create --out "" (or blanks): usage error (exit 2), nothing written in the current folder', async () => {
  for (const out of ['', '   ']) {
    const cwd = temporaryFolder();
    const line = oneErrorLine(await runCli(['keys', 'create', '--out', out, '--bits', '2048'], { cwd }), 2);
    assert.match(line, /--out ".*": is empty/);
    assert.deepEqual(readdirSync(cwd), [], 'no key written into the current folder');
  }
});

test('quickstart --out "" is a usage error (exit 2) and writes nothing into the current folder', async () => {
  const cwd = temporaryFolder();
  const line = oneErrorLine(await runCli(['quickstart', '--out', ''], { cwd }), 2);
  assert.match(line, /--out ".*": is empty/);
  assert.deepEqual(readdirSync(cwd), []);
});

// ---- defect 7: quickstart re-using a key others can read --------------------------------------------

test('quickstart re-using a 0644 key reports mode 0644 and warns with the fix', { timeout: 120_000 }, async () => {
  const cwd = temporaryFolder();
  const made = await runCli(['keys', 'create', '--out', 'qs', '--bits', '2048'], { cwd });
  assert.equal(made.code, 0, made.stderr);
  chmodSync(join(cwd, 'qs', 'privatekey.pem'), 0o644);
  const result = await runCli(['quickstart', '--out', 'qs'], { cwd });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /re-used the key pair/);
  assert.match(result.stdout, /private key +qs\/privatekey\.pem \(mode 0644/);
  assert.doesNotMatch(result.stdout, /mode 0600/);
  const warning =
    'qs-jwt: warning: the private key qs/privatekey.pem is mode 0644, readable by other users: ' +
    'run chmod 600 qs/privatekey.pem';
  assert.ok(result.stderr.split('\n').includes(warning), result.stderr);
});

test('the key mode report: 0600 is fine, group or other bits warn, and Windows claims no mode', () => {
  assert.deepEqual(keyModeReport('k.pem', 0o600, 'linux'), { label: 'mode 0600: keep it secret' });
  assert.match(keyModeReport('k.pem', 0o640, 'linux').warning ?? '', /mode 0640.*chmod 600 k\.pem/);
  assert.deepEqual(keyModeReport('k.pem', 0o666, 'win32'), { label: 'keep it secret' });
});

// ---- defect 11: output folders ----------------------------------------------------------------------

const noProc = existsSync('/proc/self') ? false : 'no /proc';

test('keys create --out /proc/x ends at once with one line (mkdir -p spins there)', { skip: noProc }, async () => {
  const started = Date.now();
  const result = await runCli(['keys', 'create', '--out', '/proc/x', '--bits', '2048'], { timeoutMs: 20_000 });
  const line = oneErrorLine(result, 1);
  assert.match(line, /--out \/proc\/x: cannot create the folder \/proc\/x/);
  assert.ok(Date.now() - started < 15_000, 'it did not spin');
});

test('keys create into an unwritable folder fails before making a key', { skip: skipPermissions }, async () => {
  const folder = sharedFolder();
  const readOnly = join(folder, 'read-only');
  mkdirSync(readOnly, { mode: 0o555 });
  chmodSync(readOnly, isRoot ? 0o755 : 0o555); // as root the run is nobody's, to whom root's 0755 is read-only
  const line = oneErrorLine(await runCliUnprivileged(['keys', 'create', '--out', readOnly, '--bits', '2048']), 1);
  assert.match(line, new RegExp(`--out ${readOnly}: cannot write into this folder`));
  const below = join(readOnly, 'a', 'b');
  const nested = oneErrorLine(await runCliUnprivileged(['keys', 'create', '--out', below, '--bits', '2048']), 1);
  assert.match(nested, /cannot create the folder .*read-only\/a \(permission denied/);
  assert.deepEqual(readdirSync(readOnly), []);
});

test('keys create --out under a file names the file', async () => {
  const folder = temporaryFolder();
  writeFileSync(join(folder, 'plain'), 'x\n');
  const out = join(folder, 'plain', 'keys');
  const line = oneErrorLine(await runCli(['keys', 'create', '--out', out, '--bits', '2048']), 1);
  assert.match(line, /plain is a file, not a folder/);
});

test('keys create --force where a target file is a folder fails before making a key', async () => {
  const folder = temporaryFolder();
  mkdirSync(join(folder, 'privatekey.pem'));
  const result = await runCli(['keys', 'create', '--out', folder, '--bits', '4096', '--force'], { timeoutMs: 20_000 });
  const line = oneErrorLine(result, 1);
  assert.match(line, /privatekey\.pem is a folder/);
  assert.deepEqual(readdirSync(folder), ['privatekey.pem']);
});

test('batch --output onto a folder, under a file or in a missing folder fails before signing, naming it', async () => {
  const folder = temporaryFolder();
  const input = join(folder, 'users.csv');
  writeFileSync(input, 'userid,userdir\nanna,ACME\n');
  writeFileSync(join(folder, 'plain'), 'x\n');
  const cases: [string[], RegExp][] = [
    [['--output', folder, '--force'], /is a folder/],
    [['--output', join(folder, 'plain', 'tokens.jsonl')], /plain is a file, not a folder/],
    [['--output', join(folder, 'missing', 'tokens.jsonl')], /missing does not exist: create it first/],
    [['--output', ''], /--output is empty/],
  ];
  for (const [extra, expected] of cases) {
    const result = await runCli(['batch', 'qseow', '--key', keys.pkcs8, '--input', input, ...extra]);
    const line = oneErrorLine(result, extra[1] === '' ? 2 : 1);
    assert.match(line, expected);
    assert.ok(line.includes(`--output ${extra[1] ?? ''}`), `names the path as given: ${line}`);
    assert.doesNotMatch(result.stderr, /batch qseow: \d+ rows/, 'no row was signed');
  }
});

// ---- defect 11: unreadable inputs --------------------------------------------------------------------

test('a missing and an unreadable key both exit 1, one line each', { skip: skipPermissions }, async () => {
  const folder = sharedFolder();
  const unreadable = join(folder, 'unreadable.pem');
  writeFileSync(unreadable, readFileSync(keys.pkcs8), { mode: 0o600 });
  chmodSync(unreadable, isRoot ? 0o600 : 0o000);
  const args = (key: string): string[] => ['create', 'qseow', '--key', key, '--userid', 'anna', '--userdir', 'ACME'];
  const denied = oneErrorLine(await runCliUnprivileged(args(unreadable)), 1);
  assert.match(denied, /--key .*unreadable\.pem cannot be read \(permission denied\): check its owner and mode/);
  const missing = oneErrorLine(await runCli(args(join(folder, 'missing.pem'))), 1);
  assert.match(missing, /--key .*missing\.pem does not exist/);
  const folderKey = oneErrorLine(await runCli(args(folder)), 1);
  assert.match(folderKey, /is a folder/);
});

test('unreadable batch input and config file: one line each, no raw EACCES', { skip: skipPermissions }, async () => {
  const folder = sharedFolder();
  const key = join(folder, 'key.pem');
  writeFileSync(key, readFileSync(keys.pkcs8));
  chmodSync(key, 0o644);
  const input = join(folder, 'users.csv');
  writeFileSync(input, 'userid,userdir\nanna,ACME\n', { mode: 0o600 });
  chmodSync(input, isRoot ? 0o600 : 0o000);
  const batch = oneErrorLine(await runCliUnprivileged(['batch', 'qseow', '--key', key, '--input', input], folder), 1);
  assert.match(batch, /--input .*users\.csv cannot be read \(permission denied\)/);
  const config = join(folder, 'qs-jwt.config.json');
  writeFileSync(config, '{"profiles":{"p":{"platform":"qseow"}}}', { mode: 0o600 });
  chmodSync(config, isRoot ? 0o600 : 0o000);
  const create = ['create', 'qseow', '--key', key, '--userid', 'a', '--userdir', 'b'];
  create.push('--profile', 'p', '--config', config);
  const profile = oneErrorLine(await runCliUnprivileged(create, folder), 1);
  assert.match(profile, /config file .*qs-jwt\.config\.json cannot be read \(permission denied\)/);
});

// ---- defect 11: batch columns, jti values, progress ---------------------------------------------------

test('batch keeps a __proto__ CSV column as a claim, like any other column', async () => {
  const stdin = 'userid,userdir,__proto__,constructor\nanna,ACME,x,y\n';
  const args = ['batch', 'qseow', '--key', keys.pkcs8, '--input', '-', '--input-format', 'csv'];
  const result = await runCli(args, { stdin });
  assert.equal(result.code, 0, result.stderr);
  const { token } = JSON.parse(result.stdout) as { token: string };
  const payload = decodePart(token, 1);
  assert.ok(Object.hasOwn(payload, '__proto__'), 'the __proto__ claim is there');
  assert.equal(Object.getOwnPropertyDescriptor(payload, '__proto__')?.value, 'x');
  assert.equal(payload['constructor'], 'y');
});

test('a Qlik Cloud batch with a repeated jti mints every row and warns, naming the lines', async () => {
  const rows = [
    { sub: 'a', name: 'A', email: 'a@acme.com', jti: 'same' },
    { sub: 'b', name: 'B', email: 'b@acme.com', jti: 'other' },
    { sub: 'c', name: 'C', email: 'c@acme.com', JTI: 'same' },
    { sub: 'd', name: 'D', email: 'd@acme.com' },
  ]
    .map((row) => JSON.stringify(row))
    .join('\n');
  const batch = ['batch', 'cloud', '--key', keys.pkcs8, '--issuer', 'https://idp.acme.com', '--kid', 'k1'];
  batch.push('--input', '-');
  const result = await runCli(batch, { stdin: `${rows}\n` });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trimEnd().split('\n').length, 4);
  const warnings = result.stderr.split('\n').filter((line) => line.startsWith('qs-jwt: warning:'));
  assert.equal(warnings.length, 1, result.stderr);
  assert.match(warnings[0] ?? '', /jti "same" is on lines 1, 3: Qlik Cloud accepts a jti once/);

  const unique = await runCli(batch, { stdin: `${rows.replace('"JTI":"same"', '"JTI":"third"')}\n` });
  assert.equal(unique.code, 0, unique.stderr);
  assert.doesNotMatch(unique.stderr, /warning/);
});

test('progress counts rows: a percentage only once the row total is known', (t) => {
  const frames: string[] = [];
  t.mock.method(process.stderr, 'write', (text: string) => {
    frames.push(text);
    return true;
  });
  const progress = new Progress(true);
  progress.update(50, true);
  progress.setTotal(200);
  progress.update(100, true);
  progress.finish();
  t.mock.restoreAll();
  assert.doesNotMatch(frames[0] ?? '', /%/, 'no percentage without a total');
  assert.match(frames[0] ?? '', /50 rows/);
  assert.match(frames[1] ?? '', /100 rows .* 50% {2}ETA/);
  assert.ok(
    frames.every((frame) => frame.startsWith('\r\x1b[K')),
    'every frame clears its line first',
  );
});

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

const noScript = hasScript ? false : 'util-linux script is not installed';

test('batch draws no progress on the terminal the tokens go to', { skip: noScript, timeout: 120_000 }, () => {
  const folder = temporaryFolder();
  const input = join(folder, 'users.csv');
  const users = Array.from({ length: 1500 }, (_, index) => `user${index},ACME`);
  writeFileSync(input, `userid,userdir\n${users.join('\n')}\n`);
  const words = [process.execPath, CLI_PATH, 'batch', 'qseow', '--key', keys.pkcs8, '--input', input];
  const command = words.map((arg) => `'${arg}'`).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout.slice(-400));
  // The terminal turns each \n into \r\n; a progress frame starts with a bare \r.
  assert.equal(/\r(?!\n)/.test(result.stdout), false, 'no progress frame among the tokens');
  assert.equal(result.stdout.split('\n').filter((line) => line.includes('"token"')).length, 1500);
});
