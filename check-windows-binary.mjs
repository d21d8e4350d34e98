// Smoke test of dist-bin/qs-jwt-win-x64.exe under wine (Linux): node check-windows-binary.mjs
// Build it first (npm run build:binaries); needs wine (Debian: apt-get install -y wine64).
// Runs --version, keys create, create qseow, verify, emulate + a request, ui + its page and API, and a batch on a worker thread in a private wine
// prefix, from a temporary folder, and checks the token's signature here with node:crypto.
// Under wine, node.exe dies at start when its stdout is a pipe (EBADF), so every run writes to files.
/* global fetch */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const exe = resolve('dist-bin', 'qs-jwt-win-x64.exe');
const folder = mkdtempSync(join(tmpdir(), 'qs-jwt-wine-'));
const env = { ...process.env, WINEPREFIX: join(folder, 'prefix'), WINEDEBUG: '-all' };
let failed = false;

function check(name, ok, detail = '') {
  console.error(`${ok ? 'ok  ' : 'FAIL'}  ${name}${detail ? `  ${detail}` : ''}`);
  if (!ok) failed = true;
  return ok;
}

/**
 * Starts a server command under wine, waits for the URL it prints first, runs `probe(url)` from here,
 * then stops it.
 */
async function serveOnce(name, args, probe) {
  const out = join(folder, `${name}.out`);
  writeFileSync(out, '');
  const child = spawn(
    'sh',
    ['-c', 'exec wine "$@" > "$OUT" 2> "$OUT.err"', 'sh', join(folder, 'qs-jwt.exe'), ...args],
    {
      cwd: folder,
      env: { ...env, OUT: out },
      stdio: 'ignore',
    },
  );
  try {
    for (let waited = 0; waited < 60_000 && !readFileSync(out, 'utf8').includes('\n'); waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return await probe(readFileSync(out, 'utf8').split('\n')[0]);
  } finally {
    child.kill('SIGTERM');
  }
}

/** `emulate qseow` answers one Bearer request sent from here. */
function emulateOnce(token) {
  return serveOnce('emulate', ['emulate', 'qseow', '--cert', 'keys/publickey.cer', '--port', '0'], async (url) => {
    const response = await fetch(`${url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.text() };
  });
}

/**
 * `ui` admits a browser with the printed URL and answers its API: its HTTP server takes over the
 * listening socket it printed the URL for (http.Server#listen(handle)), which this checks on Windows.
 */
function uiOnce() {
  return serveOnce('ui', ['ui', '--no-open', '--port', '0', '--key', 'keys/privatekey.pem'], async (url) => {
    const admitted = await fetch(url, { redirect: 'manual' });
    const cookie = (admitted.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const origin = new URL(url).origin;
    const page = await fetch(`${origin}/`, { headers: { cookie } });
    const state = await fetch(`${origin}/api/state`, { headers: { cookie } });
    const body = await state.text();
    return { status: `${admitted.status} ${page.status} ${state.status}`, body };
  });
}

/** Runs the exe under wine with stdout and stderr in files; returns their text and the exit code. */
function run(args) {
  const out = join(folder, 'stdout.txt');
  const err = join(folder, 'stderr.txt');
  const result = spawnSync('sh', ['-c', 'wine "$@" > "$OUT" 2> "$ERR"', 'sh', join(folder, 'qs-jwt.exe'), ...args], {
    cwd: folder,
    env: { ...env, OUT: out, ERR: err },
    stdio: 'ignore',
    timeout: 120_000,
  });
  return { code: result.status, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
}

try {
  execFileSync('wine', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('check-windows-binary: wine is not installed (Debian: apt-get install -y wine64)');
  process.exit(1);
}
copyFileSync(exe, join(folder, 'qs-jwt.exe'));
// node.exe refuses to start until the prefix reports Windows 10; the first start makes the prefix.
spawnSync('wine', ['winecfg', '-v', 'win10'], { env, stdio: 'ignore', timeout: 180_000 });
try {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  const version = run(['--version']);
  check(
    '--version',
    version.code === 0 && version.stdout.trim() === manifest.version,
    version.stdout.trim() || version.stderr,
  );
  const keys = run(['keys', 'create', '--out', 'keys', '--bits', '2048']);
  check('keys create', keys.code === 0, keys.code === 0 ? '' : keys.stderr);
  const created = run(['create', 'qseow', '--key', 'keys\\privatekey.pem', '--userid', 'anna', '--userdir', 'ACME']);
  const token = created.stdout.trim();
  const [header, payload, signature] = token.split('.');
  const publicKey = createPublicKey(readFileSync(join(folder, 'keys', 'publickey.pem')));
  const signed =
    created.code === 0 &&
    signature !== undefined &&
    verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
  check('create qseow (signature checked with node:crypto)', signed, signed ? '' : created.stderr);
  const verified = run(['verify', token, '--cert', 'keys/publickey.cer']);
  check('verify', verified.code === 0 && verified.stdout.startsWith('ACCEPTED'), verified.stdout.split('\n')[0]);
  const emulated = await emulateOnce(token).catch((error) => ({ status: 0, body: String(error) }));
  check(
    'emulate qseow + one request',
    emulated.status === 200 && emulated.body.includes('"anna"'),
    `${emulated.status} ${emulated.body.slice(0, 80)}`,
  );
  const workbench = await uiOnce().catch((error) => ({ status: '0', body: String(error) }));
  check(
    'ui: URL admits, page and API answer',
    workbench.status === '303 200 200' && workbench.body.includes('"bits":2048'),
    `${workbench.status} ${workbench.body.slice(0, 80)}`,
  );
  writeFileSync(
    join(folder, 'rows.csv'),
    ['userid,userdir', ...Array.from({ length: 100 }, (_, index) => `user${index},ACME`)].join('\n'),
  );
  const batch = run(['batch', 'qseow', '--key', 'keys/privatekey.pem', '--input', 'rows.csv', '--workers', '1']);
  const lines = batch.stdout
    .trim()
    .split('\n')
    .filter((line) => line.includes('"token"'));
  check('batch on a worker thread', batch.code === 0 && lines.length === 100, batch.stderr.trim().split('\n').at(-1));
} finally {
  // Stop this prefix's wineserver first: it may still be writing into the prefix while the folder is
  // removed (one run ended with an uncaught error there; its message was not kept).
  spawnSync('wineserver', ['-k'], { env, stdio: 'ignore', timeout: 30_000 });
  rmSync(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
console.error(failed ? 'check-windows-binary: FAILED' : 'check-windows-binary: the Windows binary works under wine');
process.exit(failed ? 1 : 0);
