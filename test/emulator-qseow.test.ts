import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createSelfSignedCertificate } from '../src/core/keys/certificate.js';
import {
  cookieHeader,
  KEYS,
  OTHER_KEYS,
  qseowToken,
  startTestEmulator,
  type TestEmulator,
} from './support/emulator-harness.js';

const NO_AUTH = 'Could not authenticate the request: Expected an authentication header.';
const XRF = 'XSRF prevention check failed. Possible XSRF discovered.';
const XRFKEY = 'abcdefghij012345';

let emulator: TestEmulator;
let base: string;

before(async () => {
  emulator = await startTestEmulator({
    virtualProxies: [
      {
        prefix: 'jwt',
        jwtPublicKeyCertificate: 'unused: keys are injected',
        jwtAttributeMap: [{ senseAttribute: 'group', jwtAttribute: 'groups', isMandatory: false }],
        apps: [{ id: 'app-1', name: 'Sales' }],
      },
      { prefix: 'aud', jwtPublicKeyCertificate: 'x', jwtAudience: 'qlik.example.com', jwtAttributeUserId: 'sub_id' },
      {
        prefix: 'strict',
        jwtPublicKeyCertificate: 'x',
        jwtAttributeMap: [{ senseAttribute: 'email', jwtAttribute: 'email', isMandatory: true }],
      },
      {
        prefix: 'nov',
        jwtPublicKeyCertificate: 'x',
        websocketCsrf: true,
        websocketCrossOriginWhiteList: ['portal.example.com'],
        sessionCookieHeaderName: 'MyCookie',
        apps: [{ id: 'app-1', name: 'Sales' }],
      },
    ],
  });
  base = emulator.url;
});
after(() => emulator.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const lastLog = () => emulator.logs.at(-1) ?? {};

describe('QSEoW: authentication', () => {
  it('accepts a token minted by the library and sets the -HTTP session cookie over http', async () => {
    const response = await fetch(`${base}/jwt/qps/user`, { headers: bearer(qseowToken({ name: 'Anna A' })) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      userId: 'anna',
      userDirectory: 'ACME',
      userName: 'Anna A',
      logoutUri: `${base}/jwt/qps/user`,
    });
    const [cookie] = response.headers.getSetCookie();
    assert.match(cookie ?? '', /^X-Qlik-Session-jwt-HTTP=[\w-]{20,}; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.deepEqual(
      { outcome: lastLog()['outcome'], via: lastLog()['via'], user: lastLog()['user'] },
      { outcome: 'accepted', via: 'bearer', user: 'ACME\\anna' },
    );
  });

  it("answers Qlik's text when there is neither a token nor a session", async () => {
    const response = await fetch(`${base}/jwt/hub/`);
    assert.equal(response.status, 401);
    assert.equal(await response.text(), NO_AUTH);
    assert.equal(lastLog()['code'], 'EMU001');
  });

  const refusals: [string, string, () => string, string][] = [
    ['bad signature', 'jwt', () => qseowToken({ privateKey: OTHER_KEYS.privateKey }), 'QJ020'],
    ['expired', 'jwt', () => qseowToken({ issuedAt: Math.floor(Date.now() / 1000) - 7200, expires: '1h' }), 'QJ030'],
    ['not yet valid', 'jwt', () => qseowToken({ notBefore: '10m' }), 'QJ031'],
    ['missing user attribute (case differs)', 'jwt', () => qseowToken({ userIdAttribute: 'userid' }), 'QJ101'],
    ['wrong audience', 'aud', () => qseowToken({ userIdAttribute: 'sub_id', audience: 'other.example.com' }), 'QJ105'],
    ['missing mandatory mapped attribute', 'strict', () => qseowToken(), 'EMU003'],
    ['truncated token', 'jwt', () => qseowToken().slice(0, 60), 'QJ001'],
  ];
  for (const [name, prefix, token, code] of refusals) {
    it(`refuses: ${name} (${code}), with the reason in X-Qs-Jwt-Reason and the log`, async () => {
      const response = await fetch(`${base}/${prefix}/qps/user`, { headers: bearer(token()) });
      assert.equal(response.status, 401);
      assert.match(response.headers.get('x-qs-jwt-reason') ?? '', new RegExp(`^${code} `));
      assert.equal(response.headers.getSetCookie().length, 0);
      assert.deepEqual(
        { outcome: lastLog()['outcome'], code: lastLog()['code'], target: lastLog()['target'] },
        { outcome: 'rejected', code, target: `qseow:/${prefix}` },
      );
      if (code === 'QJ020') assert.equal(lastLog()['user'], 'ACME\\anna', 'the claimed user is logged');
    });
  }

  it('accepts the audience and the user ID claim a virtual proxy is configured with', async () => {
    const response = await fetch(`${base}/aud/qps/user`, {
      headers: bearer(qseowToken({ userIdAttribute: 'sub_id', audience: 'qlik.example.com' })),
    });
    assert.equal(response.status, 200);
  });
});

describe('QSEoW: sessions', () => {
  async function login(userId = 'anna'): Promise<string> {
    const response = await fetch(`${base}/jwt/qps/user`, { headers: bearer(qseowToken({ userId })) });
    assert.equal(response.status, 200);
    return cookieHeader(response);
  }

  it('needs only the cookie after the first request', async () => {
    const cookie = await login();
    const response = await fetch(`${base}/jwt/qps/user`, { headers: { cookie } });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { userId: string }).userId, 'anna');
    assert.equal(lastLog()['via'], 'session');
  });

  it('refuses an invalid Bearer even with a valid cookie', async () => {
    const cookie = await login();
    const response = await fetch(`${base}/jwt/qps/user`, {
      headers: { cookie, ...bearer(qseowToken({ privateKey: OTHER_KEYS.privateKey })) },
    });
    assert.equal(response.status, 401);
  });

  it('starts a new session for a Bearer of another user, and keeps the session for the same user', async () => {
    const annaCookie = await login('anna');
    const same = await fetch(`${base}/jwt/qps/user`, {
      headers: { cookie: annaCookie, ...bearer(qseowToken({ userId: 'anna' })) },
    });
    assert.equal(same.headers.getSetCookie().length, 0, 'same user: the session goes on');
    const other = await fetch(`${base}/jwt/qps/user`, {
      headers: { cookie: annaCookie, ...bearer(qseowToken({ userId: 'bert' })) },
    });
    assert.equal(((await other.json()) as { userId: string }).userId, 'bert');
    const bertCookie = cookieHeader(other);
    assert.notEqual(bertCookie, annaCookie);
    const asBert = await fetch(`${base}/jwt/qps/user`, { headers: { cookie: bertCookie } });
    assert.equal(((await asBert.json()) as { userId: string }).userId, 'bert');
  });

  it('ends a session after the inactivity timeout (30 minutes)', async () => {
    const cookie = await login();
    emulator.advance(29 * 60_000);
    assert.equal((await fetch(`${base}/jwt/qps/user`, { headers: { cookie } })).status, 200);
    emulator.advance(30 * 60_000 + 1000);
    const response = await fetch(`${base}/jwt/qps/user`, { headers: { cookie } });
    assert.equal(response.status, 401);
    assert.equal(lastLog()['code'], 'EMU004');
  });

  it('logs out with DELETE /<prefix>/qps/user', async () => {
    const cookie = await login('carl');
    const logout = await fetch(`${base}/jwt/qps/user`, { method: 'DELETE', headers: { cookie } });
    assert.equal(logout.status, 200);
    assert.match(logout.headers.getSetCookie()[0] ?? '', /Max-Age=0/);
    assert.equal((await fetch(`${base}/jwt/qps/user`, { headers: { cookie } })).status, 401);
  });

  it('sets the cookie from /qlik-embed/main.js and accepts it echoed back raw, attributes and all', async () => {
    const response = await fetch(`${base}/jwt/qlik-embed/main.js`, { headers: bearer(qseowToken()) });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /javascript/);
    const raw = response.headers.getSetCookie()[0] ?? '';
    assert.equal((await fetch(`${base}/jwt/qps/user`, { headers: { cookie: raw } })).status, 200);
  });

  it("keeps each virtual proxy's sessions apart", async () => {
    const cookie = await login();
    assert.equal((await fetch(`${base}/nov/qps/user`, { headers: { cookie } })).status, 401);
  });
});

describe('QSEoW: endpoints', () => {
  it('enforces the xrfkey on /qrs, matching the header name case-insensitively', async () => {
    const token = qseowToken();
    const ok = await fetch(`${base}/jwt/qrs/about?xrfkey=${XRFKEY}`, {
      headers: { ...bearer(token), 'X-QLIK-XRFKEY': XRFKEY },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys((await ok.json()) as object).sort(), [
      'buildDate',
      'buildVersion',
      'databaseProvider',
      'nodeType',
      'requiresBootstrap',
      'schemaPath',
      'sharedPersistence',
      'singleNodeOnly',
    ]);
    for (const [query, header] of [
      ['', undefined],
      [`?xrfkey=${XRFKEY}`, undefined],
      [`?xrfkey=${XRFKEY}`, 'abcdefghij012346'],
      ['?xrfkey=short', 'short'],
    ] as const) {
      const response = await fetch(`${base}/jwt/qrs/about${query}`, {
        headers: { ...bearer(token), ...(header ? { 'x-qlik-xrfkey': header } : {}) },
      });
      assert.equal(response.status, 403, `${query} ${header}`);
      assert.equal(await response.text(), XRF);
    }
  });

  it('gives the CSRF token to a session, and 403 without one', async () => {
    assert.equal((await fetch(`${base}/jwt/qps/csrftoken`)).status, 403);
    const response = await fetch(`${base}/jwt/qps/csrftoken`, { headers: bearer(qseowToken()) });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('qlik-csrf-token') ?? '', /^[\w-]{20,}$/);
    assert.equal(response.headers.getSetCookie().length, 1);
  });

  it('serves a hub page naming the user, HTML-escaped', async () => {
    const response = await fetch(`${base}/jwt/hub/`, {
      headers: bearer(qseowToken({ userId: '<script>alert(1)</script>' })),
    });
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.ok(html.includes('ACME\\&#60;script&#62;alert(1)&#60;/script&#62;'));
    assert.ok(!html.includes('<script>'));
  });

  it('tells @qlik/api it is a client-managed server, at the root and below a prefix, without authentication', async () => {
    for (const path of [
      '/resources/autogenerated/product-info.json',
      '/jwt/resources/autogenerated/product-info.json',
      '/nov/resources/autogenerated/product-info.json',
    ]) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(
        ((await response.json()) as { composition: { deploymentType: string } }).composition.deploymentType,
        'QlikSenseServer',
      );
      assert.equal(response.headers.getSetCookie().length, 0, 'no session for an anonymous static file');
    }
  });
});

interface EngineClient {
  messages: Record<string, unknown>[];
  call: (method: string, params: unknown, handle?: number) => Promise<Record<string, unknown>>;
  close: () => void;
}

/** Opens the engine websocket and waits for OnConnected; rejects with the HTTP status of a refused upgrade. */
function openEngine(url: string, headers: Record<string, string>): Promise<EngineClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: Record<string, unknown>[] = [];
    const waiting = new Map<number, (message: Record<string, unknown>) => void>();
    let nextId = 1;
    ws.on('unexpected-response', (_request, response) => reject(new Error(`status ${response.statusCode}`)));
    ws.on('error', reject);
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      messages.push(message);
      if (message['method'] === 'OnConnected') {
        resolve({
          messages,
          call: (method, params, handle = -1) =>
            new Promise((done) => {
              const id = nextId++;
              waiting.set(id, done);
              ws.send(JSON.stringify({ jsonrpc: '2.0', id, handle, method, params }));
            }),
          close: () => ws.close(),
        });
      }
      const id = message['id'];
      if (typeof id === 'number') waiting.get(id)?.(message);
    });
  });
}

describe('QSEoW: engine websocket', () => {
  const wsBase = () => base.replace(/^http/, 'ws');

  it('classic flow: Bearer on the upgrade; OnAuthenticationInformation then OnConnected; Global and Doc methods answer', async () => {
    const engine = await openEngine(`${wsBase()}/jwt/app/engineData`, bearer(qseowToken()));
    try {
      assert.deepEqual(engine.messages.slice(0, 2), [
        {
          jsonrpc: '2.0',
          method: 'OnAuthenticationInformation',
          params: { userId: 'anna', userDirectory: 'ACME', mustAuthenticate: false },
        },
        { jsonrpc: '2.0', method: 'OnConnected', params: { qSessionState: 'SESSION_CREATED' } },
      ]);
      assert.deepEqual((await engine.call('GetAuthenticatedUser', []))['result'], {
        qReturn: 'UserDirectory=ACME; UserId=anna',
      });
      assert.ok(((await engine.call('EngineVersion', {}))['result'] as { qVersion: unknown }).qVersion);
      const opened = (await engine.call('OpenDoc', ['app-1']))['result'] as { qReturn: { qHandle: number } };
      const layout = (await engine.call('GetAppLayout', [], opened.qReturn.qHandle))['result'] as {
        qLayout: { qTitle: string };
      };
      assert.equal(layout.qLayout.qTitle, 'Sales');
      assert.equal(((await engine.call('DoReload', []))['error'] as { code: number }).code, -32601);
    } finally {
      engine.close();
    }
  });

  it('refuses an upgrade without a token or session (401) and with a bad token', async () => {
    await assert.rejects(openEngine(`${wsBase()}/jwt/app/app-1`, {}), /status 401/);
    await assert.rejects(
      openEngine(`${wsBase()}/jwt/app/app-1`, bearer(qseowToken({ privateKey: OTHER_KEYS.privateKey }))),
      /status 401/,
    );
  });

  it('Nov 2024 flow: session cookie + qlik-csrf-token + allowed Origin connects; each missing piece is 403', async () => {
    const first = await fetch(`${base}/nov/qps/csrftoken`, { headers: bearer(qseowToken()) });
    const cookie = cookieHeader(first);
    assert.match(cookie, /^MyCookie-HTTP=/);
    const csrf = first.headers.get('qlik-csrf-token') ?? '';
    const url = `${wsBase()}/nov/app/app-1?qlik-csrf-token=${encodeURIComponent(csrf)}`;
    const engine = await openEngine(url, { cookie, origin: 'https://portal.example.com' });
    assert.deepEqual((await engine.call('GetAuthenticatedUser', []))['result'], {
      qReturn: 'UserDirectory=ACME; UserId=anna',
    });
    engine.close();
    await assert.rejects(
      openEngine(`${wsBase()}/nov/app/app-1`, { cookie, origin: 'https://portal.example.com' }),
      /status 403/,
    );
    await assert.rejects(openEngine(`${url}x`, { cookie, origin: 'https://portal.example.com' }), /status 403/);
    await assert.rejects(openEngine(url, { cookie, origin: 'https://evil.example.com' }), /status 403/);
    assert.equal(lastLog()['code'], 'EMU007');
  });

  it('Nov 2024 flow without an Origin (non-browser clients such as @qlik/api in Node): the CSRF token decides', async () => {
    const first = await fetch(`${base}/nov/qps/csrftoken`, { headers: bearer(qseowToken()) });
    const cookie = cookieHeader(first);
    const csrf = first.headers.get('qlik-csrf-token') ?? '';
    const engine = await openEngine(`${wsBase()}/nov/app/app-1?qlik-csrf-token=${encodeURIComponent(csrf)}`, {
      cookie,
    });
    assert.deepEqual((await engine.call('GetAuthenticatedUser', []))['result'], {
      qReturn: 'UserDirectory=ACME; UserId=anna',
    });
    engine.close();
    await assert.rejects(openEngine(`${wsBase()}/nov/app/app-1`, { cookie }), /status 403/);
    assert.equal(lastLog()['code'], 'EMU006');
  });

  it('before Nov 2024 (no --websocket-csrf) the cookie alone opens the websocket', async () => {
    const cookie = cookieHeader(await fetch(`${base}/jwt/qps/user`, { headers: bearer(qseowToken()) }));
    const engine = await openEngine(`${wsBase()}/jwt/app/engineData`, { cookie });
    engine.close();
  });
});

describe('QSEoW: upstream forwarding', () => {
  let seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const backend = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += String(chunk);
    });
    request.on('end', () => {
      seen.push({ url: request.url ?? '', headers: request.headers, body });
      response.writeHead(201, { 'content-type': 'text/plain', 'set-cookie': 'backend=1' });
      response.end('from backend');
    });
  });
  let proxied: TestEmulator;
  before(async () => {
    await new Promise<void>((done) => backend.listen(0, '127.0.0.1', done));
    const upstream = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    proxied = await startTestEmulator({
      virtualProxies: [
        {
          prefix: 'jwt',
          jwtPublicKeyCertificate: 'x',
          upstream,
          jwtAttributeMap: [{ senseAttribute: 'group', jwtAttribute: 'groups', isMandatory: false }],
        },
      ],
    });
  });
  after(async () => {
    await proxied.close();
    await new Promise((done) => backend.close(done));
  });

  it('injects X-Qlik-User and X-Qlik-Security, drops client X-Qlik-* headers, strips the prefix', async () => {
    seen = [];
    const response = await fetch(`${proxied.url}/jwt/api/things?x=1`, {
      method: 'POST',
      headers: {
        ...bearer(qseowToken({ userId: 'anna b', groups: ['Sales', 'EMEA Managers'] })),
        'x-qlik-user': 'UserDirectory=ROOT; UserId=admin',
        'X-Qlik-Security': 'admin=yes;',
      },
      body: 'payload',
    });
    assert.equal(response.status, 201);
    assert.equal(await response.text(), 'from backend');
    assert.deepEqual(
      response.headers.getSetCookie().map((line) => line.split('=')[0]),
      ['backend', 'X-Qlik-Session-jwt-HTTP'],
    );
    const [request] = seen;
    assert.equal(request?.url, '/api/things?x=1');
    assert.equal(request?.headers['x-qlik-user'], 'UserDirectory=ACME; UserId=anna%20b');
    assert.equal(request?.headers['x-qlik-security'], 'group=Sales;group=EMEA%20Managers;');
    assert.equal(request?.headers['authorization'], undefined);
    assert.equal(request?.body, 'payload');
  });

  it('forwards nothing for a refused request', async () => {
    seen = [];
    const response = await fetch(`${proxied.url}/jwt/api/things`, {
      headers: { 'x-qlik-user': 'UserDirectory=ROOT; UserId=admin' },
    });
    assert.equal(response.status, 401);
    assert.equal(seen.length, 0);
  });
});

describe('QSEoW over HTTPS', () => {
  it('sets a Secure cookie without the -HTTP suffix', async () => {
    const cert = await createSelfSignedCertificate({ ...KEYS, commonName: 'localhost', days: 1 });
    const secure = await startTestEmulator(
      { virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'x' }] },
      { tls: { cert, key: KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } },
    );
    try {
      assert.match(secure.url, /^https:/);
      const answer = await new Promise<{ headers: IncomingHttpHeaders; status: number | undefined }>(
        (resolve, reject) => {
          const request = httpsRequest(
            `${secure.url}/jwt/qps/user`,
            { rejectUnauthorized: false, headers: bearer(qseowToken()) },
            (response) => {
              response.resume();
              resolve({ headers: response.headers, status: response.statusCode });
            },
          );
          request.on('error', reject);
          request.end();
        },
      );
      assert.equal(answer.status, 200);
      assert.match(
        answer.headers['set-cookie']?.[0] ?? '',
        /^X-Qlik-Session-jwt=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
      );
    } finally {
      await secure.close();
    }
  });
});
