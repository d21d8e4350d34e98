import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { KEYS, PUBLIC_PEM } from './support/emulator-harness.js';
import { hasCommand, temporaryFolder } from './support/fixtures.js';
import { CLI_PATH, runCli } from './support/run-cli.js';
import { startUrlPrintingProcess } from './support/url-printing-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `qs-jwt emulate …` as a separate process, the way users start it. */
function emulateArgv(args: readonly string[]): string[] {
  return [CLI_PATH, 'emulate', ...args];
}

const built = existsSync(join(ROOT, 'dist/cli-bundle/main.js'));
const folder = temporaryFolder('qs-jwt-emulate-');
const certFile = join(folder, 'publickey.pem');
const keyFile = join(folder, 'privatekey.pem');
writeFileSync(certFile, PUBLIC_PEM);
writeFileSync(keyFile, KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

function run(args: readonly string[]): ReturnType<typeof runCli> {
  return runCli(['emulate', ...args], { cwd: folder, timeoutMs: 30_000 });
}

describe(
  'qs-jwt emulate (CLI)',
  { skip: built ? false : 'run npm run build first: dist/cli-bundle/main.js is missing' },
  () => {
    it(
      'starts on --port 0, prints the URL first, serves curl with a token from qs-jwt create qseow, and exits 0 on SIGTERM',
      { skip: hasCommand('curl') ? false : 'curl is not installed' },
      async () => {
        const started = await startUrlPrintingProcess(
          process.execPath,
          emulateArgv(['qseow', '--cert', certFile, '--port', '0']),
          { cwd: folder, killAfterMs: 30_000 },
        );
        const { child, url, exited } = started;
        try {
          assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
          const minted = await runCli(['create', 'qseow', '--key', keyFile, '--userid', 'anna', '--userdir', 'ACME']);
          assert.equal(minted.code, 0, minted.stderr);
          const body = execFileSync(
            'curl',
            ['-sS', '--max-time', '10', '-H', `Authorization: Bearer ${minted.stdout.trim()}`, `${url}/jwt/qps/user`],
            { encoding: 'utf8' },
          );
          assert.equal((JSON.parse(body) as { userId: string }).userId, 'anna');
          const status = execFileSync(
            'curl',
            ['-sS', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}', `${url}/jwt/qps/user`],
            { encoding: 'utf8' },
          );
          assert.equal(status, '401');
          child.kill('SIGTERM');
          assert.equal(await exited, 0);
          const decisions = started
            .stderr()
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as { outcome: string; user?: string });
          assert.deepEqual(
            decisions.map((entry) => entry.outcome),
            ['accepted', 'rejected'],
          );
        } finally {
          child.kill('SIGKILL');
        }
      },
    );

    it('--print-config shows the effective settings of a --config file with several targets', async () => {
      const config = join(folder, 'emulator.json');
      writeFileSync(
        config,
        JSON.stringify({
          virtualProxies: [
            { prefix: 'jwt', certFile: 'publickey.pem' },
            { prefix: 'sales', certFile: 'publickey.pem', jwtAudience: 'sales' },
          ],
          tenant: { issuer: 'https://idp.test', keyId: 'k1', certFile: 'publickey.pem' },
        }),
      );
      const result = await run(['--config', config, '--print-config']);
      assert.equal(result.code, 0, result.stderr);
      const shown = JSON.parse(result.stdout) as {
        virtualProxies: { prefix: string; certFile: string; sessionCookieHeaderName: string }[];
        tenant: { clockTolerance: number };
      };
      assert.deepEqual(
        shown.virtualProxies.map((proxy) => proxy.sessionCookieHeaderName),
        ['X-Qlik-Session-jwt', 'X-Qlik-Session-sales'],
      );
      assert.equal(shown.virtualProxies[0]?.certFile, certFile, 'paths are relative to the config file');
      assert.equal(shown.tenant.clockTolerance, 5);
    });

    it('refuses an invalid config and missing flags with one line naming the problem', async () => {
      const config = join(folder, 'bad.json');
      writeFileSync(config, JSON.stringify({ virtualProxies: [{ prefix: 'Bad Prefix', certFile: 'publickey.pem' }] }));
      const bad = await run(['--config', config]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /virtual proxy 1, field "prefix"/);
      const missing = await run(['cloud', '--cert', certFile]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--issuer, --kid required/);
    });
  },
);
