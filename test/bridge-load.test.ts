import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import autocannon from 'autocannon';
import { KEYS, PUBLIC_PEM } from './support/emulator-harness.js';
import { IDP_AUDIENCE, startTestIdp, type TestIdp } from './support/test-idp.js';

/**
 * A bounded load run with autocannon on loopback through the bridge: the emulator and the bridge each
 * alone in a child process, the test IdP here. Every request must be answered 200, with an IdP Bearer on
 * every request (cached identity) and with the session cookie alone, and the bridge's memory must settle
 * back to about where it started. Each run is capped in time and in requests.
 */

const EMULATOR = fileURLToPath(new URL('./support/emulator-process.ts', import.meta.url));
const BRIDGE = fileURLToPath(new URL('./support/bridge-process.ts', import.meta.url));
const SECONDS = 4;
const MAX_REQUESTS = 100_000;
const MAX_GROWTH_BYTES = 50 * 1024 * 1024;

interface Child {
  process: ChildProcess;
  ask: <T>(message: string, key: string) => Promise<T>;
}

function startChild(file: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const ask = <T>(message: string, key: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${key} from ${file}`)), 15_000);
      const listener = (answer: unknown): void => {
        if (answer === null || typeof answer !== 'object' || !(key in answer)) return;
        clearTimeout(timer);
        child.off('message', listener);
        resolve((answer as Record<string, T>)[key] as T);
      };
      child.on('message', listener);
      if (message) child.send(message);
    });
  return { process: child, ask };
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null) return;
  const exited = new Promise((done) => child.process.once('exit', done));
  child.process.send('close');
  const killer = setTimeout(() => child.process.kill('SIGKILL'), 12_000);
  await exited;
  clearTimeout(killer);
}

let idp: TestIdp;
let emulator: Child | undefined;
let bridge: Child | undefined;
let url: string;
let canCollect: boolean;

before(async () => {
  idp = await startTestIdp();
  emulator = startChild(EMULATOR, { QSJWT_TEST_PUBLIC_KEY: PUBLIC_PEM });
  const upstream = await emulator.ask<string>('', 'url');
  bridge = startChild(BRIDGE, {
    QSJWT_TEST_BRIDGE: JSON.stringify({
      upstream,
      jwks: idp.jwksUrl,
      issuer: idp.issuer,
      audience: IDP_AUDIENCE,
      privateKeyPem: KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    }),
  });
  [url, canCollect] = await Promise.all([bridge.ask<string>('', 'url'), bridge.ask<boolean>('', 'gc')]);
});
after(async () => {
  await Promise.all([stopChild(bridge), stopChild(emulator)]);
  await idp.close();
});

async function load(headers: Record<string, string>): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `${url}/jwt/qps/user`,
    connections: 10,
    duration: SECONDS,
    maxOverallRequests: MAX_REQUESTS,
    headers,
    timeout: 10,
  });
  const summary = `2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`;
  assert.equal(result.errors, 0, summary);
  assert.equal(result.timeouts, 0, summary);
  assert.equal(result.non2xx, 0, summary);
  assert.ok(result['2xx'] > 100, `hardly any requests completed: ${summary}`);
  return result;
}

async function flatMemory(run: () => Promise<autocannon.Result>): Promise<void> {
  const ask = bridge?.ask;
  assert.ok(ask);
  // Warm-up: the first run fills caches, connection pools and JIT; growth is measured on the second.
  await run();
  const before = await ask<NodeJS.MemoryUsage>('memory', 'memory');
  const result = await run();
  const afterRun = await ask<NodeJS.MemoryUsage>('memory', 'memory');
  const growth = afterRun.heapUsed - before.heapUsed;
  assert.ok(
    growth < MAX_GROWTH_BYTES,
    `heapUsed grew ${(growth / 1048576).toFixed(1)} MB over ${result['2xx']} requests`,
  );
  assert.ok(
    afterRun.rss - before.rss < MAX_GROWTH_BYTES * 2,
    `RSS grew ${((afterRun.rss - before.rss) / 1048576).toFixed(1)} MB`,
  );
}

describe('bridge under load (autocannon, loopback)', { timeout: 90_000 }, () => {
  it('runs the bridge in its own process with forced collections available', () => {
    assert.equal(canCollect, true);
  });

  it(`an IdP Bearer on every request for 2 × ${SECONDS} s: all 200, memory flat after warm-up`, async () => {
    const token = await idp.token({ sub: 'load' }, { lifetimeSeconds: 3600 });
    assert.equal((await fetch(`${url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    await flatMemory(() => load({ authorization: `Bearer ${token}` }));
  });

  it(`the session cookie alone for 2 × ${SECONDS} s: all 200, memory flat after warm-up`, async () => {
    const login = await fetch(`${url}/jwt/qps/user`, {
      headers: { authorization: `Bearer ${await idp.token({ sub: 'cookie' })}` },
    });
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    assert.match(cookie, /^X-Qlik-Session-jwt-HTTP=/);
    await flatMemory(() => load({ cookie }));
  });
});
