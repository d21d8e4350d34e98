import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import autocannon from 'autocannon';
import { cookieHeader, PUBLIC_PEM, qseowToken } from './support/emulator-harness.js';

/**
 * A bounded load run with autocannon on loopback: the emulator (alone in a child process) must answer
 * every request 200, with Bearer verification on every request and with the cookie alone, and its
 * memory must settle back to about where it started. Each run is capped in time and in requests.
 */

const CHILD = fileURLToPath(new URL('./support/emulator-process.ts', import.meta.url));
const SECONDS = 5;
const MAX_REQUESTS = 200_000;
/** Generous: sessions are not created by these runs, so a leak per request would show far above this. */
const MAX_GROWTH_BYTES = 50 * 1024 * 1024;

let child: ChildProcess;
let url: string;
/** Whether the emulator process can force collections; without it the memory check is meaningless. */
let canCollect: boolean;

function ask<T>(message: string, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${key} from the emulator process`)), 10_000);
    const listener = (answer: unknown): void => {
      if (answer === null || typeof answer !== 'object' || !(key in answer)) return;
      clearTimeout(timer);
      child.off('message', listener);
      resolve((answer as Record<string, T>)[key] as T);
    };
    child.on('message', listener);
    if (message) child.send(message);
  });
}

before(async () => {
  child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, QSJWT_TEST_PUBLIC_KEY: PUBLIC_PEM },
  });
  [url, canCollect] = await Promise.all([ask<string>('', 'url'), ask<boolean>('', 'gc')]);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
});
after(async () => {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.send('close');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
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

describe('emulator under load (autocannon, loopback)', { timeout: 60_000 }, () => {
  it('runs the emulator in its own process with forced collections available', () => {
    assert.equal(canCollect, true);
  });

  it(`Bearer on every request to /jwt/qps/user for ${SECONDS} s: all 200, memory flat`, async () => {
    const token = qseowToken({ expires: '1h' });
    const first = await fetch(`${url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(first.status, 200, 'the token works before the run');
    const before = await ask<NodeJS.MemoryUsage>('memory', 'memory');
    const result = await load({ authorization: `Bearer ${token}` });
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
  });

  it(`the session cookie alone for ${SECONDS} s: all 200, memory flat`, async () => {
    const login = await fetch(`${url}/jwt/qps/user`, { headers: { authorization: `Bearer ${qseowToken()}` } });
    const cookie = cookieHeader(login);
    assert.match(cookie, /^X-Qlik-Session-jwt-HTTP=/);
    const before = await ask<NodeJS.MemoryUsage>('memory', 'memory');
    const result = await load({ cookie });
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
  });
});
