import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createSelfSignedCertificate } from '../src/core/keys/certificate.js';
import { KEYS, PUBLIC_PEM } from './support/emulator-harness.js';
import { hasCommand, temporaryFolder } from './support/fixtures.js';
import { CLI_PATH, runCli } from './support/run-cli.js';
import { bridgeCommandLine, startTestIdp, type TestIdp } from './support/test-idp.js';
import { startUrlPrintingProcess } from './support/url-printing-process.js';

/**
 * `qs-jwt bridge qseow` as users start it: a separate process in front of `qs-jwt emulate qseow` (another
 * process, keyed with the bridge key's certificate), the test IdP in this process. Usage errors are
 * one line with exit code 2; SIGTERM lets an in-flight request finish, then the process exits 0.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(join(ROOT, 'dist/cli-bundle/main.js'));
const execFileAsync = promisify(execFile);
const folder = temporaryFolder('qs-jwt-bridge-');
const certFile = join(folder, 'publickey.pem');
const keyFile = join(folder, 'privatekey.pem');
writeFileSync(certFile, PUBLIC_PEM);
writeFileSync(keyFile, KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

interface Running {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts a CLI server command and waits for the URL it prints first. */
async function startCli(args: readonly string[]): Promise<Running> {
  const { child, url, stderr, exited } = await startUrlPrintingProcess(process.execPath, [CLI_PATH, ...args], {
    cwd: folder,
  });
  return { child, url, stderr, exited };
}

/** Resolves once nothing listens on the port any more (a server that has begun to shut down), within 5 s. */
async function refusingConnections(port: number): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt += 1) {
    const refused = await new Promise<boolean>((done) => {
      const probe = connect(port, '127.0.0.1');
      probe.once('connect', () => {
        probe.destroy();
        done(false);
      });
      probe.once('error', () => done(true));
    });
    if (refused) return;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`port ${port} still accepts connections`);
}

function bridgeArgs(idp: TestIdp, upstream: string, extra: readonly string[] = []): string[] {
  return bridgeCommandLine(idp, upstream, keyFile, extra);
}

describe('qs-jwt bridge qseow (CLI)', { skip: built ? false : 'run npm run build first' }, () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp();
  });
  after(async () => idp.close());

  it(
    'in front of qs-jwt emulate qseow: curl with an IdP token gets the user; JSON access log on stderr; SIGTERM exits 0',
    { skip: hasCommand('curl') ? false : 'curl not installed' },
    async () => {
      const emulator = await startCli(['emulate', 'qseow', '--cert', certFile, '--port', '0']);
      let bridge: Running | undefined;
      try {
        bridge = await startCli(bridgeArgs(idp, emulator.url, ['--groups-claim', 'groups']));
        assert.match(bridge.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const token = await idp.token({ sub: 'anna', groups: ['Sales'] });
        const { stdout } = await execFileAsync('curl', [
          '-sS',
          '--max-time',
          '10',
          '-H',
          `Authorization: Bearer ${token}`,
          `${bridge.url}/jwt/qps/user`,
        ]);
        assert.equal((JSON.parse(stdout) as { userId: string }).userId, 'anna');
        bridge.child.kill('SIGTERM');
        assert.equal(await bridge.exited, 0);
        const lines = bridge
          .stderr()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        assert.equal(lines.length, 1);
        assert.deepEqual(
          [lines[0]?.['method'], lines[0]?.['path'], lines[0]?.['status'], lines[0]?.['user']],
          ['GET', '/jwt/qps/user', 200, 'IDP\\anna'],
        );
        assert.ok(!bridge.stderr().includes(token));
      } finally {
        bridge?.child.kill('SIGKILL');
        emulator.child.kill('SIGKILL');
      }
    },
  );

  it('SIGTERM: stops accepting, lets the in-flight request finish, then exits 0', async () => {
    // An upstream that answers after 800 ms: the request is in flight when SIGTERM arrives.
    const slow = createServer((request, response) => setTimeout(() => response.end('late but complete'), 800));
    await new Promise<void>((done) => slow.listen(0, '127.0.0.1', done));
    const bridge = await startCli(bridgeArgs(idp, `http://127.0.0.1:${(slow.address() as AddressInfo).port}`));
    try {
      const token = await idp.token({ sub: 'bert' });
      const inFlight = fetch(`${bridge.url}/jwt/slow`, { headers: { authorization: `Bearer ${token}` } });
      await new Promise((done) => setTimeout(done, 300));
      const signalled = performance.now();
      bridge.child.kill('SIGTERM');
      const response = await inFlight;
      assert.equal(response.status, 200);
      assert.equal(await response.text(), 'late but complete');
      assert.equal(await bridge.exited, 0);
      // fetch keeps its connection alive: the bridge closes it once the request is done, not at the 10 s grace.
      const exitMs = performance.now() - signalled;
      assert.ok(exitMs < 3000, `exited ${Math.round(exitMs)} ms after SIGTERM`);
      await assert.rejects(fetch(`${bridge.url}/healthz`), 'still accepting after SIGTERM');
    } finally {
      bridge.child.kill('SIGKILL');
      slow.close();
    }
  });

  it('SIGTERM with a second request pipelined behind a slow one: both answered, the second with Connection: close', async () => {
    const slow = createServer((request, response) => setTimeout(() => response.end(`done ${request.url}`), 600));
    await new Promise<void>((done) => slow.listen(0, '127.0.0.1', done));
    const bridge = await startCli(bridgeArgs(idp, `http://127.0.0.1:${(slow.address() as AddressInfo).port}`));
    try {
      const token = await idp.token({ sub: 'bert' });
      const { port } = new URL(bridge.url);
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
      const ended = new Promise<void>((done) => socket.on('close', () => done()));
      const ask = (path: string): string =>
        `GET /jwt/${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`;
      socket.write(ask('first'));
      await new Promise((done) => setTimeout(done, 200));
      bridge.child.kill('SIGTERM');
      // The second request must arrive after shutdown began: once new connections are refused.
      await refusingConnections(Number(port));
      socket.write(ask('second'));
      await ended;
      const answers = received.split(/(?=HTTP\/1\.1 )/);
      assert.equal(answers.length, 2, received);
      assert.match(answers[0] ?? '', /^HTTP\/1\.1 200[^]*done \/jwt\/first$/);
      assert.match(answers[1] ?? '', /^HTTP\/1\.1 200[^]*\r\nconnection: close\r\n[^]*done \/jwt\/second$/i);
      assert.equal(await bridge.exited, 0);
    } finally {
      bridge.child.kill('SIGKILL');
      slow.close();
    }
  });

  it('SIGTERM while an answer is streaming: the client gets all of it, then the process exits 0', async () => {
    // The upstream sends its head and a first chunk at once and the rest 800 ms later: the bridge's
    // response has its head out when SIGTERM arrives.
    const streaming = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first half, ');
      setTimeout(() => response.end('second half'), 800);
    });
    await new Promise<void>((done) => streaming.listen(0, '127.0.0.1', done));
    const bridge = await startCli(bridgeArgs(idp, `http://127.0.0.1:${(streaming.address() as AddressInfo).port}`));
    try {
      const token = await idp.token({ sub: 'bert' });
      const response = await fetch(`${bridge.url}/jwt/stream`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200);
      const signalled = performance.now();
      bridge.child.kill('SIGTERM');
      assert.equal(await response.text(), 'first half, second half');
      assert.equal(await bridge.exited, 0, bridge.stderr());
      const exitMs = performance.now() - signalled;
      assert.ok(exitMs < 3000, `exited ${Math.round(exitMs)} ms after SIGTERM`);
    } finally {
      bridge.child.kill('SIGKILL');
      streaming.close();
    }
  });

  it(
    'TLS termination with --tls-cert/--tls-key',
    { skip: hasCommand('curl') ? false : 'curl not installed' },
    async () => {
      const certPem = await createSelfSignedCertificate({
        privateKey: KEYS.privateKey,
        publicKey: KEYS.publicKey,
        commonName: '127.0.0.1',
        days: 1,
      });
      const tlsCert = join(folder, 'tls.pem');
      writeFileSync(tlsCert, certPem);
      const bridge = await startCli(
        bridgeArgs(idp, 'http://127.0.0.1:9', ['--tls-cert', tlsCert, '--tls-key', keyFile]),
      );
      try {
        assert.match(bridge.url, /^https:/);
        const { stdout } = await execFileAsync('curl', ['-sS', '-k', '--max-time', '10', `${bridge.url}/healthz`]);
        assert.deepEqual(JSON.parse(stdout), { status: 'ok' });
      } finally {
        bridge.child.kill('SIGKILL');
      }
    },
  );

  it('refuses bad usage with one line and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--prefix', 'jwt'], /--upstream is required/],
      [
        [
          '--upstream',
          'http://q',
          '--prefix',
          'jwt',
          '--jwks',
          'http://idp.example.com/keys',
          '--issuer',
          'i',
          '--audience',
          'a',
          '--userdir-value',
          'D',
          '--key',
          keyFile,
        ],
        /--jwks .*https/,
      ],
      [['--upstream', 'http://q/jwt', '--prefix', 'jwt'], /only the origin/],
      [
        [
          '--upstream',
          'http://q',
          '--prefix',
          'jwt',
          '--jwks',
          'https://idp/keys',
          '--issuer',
          'i',
          '--audience',
          'a',
          '--key',
          keyFile,
        ],
        /exactly one of --userdir-claim/,
      ],
      [
        [
          '--upstream',
          'http://q',
          '--prefix',
          'jwt',
          '--jwks',
          'https://idp/keys',
          '--issuer',
          'i',
          '--audience',
          'a',
          '--userdir-value',
          'D',
          '--token-lifetime',
          'soon',
          '--key',
          keyFile,
        ],
        /--token-lifetime/,
      ],
      [
        [
          '--upstream',
          'http://q',
          '--prefix',
          'jwt',
          '--jwks',
          'https://idp/keys',
          '--issuer',
          'i',
          '--audience',
          'a',
          '--userdir-value',
          'D',
          '--attribute',
          'email',
          '--key',
          keyFile,
        ],
        /--attribute "email"/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['bridge', 'qseow', ...args], { cwd: folder, timeoutMs: 20_000 });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.equal(result.stdout, '');
    }
  });
});
