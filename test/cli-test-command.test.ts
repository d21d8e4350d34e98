import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { signJwt } from '../src/core/jose/compact-jws.js';
import { createSelfSignedCertificate } from '../src/core/keys/certificate.js';
import {
  cloudToken,
  ISSUER,
  KEYS,
  KID,
  OTHER_KEYS,
  PUBLIC_PEM,
  qseowToken,
  startTestEmulator,
  type TestEmulator,
} from './support/emulator-harness.js';
import { decodePart, temporaryFolder } from './support/fixtures.js';
import { runCli, type CliResult } from './support/run-cli.js';

/**
 * `qs-jwt test` as a subprocess against the emulator started in this process on a free loopback port:
 * real sockets, real HTTP and websockets. Runs through bin/qs-jwt.js once the command is registered,
 * else straight from dist/cli/commands/test.js (both need npm run build).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runnable = existsSync(join(ROOT, 'dist/cli-bundle/main.js'));
const skip = runnable ? false : 'run npm run build first: the built CLI is missing';

/** `qs-jwt test …` as a separate process, the way users run it. */
function runTest(args: readonly string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runCli(['test', ...args], {
    cwd: folder,
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
}

const folder = temporaryFolder('qs-jwt-test-command-');
const certFile = join(folder, 'publickey.pem');
const keyFile = join(folder, 'privatekey.pem');
writeFileSync(certFile, PUBLIC_PEM);
writeFileSync(keyFile, KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

interface JsonReport {
  ok: boolean;
  steps: { name: string; ok: boolean; status: number | null; detail: string }[];
  user: Record<string, unknown> | null;
  lint?: { accepted: boolean; findings: { code: string }[] };
  refusal?: { status: number; reason?: string };
  diagnosis?: string[];
}

function stepLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /^(ok|FAIL) /.test(line));
}

/** The rule codes the local check reported (lines such as "  error   QJ030 token expired…"). */
function lintCodes(stdout: string): string[] {
  return [...stdout.matchAll(/^ {2}(?:error|warning) +(QJ\d{3})/gm)].map((match) => match[1] ?? '');
}

let emulator: TestEmulator;

before(async () => {
  emulator = await startTestEmulator({
    virtualProxies: [
      { prefix: 'jwt', jwtPublicKeyCertificate: 'injected' },
      { prefix: 'csrf', jwtPublicKeyCertificate: 'injected', websocketCsrf: true },
      { prefix: 'aud', jwtPublicKeyCertificate: 'injected', jwtAudience: 'qlik.example.com' },
    ],
    tenant: { issuer: ISSUER, keyId: KID, publicKey: 'injected', clockTolerance: '5s', tenantId: 'tenant-1' },
  });
});
after(() => emulator.close());

describe('qs-jwt test qseow', { skip }, () => {
  it('mints a token from --key and passes every step against the classic virtual proxy, printing the user', async () => {
    const result = await runTest([
      'qseow',
      '--server',
      emulator.url,
      '--prefix',
      'jwt',
      '--key',
      keyFile,
      '--userid',
      'anna',
      '--userdir',
      'ACME',
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const lines = stepLines(result.stdout);
    assert.deepEqual(
      lines.map((line) => line.split(/\s+/).slice(0, 3)),
      [
        ['ok', 'qrs/about', '200'],
        ['ok', 'qps/user', '200'],
        ['ok', 'websocket', '101'],
        ['ok', 'GetAuthenticatedUser', '-'],
      ],
    );
    assert.match(result.stdout, /UserDirectory=ACME; UserId=anna/);
    assert.match(result.stdout, /^user: +ACME\\anna$/m);
    assert.match(result.stdout, /^PASSED/m);
    assert.equal(result.stderr, '');
    const decisions = emulator.logs.filter(
      (entry) => entry['target'] === 'qseow:/jwt' && entry['path'] === '/jwt/qrs/about',
    );
    assert.ok(
      decisions.some((entry) => entry['outcome'] === 'accepted'),
      'the emulator accepted the xrfkey and the Bearer token',
    );
  });

  it('mints from a profile (--profile NAME with keyFile and the attribute names) and refuses a Cloud profile', async () => {
    const config = join(folder, 'profiles.json');
    writeFileSync(
      config,
      JSON.stringify({
        profiles: {
          proxy: { platform: 'qseow', keyFile: 'privatekey.pem', certFile: 'publickey.pem' },
          idp: { platform: 'cloud', issuer: ISSUER, kid: KID, keyFile: 'privatekey.pem' },
        },
      }),
    );
    const result = await runTest([
      'qseow',
      '--server',
      emulator.url,
      '--config',
      config,
      '--profile',
      'proxy',
      '--userid',
      'dora',
      '--userdir',
      'ACME',
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^user: +ACME\\dora$/m);
    const cloud = await runTest([
      'cloud',
      '--tenant',
      emulator.url,
      '--config',
      config,
      '--profile',
      'idp',
      '--sub',
      'dora',
      '--name',
      'Dora',
      '--email',
      'dora@acme.test',
    ]);
    assert.equal(cloud.code, 0, cloud.stdout + cloud.stderr);
    const wrong = await runTest([
      'qseow',
      '--server',
      emulator.url,
      '--config',
      config,
      '--profile',
      'idp',
      '--userid',
      'dora',
      '--userdir',
      'ACME',
    ]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--profile idp is for cloud .*use it with qs-jwt test cloud/);
  });

  it('reads --token - from stdin and opens the websocket with the Nov 2024 CSRF flow (--websocket-csrf)', async () => {
    const result = await runTest(['qseow', '--server', emulator.url, '--prefix', 'csrf', '--token', '-'], {
      stdin: `Bearer ${qseowToken({ userId: 'bert' })}\n`,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ok +websocket +101 .*Nov 2024 flow/m);
    assert.match(result.stdout, /^user: +ACME\\bert$/m);
  });

  it('expired token: exit 1, the step FAILs with 401, the lint shows QJ030 and the server reason', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = qseowToken({ issuedAt: now - 7200, expires: now - 3600 });
    const result = await runTest(['qseow', '--server', emulator.url, '--token', token]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(stepLines(result.stdout)[0] ?? '', /^FAIL +qrs\/about +401 /);
    assert.equal(stepLines(result.stdout).length, 1, 'later steps are not attempted');
    assert.deepEqual(lintCodes(result.stdout), ['QJ030']);
    assert.match(result.stdout, /^reason: +X-Qs-Jwt-Reason: QJ030 /m);
    assert.match(result.stdout, /^likely cause:\n {2}QJ030 .* fix: mint a new token/m);
  });

  it('wrong audience: QJ105 from the local check with --audience', async () => {
    const result = await runTest([
      'qseow',
      '--server',
      emulator.url,
      '--prefix',
      'aud',
      '--audience',
      'qlik.example.com',
      '--token',
      qseowToken({ audience: 'other.example.com' }),
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.deepEqual(lintCodes(result.stdout), ['QJ105']);
  });

  it('bad signature: with --cert the local check finds QJ020 (and without it, the server reason names QJ020)', async () => {
    const token = qseowToken({ privateKey: OTHER_KEYS.privateKey });
    const withCert = await runTest(['qseow', '--server', emulator.url, '--token', token, '--cert', certFile]);
    assert.equal(withCert.code, 1);
    assert.deepEqual(lintCodes(withCert.stdout), ['QJ020']);
    const without = await runTest(['qseow', '--server', emulator.url, '--token', token]);
    assert.equal(without.code, 1);
    assert.deepEqual(lintCodes(without.stdout), []);
    assert.match(without.stdout, /^ {2}QJ020 \(server\) .* fix: sign with the private key/m);
  });

  it('missing user attribute: QJ101 when the token names the user ID claim differently', async () => {
    const result = await runTest([
      'qseow',
      '--server',
      emulator.url,
      '--token',
      qseowToken({ userIdAttribute: 'uid' }),
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.deepEqual(lintCodes(result.stdout), ['QJ101']);
  });

  it('--format json: {ok, steps:[{name, ok, status, detail}], user} on success; lint, refusal and diagnosis after a refusal', async () => {
    const good = await runTest(['qseow', '--server', emulator.url, '--token', qseowToken(), '--format', 'json']);
    assert.equal(good.code, 0, good.stderr);
    const report = JSON.parse(good.stdout) as JsonReport;
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.steps.map((entry) => [entry.name, entry.ok, entry.status]),
      [
        ['qrs/about', true, 200],
        ['qps/user', true, 200],
        ['websocket', true, 101],
        ['GetAuthenticatedUser', true, null],
      ],
    );
    for (const entry of report.steps) assert.deepEqual(Object.keys(entry), ['name', 'ok', 'status', 'detail']);
    assert.deepEqual(report.user, {
      userId: 'anna',
      userDirectory: 'ACME',
      userName: 'anna',
      engineUser: { userDirectory: 'ACME', userId: 'anna' },
    });
    assert.equal(report.lint, undefined);

    const now = Math.floor(Date.now() / 1000);
    const bad = await runTest([
      'qseow',
      '--server',
      emulator.url,
      '--token',
      qseowToken({ issuedAt: now - 7200, expires: now - 3600 }),
      '--format',
      'json',
    ]);
    assert.equal(bad.code, 1);
    const refused = JSON.parse(bad.stdout) as JsonReport;
    assert.equal(refused.ok, false);
    assert.equal(refused.user, null);
    assert.deepEqual(
      refused.steps.map((entry) => [entry.name, entry.ok, entry.status]),
      [['qrs/about', false, 401]],
    );
    assert.equal(refused.lint?.accepted, false);
    assert.ok(refused.lint?.findings.some((entry) => entry.code === 'QJ030'));
    assert.equal(refused.refusal?.status, 401);
    assert.match(refused.refusal?.reason ?? '', /^QJ030 /);
    assert.match(refused.diagnosis?.[0] ?? '', /^QJ030 /);
  });
});

describe('qs-jwt test qseow: websocket fallback', { skip }, () => {
  let stub: HttpServer;
  let upgrades: { authorization?: string | undefined; cookie?: string | undefined; url?: string | undefined }[] = [];
  let offerCsrfToken = false;

  before(async () => {
    // A server from before Nov 2024: no /qps/csrftoken, and the engine upgrade takes the Bearer token only.
    const { WebSocketServer } = await import('ws');
    const engine = new WebSocketServer({ noServer: true });
    stub = createHttpServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path === '/jwt/qrs/about')
        response
          .writeHead(200, {
            'content-type': 'application/json',
            'set-cookie': 'X-Qlik-Session-jwt-HTTP=s1; Path=/; HttpOnly',
          })
          .end('{"buildVersion":"1.0"}');
      else if (path === '/jwt/qps/csrftoken' && offerCsrfToken)
        response.writeHead(200, { 'qlik-csrf-token': 'c1' }).end('{}');
      else if (path === '/jwt/qps/user')
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"userId":"anna","userDirectory":"ACME"}');
      else response.writeHead(404).end('Not Found');
    });
    stub.on('upgrade', (request, socket, head) => {
      upgrades.push({ authorization: request.headers.authorization, cookie: request.headers.cookie, url: request.url });
      if (!request.headers.authorization) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      engine.handleUpgrade(request, socket, head, (ws) => {
        ws.on('message', (data) => {
          const { id } = JSON.parse(data.toString()) as { id: number };
          ws.send(JSON.stringify({ jsonrpc: '2.0', id, result: { qReturn: 'UserDirectory=ACME; UserId=anna' } }));
        });
        ws.send(
          JSON.stringify({ jsonrpc: '2.0', method: 'OnConnected', params: { qSessionState: 'SESSION_CREATED' } }),
        );
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    stub.closeAllConnections();
    await new Promise<void>((resolve) => stub.close(() => resolve()));
  });

  it('falls back to the classic flow (Bearer on the upgrade) when /qps/csrftoken is missing', async () => {
    upgrades = [];
    const { port } = stub.address() as { port: number };
    const result = await runTest(['qseow', '--server', `http://127.0.0.1:${port}`, '--token', qseowToken()]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^ok +websocket +101 .*classic flow \(Bearer on the upgrade\); the Nov 2024 flow failed: GET \/jwt\/qps\/csrftoken → 404/m,
    );
    assert.match(result.stdout, /^ok +GetAuthenticatedUser /m);
    assert.deepEqual(
      upgrades.map((entry) => entry.authorization?.startsWith('Bearer ')),
      [true],
    );
  });

  it('falls back to the classic flow when the Nov 2024 upgrade (cookie + qlik-csrf-token) is refused', async () => {
    upgrades = [];
    offerCsrfToken = true;
    const { port } = stub.address() as { port: number };
    const result = await runTest(['qseow', '--server', `http://127.0.0.1:${port}`, '--token', qseowToken()]);
    offerCsrfToken = false;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ok +websocket +101 .*classic flow .*upgrade with cookie and qlik-csrf-token → 403/m);
    assert.deepEqual(
      upgrades.map((entry) => [entry.url, entry.cookie, entry.authorization === undefined]),
      [
        ['/jwt/app/engineData?qlik-csrf-token=c1', 'X-Qlik-Session-jwt-HTTP=s1', true],
        ['/jwt/app/engineData', undefined, false],
      ],
    );
  });
});

describe('qs-jwt test cloud', { skip }, () => {
  it('logs in, fetches the CSRF token and users/me, and prints name, email, subject and groups', async () => {
    const result = await runTest(['cloud', '--tenant', emulator.url, '--token', cloudToken()]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(
      stepLines(result.stdout).map((line) => line.split(/\s+/).slice(0, 3)),
      [
        ['ok', 'login', '200'],
        ['ok', 'csrf-token', '204'],
        ['ok', 'users/me', '200'],
      ],
    );
    assert.match(result.stdout, /^user: +Anna A$/m);
    assert.match(result.stdout, /^email: +anna@acme\.test$/m);
    assert.match(result.stdout, /^subject: +anna-sub$/m);
    assert.match(result.stdout, /^groups: +Sales, EMEA$/m);
  });

  it('mints from --key with the identity provider settings; --format json carries the user', async () => {
    const result = await runTest([
      'cloud',
      '--tenant',
      emulator.url,
      '--key',
      keyFile,
      '--sub',
      'carl',
      '--name',
      'Carl C',
      '--email',
      'carl@acme.test',
      '--issuer',
      ISSUER,
      '--kid',
      KID,
      '--format',
      'json',
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.equal(report.ok, true);
    assert.equal(report.user?.['subject'], 'carl');
    assert.equal(report.user?.['email'], 'carl@acme.test');
    assert.deepEqual(report.user?.['groups'], []);
  });

  it('one-hour rule: a token valid for two hours is refused (400) and the lint shows QJ208', async () => {
    const base = cloudToken();
    const payload = decodePart(base, 1);
    const token = signJwt(
      { alg: 'RS256', typ: 'JWT', kid: KID },
      { ...payload, exp: Number(payload['nbf']) + 7200 },
      KEYS.privateKey,
    );
    const result = await runTest(['cloud', '--tenant', emulator.url, '--token', token]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(stepLines(result.stdout)[0] ?? '', /^FAIL +login +400 .*INTERNAL-TOKEN-1/);
    assert.deepEqual(lintCodes(result.stdout), ['QJ208']);
  });

  it('reused jti: the second login is refused and the server reason EMU008 is explained', async () => {
    const token = cloudToken({ jwtId: `reused-${Date.now()}` });
    const first = await fetch(`${emulator.url}/login/jwt-session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(first.status, 200);
    const result = await runTest(['cloud', '--tenant', emulator.url, '--token', token]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^ {2}EMU008 \(server\) .* fix: Qlik Cloud accepts each jti once/m);
  });

  it('wrong kid and wrong issuer: QJ210 and QJ209 from the local check with --kid and --issuer', async () => {
    const wrongKid = await runTest([
      'cloud',
      '--tenant',
      emulator.url,
      '--kid',
      KID,
      '--token',
      cloudToken({ keyId: 'old-key' }),
    ]);
    assert.equal(wrongKid.code, 1);
    assert.deepEqual(lintCodes(wrongKid.stdout), ['QJ210']);
    const wrongIssuer = await runTest([
      'cloud',
      '--tenant',
      emulator.url,
      '--issuer',
      ISSUER,
      '--token',
      cloudToken({ issuer: 'https://other-idp.test' }),
    ]);
    assert.equal(wrongIssuer.code, 1);
    assert.deepEqual(lintCodes(wrongIssuer.stdout), ['QJ209']);
  });
});

describe('qs-jwt test over HTTPS', { skip }, () => {
  let secure: TestEmulator;
  let caFile: string;

  before(async () => {
    const cert = await createSelfSignedCertificate({ ...KEYS, commonName: 'localhost', days: 1 });
    caFile = join(folder, 'server.cer');
    writeFileSync(caFile, cert);
    secure = await startTestEmulator(
      { virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'x' }] },
      { tls: { cert, key: KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } },
    );
  });
  after(() => secure.close());

  it('--insecure works against a self-signed server and prints a warning on stderr', async () => {
    const result = await runTest(['qseow', '--server', secure.url, '--token', qseowToken(), '--insecure']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stderr, /warning: --insecure/);
    assert.match(result.stdout, /^ok +websocket +101 /m);
  });

  it('without --insecure or --ca the TLS failure is one clear error line', async () => {
    const result = await runTest(['qseow', '--server', secure.url, '--token', qseowToken()]);
    assert.equal(result.code, 1);
    const errors = result.stderr.trim().split('\n');
    assert.equal(errors.length, 1, result.stderr);
    assert.match(
      errors[0] ?? '',
      /^qs-jwt test: error: .*TLS: the certificate of 127\.0\.0\.1:\d+ is self-signed .*--ca FILE.*--insecure/,
    );
  });

  it('--ca with the server certificate verifies it (host localhost, the certificate CN)', async () => {
    const url = secure.url.replace('127.0.0.1', 'localhost');
    const result = await runTest(['qseow', '--server', url, '--token', qseowToken(), '--ca', caFile]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stderr, '');
  });
});

describe('qs-jwt test: network failures and usage', { skip }, () => {
  let silent: Server;
  const sockets = new Set<Socket>();

  before(async () => {
    // Accepts connections and never answers: the case --timeout is for.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('a server that never answers: exit 1 soon after --timeout, with one error line', async () => {
    const { port } = silent.address() as { port: number };
    const started = Date.now();
    const result = await runTest(
      ['qseow', '--server', `http://127.0.0.1:${port}`, '--token', qseowToken(), '--timeout', '1s'],
      { timeoutMs: 15_000 },
    );
    const elapsed = Date.now() - started;
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.ok(elapsed < 8000, `took ${elapsed} ms`);
    assert.match(result.stdout, /^FAIL +qrs\/about +- +no HTTP answer: see the error line$/m);
    assert.match(result.stderr, /^qs-jwt test: error: .*no answer from 127\.0\.0\.1:\d+ within 1s/);
    const printed = `${result.stdout}${result.stderr}`.match(/no answer from/g) ?? [];
    assert.equal(printed.length, 1, `the error is printed once:\n${result.stdout}${result.stderr}`);
  });

  it('plain http to a host other than loopback warns that the token travels in clear text', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    // 0.0.0.0 is not a loopback name (connecting to it reaches this machine on Linux, so nothing leaves it).
    const probe = (host: string): Promise<CliResult> =>
      runTest(['qseow', '--server', `http://${host}:${port}`, '--token', qseowToken(), '--timeout', '2s']);
    const remote = await probe('0.0.0.0');
    assert.match(remote.stderr, /^qs-jwt test: warning: --server http:\/\/0\.0\.0\.0:\d+ is plain http: the token/m);
    const local = await probe('127.0.0.1');
    assert.doesNotMatch(local.stderr, /warning/);
  });

  it('a 431 answer (headers too large) is explained as a token too large, with its size', async () => {
    const groups = Array.from({ length: 1200 }, (_, index) => `group-number-${index}`);
    const token = qseowToken({ groups });
    assert.ok(token.length > 16 * 1024, "over the emulator's 16 KiB header limit");
    const result = await runTest(['qseow', '--server', emulator.url, '--token', token]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^FAIL +qrs\/about +431 /m);
    assert.ok(result.stdout.includes(`the token is too large, ${token.length} characters`), result.stdout);
    const asJson = await runTest(['qseow', '--server', emulator.url, '--token', token, '--format', 'json']);
    const json = JSON.parse(asJson.stdout) as JsonReport;
    assert.match(json.diagnosis?.[0] ?? '', /too large .*HTTP 431/);
  });

  it('nothing listening: exit 1, "connection refused"', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runTest(['cloud', '--tenant', `http://127.0.0.1:${port}`, '--token', cloudToken()]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nothing listens at 127\.0\.0\.1:\d+ \(connection refused\)/);
  });

  it('usage errors exit 2 with one line: no --server, no token, --ca with --insecure, a bad --timeout', async () => {
    const cases: [string[], RegExp][] = [
      [['qseow', '--token', 'x'], /--server is required/],
      [['qseow', '--server', 'http://127.0.0.1:9'], /no token: pass --token/],
      [
        ['cloud', '--tenant', 'http://127.0.0.1:9', '--key', keyFile, '--sub', 'a'],
        /--name, --email, --issuer, --kid to mint one/,
      ],
      [
        ['qseow', '--server', 'http://127.0.0.1:9', '--token', 'x', '--ca', caFileFor(), '--insecure'],
        /--ca and --insecure given/,
      ],
      [['qseow', '--server', 'http://127.0.0.1:9', '--token', 'x', '--timeout', 'soon'], /--timeout "soon"/],
    ];
    for (const [args, message] of cases) {
      const result = await runTest(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });
});

function caFileFor(): string {
  const path = join(folder, 'any.cer');
  writeFileSync(path, '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n');
  return path;
}
