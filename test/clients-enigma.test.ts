import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import enigma from 'enigma.js';
import WebSocket from 'ws';
import { cookieHeader, qseowToken, startTestEmulator, type TestEmulator } from './support/emulator-harness.js';

/**
 * enigma.js, Qlik's own engine client, with the `ws` package as its socket, the way Qlik's Node examples
 * use it. enigma checks things our hand-written JSON-RPC client does not: it waits for OnConnected, builds
 * the Global and Doc APIs from Qlik's published engine schema, and routes answers by handle and id.
 */

const require = createRequire(import.meta.url);
/** The newest schema enigma.js ships (it ships every engine version's schema under schemas/). */
const schema = JSON.parse(readFileSync(require.resolve('enigma.js/schemas/12.2027.0.json'), 'utf8')) as object;

/** The methods of the QIX Global and Doc APIs this test calls; enigma generates them from the schema. */
interface QixGlobal {
  getAuthenticatedUser: () => Promise<string>;
  engineVersion: () => Promise<{ qComponentVersion: string }>;
  productVersion: () => Promise<string>;
  getDocList: () => Promise<{ qDocId: string; qTitle: string }[]>;
  openDoc: (appId: string) => Promise<QixDoc>;
}
interface QixDoc {
  id: string;
  handle: number;
  getAppLayout: () => Promise<{ qTitle: string; qFileName: string }>;
}

/** An enigma.js session whose websocket is a `ws` socket carrying the given headers on the upgrade. */
function session(url: string, headers: Record<string, string>): EnigmaJS.Session {
  return enigma.create({
    schema,
    url,
    // enigma.d.ts types createSocket with the DOM WebSocket; `ws` implements the same interface enigma uses.
    createSocket: (socketUrl: string) =>
      new WebSocket(socketUrl, { headers }) as unknown as ReturnType<
        NonNullable<EnigmaJS.Configuration['createSocket']>
      >,
  });
}

let emulator: TestEmulator;
let wsBase: string;
const ALLOWED_ORIGIN = 'https://portal.example.com';

before(async () => {
  emulator = await startTestEmulator({
    virtualProxies: [
      { prefix: 'jwt', jwtPublicKeyCertificate: 'injected', apps: [{ id: 'app-1', name: 'Sales' }] },
      {
        prefix: 'nov',
        jwtPublicKeyCertificate: 'injected',
        websocketCsrf: true,
        websocketCrossOriginWhiteList: ['portal.example.com'],
        apps: [{ id: 'app-1', name: 'Sales' }],
      },
    ],
  });
  wsBase = emulator.url.replace(/^http/, 'ws');
});
after(() => emulator.close());

describe('enigma.js against the emulated engine', () => {
  it("classic flow: Bearer on the upgrade; getAuthenticatedUser names the token's user", async () => {
    const qix = session(`${wsBase}/jwt/app/engineData`, {
      authorization: `Bearer ${qseowToken({ userId: 'anna', userDirectory: 'ACME' })}`,
    });
    const notifications: [string, unknown][] = [];
    qix.on('notification:*', (method: string, params: unknown) => notifications.push([method, params]));
    const global = (await qix.open()) as unknown as QixGlobal;
    try {
      assert.equal(await global.getAuthenticatedUser(), 'UserDirectory=ACME; UserId=anna');
      // enigma surfaces the QSEoW greeting, in Qlik's order, as notification events.
      assert.deepEqual(notifications, [
        ['OnAuthenticationInformation', { userId: 'anna', userDirectory: 'ACME', mustAuthenticate: false }],
        ['OnConnected', { qSessionState: 'SESSION_CREATED' }],
      ]);
    } finally {
      await qix.close();
    }
    const other = session(`${wsBase}/jwt/app/engineData`, {
      authorization: `Bearer ${qseowToken({ userId: 'bert', userDirectory: 'EMEA' })}`,
    });
    try {
      assert.equal(
        await ((await other.open()) as unknown as QixGlobal).getAuthenticatedUser(),
        'UserDirectory=EMEA; UserId=bert',
      );
    } finally {
      await other.close();
    }
  });

  it('Nov 2024 flow: cookie from /qps/csrftoken + ?qlik-csrf-token + allowed Origin; refused (403) without the token', async () => {
    const answer = await fetch(`${emulator.url}/nov/qps/csrftoken`, {
      headers: { authorization: `Bearer ${qseowToken()}` },
    });
    assert.equal(answer.status, 200);
    const cookie = cookieHeader(answer);
    const csrf = answer.headers.get('qlik-csrf-token') ?? '';
    assert.ok(cookie && csrf);
    const qix = session(`${wsBase}/nov/app/engineData?qlik-csrf-token=${encodeURIComponent(csrf)}`, {
      cookie,
      origin: ALLOWED_ORIGIN,
    });
    const global = (await qix.open()) as unknown as QixGlobal;
    try {
      assert.equal(await global.getAuthenticatedUser(), 'UserDirectory=ACME; UserId=anna');
      assert.equal(emulator.logs.at(-1)?.['via'], 'session', 'the cookie, not a Bearer, authenticated the upgrade');
    } finally {
      await qix.close();
    }

    // The same cookie and Origin without the CSRF token: the emulator answers 403 and enigma's open()
    // rejects with the socket's error event, whose message is ws's "Unexpected server response: 403".
    const refused = session(`${wsBase}/nov/app/engineData`, { cookie, origin: ALLOWED_ORIGIN });
    await assert.rejects(
      refused.open(),
      (error: { message?: string }) => error.message === 'Unexpected server response: 403',
    );
    assert.equal(emulator.logs.at(-1)?.['code'], 'EMU006');
  });

  it('openDoc of a configured app, getAppLayout, engineVersion, productVersion and getDocList', async () => {
    const qix = session(`${wsBase}/jwt/app/app-1`, { authorization: `Bearer ${qseowToken()}` });
    const global = (await qix.open()) as unknown as QixGlobal;
    try {
      assert.match((await global.engineVersion()).qComponentVersion, /^\d+\.\d+\.\d+$/);
      assert.match(await global.productVersion(), /^\d+\./);
      assert.deepEqual(
        (await global.getDocList()).map((doc) => [doc.qDocId, doc.qTitle]),
        [['app-1', 'Sales']],
      );
      const app = await global.openDoc('app-1');
      assert.equal(app.id, 'app-1');
      const layout = await app.getAppLayout();
      assert.deepEqual({ title: layout.qTitle, file: layout.qFileName }, { title: 'Sales', file: 'app-1' });
      await assert.rejects(global.openDoc('no-such-app'), (error: { code?: number }) => error.code === 1003);
    } finally {
      await qix.close();
    }
  });
});
