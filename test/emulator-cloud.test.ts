import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { signJwt } from '../src/core/jose/compact-jws.js';
import {
  cloudToken,
  cookieHeader,
  ISSUER,
  KEYS,
  KID,
  OTHER_KEYS,
  startTestEmulator,
  type TestEmulator,
} from './support/emulator-harness.js';

let emulator: TestEmulator;
let base: string;

before(async () => {
  emulator = await startTestEmulator({
    tenant: {
      issuer: ISSUER,
      keyId: KID,
      publicKey: 'injected',
      clockTolerance: '5s',
      tenantId: 'tenant-1',
      apps: [{ id: 'app-1', name: 'Sales' }],
      allowedOrigins: ['portal.example.com'],
    },
  });
  base = emulator.url;
});
after(() => emulator.close());

const login = (token: string) =>
  fetch(`${base}/login/jwt-session`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'qlik-web-integration-id': 'web-1' },
  });
const lastLog = () => emulator.logs.at(-1) ?? {};
const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the tenant's key from any header and payload, for claims the builder refuses to make. */
function handMade(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: KID },
): string {
  return signJwt(header as never, payload as never, KEYS.privateKey);
}

function validClaims(): Record<string, unknown> {
  const t = now();
  return {
    iss: ISSUER,
    aud: 'qlik.api/login/jwt-session',
    sub: 'anna-sub',
    subType: 'user',
    name: 'Anna',
    email: 'anna@acme.test',
    email_verified: true,
    jti: `j-${Math.random()}`,
    iat: t,
    nbf: t,
    exp: t + 300,
  };
}

interface QlikErrors {
  errors: { code: string; title: string; detail: string; status: string }[];
}

describe('Qlik Cloud: POST /login/jwt-session', () => {
  it('accepts a token minted by the library: 200 {} and the four session cookies', async () => {
    const response = await login(cloudToken());
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});
    assert.deepEqual(
      response.headers.getSetCookie().map((line) => line.split('=')[0]),
      ['eas.sid', 'eas.sid.sig', '_csrfToken', '_csrfToken.sig'],
    );
    assert.deepEqual(
      { outcome: lastLog()['outcome'], user: lastLog()['user'], target: lastLog()['target'] },
      { outcome: 'accepted', user: 'anna-sub', target: 'cloud' },
    );
  });

  it('refuses a reused jti', async () => {
    const token = cloudToken({ jwtId: 'once-only' });
    assert.equal((await login(token)).status, 200);
    const again = await login(token);
    assert.equal(again.status, 401);
    assert.equal(lastLog()['code'], 'EMU008');
  });

  it("answers a missing nbf with 400 INTERNAL-TOKEN-1 in Qlik's words", async () => {
    const claims = validClaims();
    delete claims['nbf'];
    const response = await login(handMade(claims));
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), {
      errors: [
        {
          code: 'INTERNAL-TOKEN-1',
          title: 'Invalid token request',
          detail: 'JWT_LOGIN_VALIDATIONS Missing required claim: nbf',
          status: '400',
        },
      ],
    });
  });

  const cases: [string, () => string, number, string][] = [
    ['lifetime over one hour', () => handMade({ ...validClaims(), exp: now() + 3700 }), 400, 'QJ208'],
    ['email_verified as a string', () => handMade({ ...validClaims(), email_verified: 'true' }), 400, 'QJ204'],
    [
      'missing jti',
      () => {
        const claims = validClaims();
        delete claims['jti'];
        return handMade(claims);
      },
      400,
      'QJ201',
    ],
    ['bad signature', () => cloudToken({ privateKey: OTHER_KEYS.privateKey }), 401, 'QJ020'],
    ['wrong issuer', () => cloudToken({ issuer: 'https://evil.test' }), 401, 'QJ209'],
    ['wrong kid', () => cloudToken({ keyId: 'key-2' }), 401, 'QJ210'],
    ['wrong audience', () => handMade({ ...validClaims(), aud: 'qlik.api' }), 401, 'QJ203'],
    ['expired beyond the 5 s tolerance', () => cloudToken({ issuedAt: now() - 600, expires: '5m' }), 401, 'QJ030'],
    ['garbage', () => 'not-a-token', 400, 'QJ001'],
  ];
  for (const [name, token, status, code] of cases) {
    it(`refuses: ${name} → ${status} (${code})`, async () => {
      const response = await login(token());
      assert.equal(response.status, status);
      const body = (await response.json()) as QlikErrors;
      assert.equal(body.errors[0]?.status, String(status));
      assert.equal(body.errors[0]?.code, status === 400 ? 'INTERNAL-TOKEN-1' : 'AUTH-1');
      assert.match(response.headers.get('x-qs-jwt-reason') ?? '', new RegExp(`^${code} `));
      assert.equal(response.headers.getSetCookie().length, 0);
      assert.equal(lastLog()['code'], code);
    });
  }

  it('accepts a token expired within the clock tolerance', async () => {
    const response = await login(handMade({ ...validClaims(), iat: now() - 302, nbf: now() - 302, exp: now() - 2 }));
    assert.equal(response.status, 200);
  });

  it('refuses a login without a token, and any method but POST', async () => {
    const none = await fetch(`${base}/login/jwt-session`, { method: 'POST' });
    assert.equal(none.status, 401);
    assert.equal((await fetch(`${base}/login/jwt-session`)).status, 405);
  });
});

describe('Qlik Cloud: APIs after login', () => {
  async function session(): Promise<{ cookie: string; csrf: string }> {
    const response = await login(cloudToken());
    const cookie = cookieHeader(response);
    const csrfResponse = await fetch(`${base}/api/v1/csrf-token`, { headers: { cookie } });
    assert.equal(csrfResponse.status, 204);
    return { cookie, csrf: csrfResponse.headers.get('qlik-csrf-token') ?? '' };
  }

  it('answers users/me with the user built from the claims', async () => {
    const { cookie } = await session();
    const response = await fetch(`${base}/api/v1/users/me`, { headers: { cookie } });
    const me = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 200);
    assert.match(String(me['id']), /^[0-9a-f]{24}$/);
    assert.deepEqual(
      { ...me, id: undefined, assignedGroups: (me['assignedGroups'] as { name: string }[]).map((group) => group.name) },
      {
        id: undefined,
        tenantId: 'tenant-1',
        subject: 'anna-sub',
        name: 'Anna A',
        email: 'anna@acme.test',
        status: 'active',
        assignedGroups: ['Sales', 'EMEA'],
      },
    );
  });

  it('answers 401 without a session, and with a forged session signature', async () => {
    assert.equal((await fetch(`${base}/api/v1/users/me`)).status, 401);
    const { cookie } = await session();
    const forged = cookie.replace(/eas\.sid\.sig=[^;]+/, 'eas.sid.sig=forged');
    assert.equal((await fetch(`${base}/api/v1/users/me`, { headers: { cookie: forged } })).status, 401);
    assert.equal((await fetch(`${base}/api/v1/csrf-token`)).status, 401);
  });

  it('refuses a non-GET API call without the CSRF header with 403 CSRF-TOKEN-2', async () => {
    const { cookie, csrf } = await session();
    const refused = await fetch(`${base}/api/v1/users/me`, { method: 'PATCH', headers: { cookie } });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as QlikErrors).errors[0]?.code, 'CSRF-TOKEN-2');
    const wrong = await fetch(`${base}/api/v1/users/me`, {
      method: 'PATCH',
      headers: { cookie, 'qlik-csrf-token': `${csrf}x` },
    });
    assert.equal(wrong.status, 403);
    const allowed = await fetch(`${base}/api/v1/users/me`, {
      method: 'POST',
      headers: { cookie, 'qlik-csrf-token': csrf },
    });
    assert.notEqual(allowed.status, 403);
  });

  it('opens the engine websocket with the session cookies and ?qlik-csrf-token=, and refuses it without', async () => {
    const { cookie, csrf } = await session();
    const wsUrl = `${base.replace(/^http/, 'ws')}/app/app-1`;
    const status = (url: string, headers: Record<string, string>) =>
      new Promise<number | string>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.on('error', (error) => resolve(error.message));
        ws.on('message', (data) => {
          const first = JSON.parse(String(data)) as { method?: string };
          if (first.method !== 'OnConnected') return;
          ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, handle: -1, method: 'OpenDoc', params: ['app-1'] }));
          ws.once('message', (answer) => {
            ws.close();
            resolve((JSON.parse(String(answer)) as { result: { qReturn: { qType: string } } }).result.qReturn.qType);
          });
        });
      });
    assert.equal(
      await status(`${wsUrl}?qlik-csrf-token=${encodeURIComponent(csrf)}`, {
        cookie,
        origin: 'https://portal.example.com',
      }),
      'Doc',
    );
    assert.equal(await status(wsUrl, { cookie }), 403);
    assert.equal(
      await status(`${wsUrl}?qlik-csrf-token=${encodeURIComponent(csrf)}`, {
        cookie,
        origin: 'https://evil.example.com',
      }),
      403,
    );
    assert.equal(await status(`${wsUrl}?qlik-csrf-token=${encodeURIComponent(csrf)}`, {}), 401);
  });

  it('ends the session after the inactivity timeout', async () => {
    const { cookie } = await session();
    emulator.advance(31 * 60_000);
    assert.equal((await fetch(`${base}/api/v1/users/me`, { headers: { cookie } })).status, 401);
  });
});

describe('one server for several virtual proxies and a tenant (--config)', () => {
  it('serves each virtual proxy and the tenant side by side, each with its own rules', async () => {
    const { qseowToken } = await import('./support/emulator-harness.js');
    const both = await startTestEmulator({
      virtualProxies: [
        { prefix: 'jwt', jwtPublicKeyCertificate: 'x' },
        { prefix: 'sales', jwtPublicKeyCertificate: 'x', jwtAudience: 'sales' },
      ],
      tenant: { issuer: ISSUER, keyId: KID, publicKey: 'x' },
    });
    try {
      const token = qseowToken();
      assert.equal(
        (await fetch(`${both.url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token}` } })).status,
        200,
      );
      assert.equal(
        (await fetch(`${both.url}/sales/qps/user`, { headers: { authorization: `Bearer ${token}` } })).status,
        401,
        'sales wants an audience',
      );
      assert.equal(
        (
          await fetch(`${both.url}/sales/qps/user`, {
            headers: { authorization: `Bearer ${qseowToken({ audience: 'sales' })}` },
          })
        ).status,
        200,
      );
      const cloud = await fetch(`${both.url}/login/jwt-session`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cloudToken()}` },
      });
      assert.equal(cloud.status, 200);
      assert.deepEqual(
        both.logs.map((entry) => entry['target']),
        ['qseow:/jwt', 'qseow:/sales', 'qseow:/sales', 'cloud'],
      );
    } finally {
      await both.close();
    }
  });
});
