/**
 * The Linux single-file executable (npm run build:binaries) runs the CLI with no Node install: it is
 * copied into an empty folder and run with a PATH that holds nothing (no node, no node_modules).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasOpenssl, temporaryFolder } from './support/fixtures.js';
import { freshLinuxBinary } from './support/linux-binary.js';

const supported =
  process.platform === 'linux' && process.arch === 'x64'
    ? {}
    : { skip: 'the Linux x64 binary is built and run on Linux x64' };
const folder = temporaryFolder('qs-jwt-binary-');
const emptyPath = temporaryFolder('qs-jwt-empty-path-');
let binary = '';

function run(args: readonly string[], input?: string) {
  const result = spawnSync(binary, args, {
    cwd: folder,
    env: { PATH: emptyPath, HOME: folder },
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test(
  'the binary builds (or a fresh one is reused) and runs from an empty folder without node on PATH',
  supported,
  () => {
    binary = join(folder, 'qs-jwt');
    copyFileSync(freshLinuxBinary(), binary);
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const version = run(['--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `${manifest.version}\n`);
    assert.equal(version.stderr, '', 'no SEA or experimental warning on stderr');
  },
);

test('binary: keys create, then create qseow gives a token openssl verifies with the certificate', supported, () => {
  const keys = run(['keys', 'create', '--out', 'keys', '--bits', '2048']);
  assert.equal(keys.code, 0, keys.stderr);
  const created = run(['create', 'qseow', '--key', 'keys/privatekey.pem', '--userid', 'anna', '--userdir', 'ACME']);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  const [header, payload, signature] = token.split('.');
  assert.ok(header && payload && signature, token);
  writeFileSync(join(folder, 'input.txt'), `${header}.${payload}`);
  writeFileSync(join(folder, 'signature.bin'), Buffer.from(signature, 'base64url'));
  assert.equal(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).userId, 'anna');
  if (!hasOpenssl()) return;
  const publicKey = spawnSync(
    'openssl',
    ['x509', '-in', 'keys/publickey.cer', '-pubkey', '-noout', '-out', 'cert-public.pem'],
    { cwd: folder, encoding: 'utf8' },
  );
  assert.equal(publicKey.status, 0, publicKey.stderr);
  const verified = spawnSync(
    'openssl',
    ['dgst', '-sha256', '-verify', 'cert-public.pem', '-signature', 'signature.bin', 'input.txt'],
    { cwd: folder, encoding: 'utf8' },
  );
  assert.match(verified.stdout, /Verified OK/, verified.stderr);
});

test('binary: batch of 1,000 rows on worker threads gives 1,000 tokens in order', supported, () => {
  const rows = ['userid,userdir', ...Array.from({ length: 1000 }, (_, index) => `user${index},ACME`)].join('\n');
  const batch = run(['batch', 'qseow', '--key', 'keys/privatekey.pem', '--input', '-', '--workers', '2'], `${rows}\n`);
  assert.equal(batch.code, 0, batch.stderr);
  assert.match(batch.stderr, /1000 tokens, 0 failed.*2 workers/);
  const lines = batch.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { line: number; token?: string });
  assert.equal(lines.length, 1000);
  lines.forEach((line, index) => {
    assert.equal(line.line, index + 2);
    const claims = JSON.parse(Buffer.from(line.token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      userId: string;
    };
    assert.equal(claims.userId, `user${index}`);
  });
});

test('binary: emulate qseow answers a Bearer request, then stops on SIGTERM', supported, async () => {
  const token = run([
    'create',
    'qseow',
    '--key',
    'keys/privatekey.pem',
    '--userid',
    'anna',
    '--userdir',
    'ACME',
  ]).stdout.trim();
  const emulator = spawn(binary, ['emulate', 'qseow', '--cert', 'keys/publickey.cer', '--port', '0'], {
    cwd: folder,
    env: { PATH: emptyPath, HOME: folder },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => emulator.kill('SIGKILL'), 30_000);
  let stderr = '';
  emulator.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => emulator.on('close', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      emulator.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0] ?? '');
      });
      emulator.on('close', () => reject(new Error(`the emulator ended before printing its URL: ${stderr}`)));
    });
    const response = await fetch(`${url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { userId: string }).userId, 'anna');
  } finally {
    emulator.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    clearTimeout(killer);
  }
  assert.doesNotMatch(stderr, /Warning|single-executable/i);
});

test(
  'binary: ui serves its bundled page (SEA assets) to the URL it prints, then stops on SIGTERM',
  supported,
  async () => {
    const ui = spawn(binary, ['ui', '--no-open', '--port', '0', '--key', 'keys/privatekey.pem'], {
      cwd: folder,
      env: { PATH: emptyPath, HOME: folder },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => ui.kill('SIGKILL'), 30_000);
    let stderr = '';
    ui.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => ui.on('close', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        ui.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('\n')) resolve(stdout.split('\n')[0] ?? '');
        });
        ui.on('close', () => reject(new Error(`ui ended before printing its URL: ${stderr}`)));
      });
      // The URL's secret is exchanged for a cookie, then the page itself is served from the binary.
      const first = await fetch(url, { redirect: 'manual' });
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const page = await fetch(new URL('/', url), { headers: { cookie } });
      assert.equal(page.status, 200, stderr);
      assert.match(await page.text(), /<html/i);
      const script = await fetch(new URL('/app.js', url), { headers: { cookie } });
      assert.equal(script.status, 200);
    } finally {
      ui.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
  },
);
