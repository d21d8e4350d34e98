import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type autocannon from 'autocannon';
import { KEYS, PUBLIC_PEM } from './support/emulator-harness.js';
import { IDP_AUDIENCE, startTestIdp, type TestIdp } from './support/test-idp.js';
import {
  assertMemoryFlat,
  boundedLoad,
  startLoadRunChild,
  stopLoadRunChild,
  type LoadRunChild,
} from './support/load-run.js';

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

let idp: TestIdp;
let emulator: LoadRunChild | undefined;
let bridge: LoadRunChild | undefined;
let url: string;
let canCollect: boolean;

before(async () => {
  idp = await startTestIdp();
  emulator = startLoadRunChild(EMULATOR, { QSJWT_TEST_PUBLIC_KEY: PUBLIC_PEM });
  const upstream = await emulator.ask<string>('', 'url');
  bridge = startLoadRunChild(BRIDGE, {
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
  await Promise.all([stopLoadRunChild(bridge, 12_000), stopLoadRunChild(emulator, 12_000)]);
  await idp.close();
});

const load = (headers: Record<string, string>): Promise<autocannon.Result> =>
  boundedLoad(`${url}/jwt/qps/user`, headers, { seconds: SECONDS, maxRequests: MAX_REQUESTS });

async function flatMemory(run: () => Promise<autocannon.Result>): Promise<void> {
  assert.ok(bridge);
  await assertMemoryFlat(bridge, run, MAX_GROWTH_BYTES, true);
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
