import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type autocannon from 'autocannon';
import { cookieHeader, PUBLIC_PEM, qseowToken } from './support/emulator-harness.js';
import {
  assertMemoryFlat,
  boundedLoad,
  startLoadRunChild,
  stopLoadRunChild,
  type LoadRunChild,
} from './support/load-run.js';

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

let child: LoadRunChild;
let url: string;
/** Whether the emulator process can force collections; without it the memory check is meaningless. */
let canCollect: boolean;

before(async () => {
  child = startLoadRunChild(CHILD, { QSJWT_TEST_PUBLIC_KEY: PUBLIC_PEM });
  [url, canCollect] = await Promise.all([child.ask<string>('', 'url'), child.ask<boolean>('', 'gc')]);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
});
after(() => stopLoadRunChild(child, 5000));

const load = (headers: Record<string, string>): Promise<autocannon.Result> =>
  boundedLoad(`${url}/jwt/qps/user`, headers, { seconds: SECONDS, maxRequests: MAX_REQUESTS });

describe('emulator under load (autocannon, loopback)', { timeout: 60_000 }, () => {
  it('runs the emulator in its own process with forced collections available', () => {
    assert.equal(canCollect, true);
  });

  it(`Bearer on every request to /jwt/qps/user for ${SECONDS} s: all 200, memory flat`, async () => {
    const token = qseowToken({ expires: '1h' });
    const first = await fetch(`${url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(first.status, 200, 'the token works before the run');
    await assertMemoryFlat(child, () => load({ authorization: `Bearer ${token}` }), MAX_GROWTH_BYTES, false);
  });

  it(`the session cookie alone for ${SECONDS} s: all 200, memory flat`, async () => {
    const login = await fetch(`${url}/jwt/qps/user`, { headers: { authorization: `Bearer ${qseowToken()}` } });
    const cookie = cookieHeader(login);
    assert.match(cookie, /^X-Qlik-Session-jwt-HTTP=/);
    await assertMemoryFlat(child, () => load({ cookie }), MAX_GROWTH_BYTES, false);
  });
});
