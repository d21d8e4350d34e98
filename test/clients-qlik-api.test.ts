import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openAppSession } from '@qlik/api/qix';
import { qseowToken, startTestEmulator, type TestEmulator } from './support/emulator-harness.js';

/**
 * @qlik/api, Qlik's current client library, in Node against the emulator over plain http. Its Node
 * `windowscookie` auth module is the JWT flow for client-managed Qlik Sense: GET /<prefix>/qlik-embed/main.js
 * with the Bearer from getAccessToken, keep the raw Set-Cookie and echo it back as Cookie (attributes and
 * all), GET /<prefix>/qps/csrftoken?xrfkey=… for the CSRF token, then open the engine websocket with the
 * cookie and ?qlik-csrf-token= (and no Origin header). Without authType it first reads product-info.json
 * below the host to recognise a client-managed server.
 *
 * The virtual proxy runs with the Nov 2024 websocket CSRF check on, the strictest setting.
 */

interface SeenRequest {
  method: string;
  url: string;
  status: number;
  sentCookie: boolean;
  sentBearer: boolean;
}

/** Records what @qlik/api asks over HTTP (it uses the global fetch), without changing anything. */
function recordFetch(): { seen: SeenRequest[]; restore: () => void } {
  const original = globalThis.fetch;
  const seen: SeenRequest[] = [];
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await original(input, init);
    const headers = new Headers(init?.headers);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    seen.push({
      method: (init?.method ?? 'GET').toUpperCase(),
      url,
      status: response.status,
      sentCookie: headers.has('cookie'),
      sentBearer: /^Bearer /.test(headers.get('authorization') ?? ''),
    });
    return response;
  };
  return {
    seen,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}

let emulator: TestEmulator;
let recorder: ReturnType<typeof recordFetch>;

before(async () => {
  emulator = await startTestEmulator({
    // One virtual proxy per test: @qlik/api caches the session cookie per host config (getAccessToken
    // is not part of the key), so two tests on one host would share the first test's user.
    virtualProxies: ['jwt', 'auto', 'bad'].map((prefix) => ({
      prefix,
      jwtPublicKeyCertificate: 'injected',
      websocketCsrf: true,
      apps: [
        { id: 'app-1', name: 'Sales' },
        { id: 'app-2', name: 'Finance' },
      ],
    })),
  });
  recorder = recordFetch();
});
after(async () => {
  recorder.restore();
  await emulator.close();
});

/** The path and query of a recorded URL, with the random xrfkey replaced so sequences compare. */
const pathOf = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search.replace(/xrfkey=[0-9A-Za-z]{16}/, 'xrfkey=K')}`;
};

describe('@qlik/api against the emulated QSEoW virtual proxy', () => {
  it('authType windowscookie + getAccessToken: bootstrap, CSRF token, engine session, getAuthenticatedUser', async () => {
    recorder.seen.length = 0;
    const token = qseowToken({ userId: 'anna', userDirectory: 'ACME' });
    let tokensAsked = 0;
    const session = openAppSession({
      appId: 'app-1',
      hostConfig: {
        host: `${emulator.url}/jwt`,
        authType: 'windowscookie',
        getAccessToken: async () => {
          tokensAsked += 1;
          return token;
        },
      },
    });
    try {
      // On QSEoW, getDoc takes about 2 s: @qlik/api waits that long for an OnAuthenticationInformation
      // that asks for a login (mustAuthenticate with a loginUri), against real servers too.
      const doc = await session.getDoc();
      assert.equal(await doc.global.getAuthenticatedUser(), 'UserDirectory=ACME; UserId=anna');
      assert.equal((await doc.getAppLayout()).qTitle, 'Sales');
    } finally {
      await session.close({ websocketCloseDelay: 0 });
    }
    assert.equal(tokensAsked, 1, 'one token, exchanged once for the session cookie');
    assert.deepEqual(
      recorder.seen.map((request) => [
        request.method,
        pathOf(request.url),
        request.status,
        request.sentBearer,
        request.sentCookie,
      ]),
      [
        ['GET', '/jwt/qlik-embed/main.js', 200, true, false],
        ['GET', '/jwt/qps/csrftoken?xrfkey=K', 200, false, true],
      ],
    );
    // The websocket is not fetch: the emulator's log shows it was authenticated by the cookie.
    const upgrade = emulator.logs.find((entry) => entry['path'] === '/jwt/app/app-1');
    assert.deepEqual(
      { outcome: upgrade?.['outcome'], via: upgrade?.['via'], user: upgrade?.['user'] },
      { outcome: 'accepted', via: 'session', user: 'ACME\\anna' },
    );
  });

  it('without authType: recognises client-managed Qlik Sense from product-info.json below the prefix', async () => {
    recorder.seen.length = 0;
    const session = openAppSession({
      appId: 'app-2',
      hostConfig: {
        host: `${emulator.url}/auto/`,
        getAccessToken: async () => qseowToken({ userId: 'bert', userDirectory: 'EMEA' }),
      },
    });
    try {
      const doc = await session.getDoc();
      assert.equal(await doc.global.getAuthenticatedUser(), 'UserDirectory=EMEA; UserId=bert');
      assert.equal((await doc.getAppLayout()).qTitle, 'Finance');
      assert.match((await doc.global.engineVersion()).qComponentVersion ?? '', /^\d+\.\d+\.\d+$/);
    } finally {
      await session.close({ websocketCloseDelay: 0 });
    }
    assert.deepEqual(
      recorder.seen.map((request) => [pathOf(request.url), request.status]),
      [
        ['/auto/resources/autogenerated/product-info.json', 200],
        ['/auto/qlik-embed/main.js', 200],
        ['/auto/qps/csrftoken?xrfkey=K', 200],
      ],
    );
  });

  it('a token the virtual proxy refuses: getDoc rejects and no engine session opens', async () => {
    const before = emulator.logs.length;
    const session = openAppSession({
      appId: 'app-1',
      hostConfig: {
        host: `${emulator.url}/bad`,
        authType: 'windowscookie',
        getAccessToken: async () =>
          qseowToken({ userId: 'carl', issuedAt: Math.floor(Date.now() / 1000) - 7200, expires: '1h' }),
      },
    });
    try {
      await assert.rejects(session.getDoc());
    } finally {
      await session.close({ websocketCloseDelay: 0 }).catch(() => undefined);
    }
    const logs = emulator.logs.slice(before);
    assert.ok(
      logs.some((entry) => entry['outcome'] === 'rejected' && entry['code'] === 'QJ030'),
      'the expired token was refused',
    );
    assert.ok(!logs.some((entry) => entry['outcome'] === 'accepted'), 'nothing was accepted');
  });
});
