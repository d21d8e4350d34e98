import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CLI, opsPerSecond, summarize, tokenAlgorithm, type Summary } from '../measure.js';
import { judge, type BenchRow } from '../row.js';
import type { BenchSetup } from './setup.js';
import { createQseowToken } from '../../dist/index.js';

/**
 * #7 and #8: requests per second of `qs-jwt emulate qseow` (the built CLI, its own process) under
 * autocannon on loopback. #7 sends the Bearer on every request, so every request is an RS256 verify, and
 * is compared with raw node:crypto verify/s of the same token in this process (one core each). #8 sends
 * the session cookie only and is compared with a bare node:http server (also its own process) answering
 * the same body. Rounds alternate the contenders so drift in machine load hits each alike.
 */

const CONNECTIONS = 10;
/** A hard cap per run on top of the duration, so no run can go on unbounded. */
const MAX_REQUESTS_PER_RUN = 2_000_000;

/** A bare node:http server answering every request with BODY; prints its URL first, like the emulator. */
const BARE_SERVER = `
const { createServer } = require('node:http');
const body = process.env.QSJWT_BENCH_BODY;
const server = createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write('http://127.0.0.1:' + server.address().port + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export interface Served {
  url: string;
  child: ChildProcess;
}

/** Starts a process that prints its URL as the first line of stdout (stderr, the emulator's log, is discarded). */
export function startServer(args: readonly string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no URL from ${args.join(' ')}`)), 15_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      resolve({ url: stdout.slice(0, newline).trim(), child });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before printing its URL`)));
  });
}

export function stop(served: Served): Promise<void> {
  if (served.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => served.child.kill('SIGKILL'), 5000);
    served.child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    served.child.kill('SIGTERM');
  });
}

/** One bounded autocannon run; throws unless every request completed with a 2xx. Returns requests/s. */
export async function requestsPerSecond(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  label: string,
): Promise<number> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    maxOverallRequests: MAX_REQUESTS_PER_RUN,
    headers,
    timeout: 10,
  });
  if (result.errors !== 0 || result.timeouts !== 0 || result.non2xx !== 0 || result['2xx'] === 0) {
    throw new Error(
      `${label}: ${result['2xx']} 2xx, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return result['2xx'] / result.duration;
}

export async function emulatorRows(setup: BenchSetup): Promise<BenchRow[]> {
  const rounds = setup.quick ? 1 : 3;
  const seconds = setup.quick ? 2 : 5;
  const privateKey = createPrivateKey(readFileSync(setup.keyFile, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  const certFile = join(setup.dir, 'emulator-publickey.pem');
  writeFileSync(certFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const token = createQseowToken({ privateKey, userId: 'anna', userDirectory: 'ACME', expires: '1h' }).token;
  if (tokenAlgorithm(token) !== 'RS256') throw new Error('the benchmark token is not RS256');
  if (publicKey.asymmetricKeyDetails?.modulusLength !== 2048) throw new Error('the benchmark key is not RSA-2048');
  const [header, payload, signature] = token.split('.') as [string, string, string];

  const emulator = await startServer([CLI, 'emulate', 'qseow', '--cert', certFile, '--port', '0']);
  let bare: Served | undefined;
  try {
    const target = `${emulator.url}/jwt/qps/user`;
    const login = await fetch(target, { headers: { authorization: `Bearer ${token}` } });
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const body = await login.text();
    if (login.status !== 200 || !cookie)
      throw new Error(`the emulator refused the benchmark token: ${login.status} ${body.slice(0, 200)}`);
    const cookieOnly = await fetch(target, { headers: { cookie } });
    if (cookieOnly.status !== 200 || (await cookieOnly.text()) !== body)
      throw new Error('the cookie alone did not give the same answer');
    bare = await startServer(['-e', BARE_SERVER], { QSJWT_BENCH_BODY: body });

    const samples = { bearer: [] as number[], raw: [] as number[], cookie: [] as number[], bare: [] as number[] };
    const bearerHeaders = { authorization: `Bearer ${token}` };
    for (let round = 0; round < rounds; round += 1) {
      samples.bearer.push(await requestsPerSecond(target, bearerHeaders, seconds, 'emulator, Bearer'));
      samples.raw.push(
        (
          await opsPerSecond(
            () => {
              if (
                !verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))
              )
                throw new Error('raw verify failed');
            },
            1,
            seconds * 1000,
          )
        ).median,
      );
      // Each Bearer request without a cookie opens a session; a long Bearer run can push the first
      // cookie's session out of the capped store, so sign in afresh before every cookie-only run.
      const fresh = await fetch(target, { headers: bearerHeaders });
      await fresh.text();
      const roundCookie =
        fresh.headers
          .getSetCookie()
          .map((line) => line.split(';')[0])
          .join('; ') || cookie;
      samples.cookie.push(await requestsPerSecond(target, { cookie: roundCookie }, seconds, 'emulator, cookie'));
      samples.bare.push(await requestsPerSecond(`${bare.url}/jwt/qps/user`, {}, seconds, 'bare node:http'));
    }
    const [bearer, raw, cookieRate, bareRate] = [
      summarize(samples.bearer),
      summarize(samples.raw),
      summarize(samples.cookie),
      summarize(samples.bare),
    ] as [Summary, Summary, Summary, Summary];
    const measured = `autocannon, ${CONNECTIONS} connections on loopback, ${rounds} alternating run${rounds > 1 ? 's' : ''} of ${seconds} s per contender, GET /jwt/qps/user of the built CLI (qs-jwt emulate qseow, its own process, auth log discarded)`;
    const bearerTarget = { operator: '>=', value: 0.5 } as const;
    const cookieTarget = { operator: '>=', value: 0.8 } as const;
    const bearerRatio = bearer.median / raw.median;
    const cookieRatio = cookieRate.median / bareRate.median;
    return [
      {
        id: 7,
        figure: 'emulator req/s, Bearer verified on every request',
        measured: `${measured}; RS256 token, 2048-bit key`,
        ours: { ...bearer, unit: 'req/s' },
        comparison: { name: 'raw node:crypto verify/s (same token, one core)', ...raw },
        ratio: bearerRatio,
        ratioMeaning: 'req/s emulator / verify/s raw (higher is better)',
        target: bearerTarget,
        met: judge(bearerRatio, bearerTarget),
        asserted:
          'the token was RS256 with a 2048-bit key and accepted; every run had zero errors, timeouts and non-2xx answers',
      },
      {
        id: 8,
        figure: 'emulator req/s, cookie-only requests',
        measured,
        ours: { ...cookieRate, unit: 'req/s' },
        comparison: { name: 'bare node:http server, same body', ...bareRate },
        ratio: cookieRatio,
        ratioMeaning: 'req/s emulator / bare server (higher is better)',
        target: cookieTarget,
        met: judge(cookieRatio, cookieTarget),
        asserted:
          'the cookie alone gave the same body as the Bearer; every run had zero errors, timeouts and non-2xx answers',
      },
    ];
  } finally {
    await stop(emulator);
    if (bare) await stop(bare);
  }
}
