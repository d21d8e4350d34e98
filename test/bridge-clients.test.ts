import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { openAppSession } from '@qlik/api/qix';
import enigma from 'enigma.js';
import WebSocket from 'ws';
import { cookieHeader } from './support/emulator-harness.js';
import { startBridgeRig, type BridgeRig } from './support/bridge-harness.js';

/**
 * Qlik's own clients through the bridge: enigma.js opens the engine websocket with an IdP Bearer (the
 * bridge swaps it for a QSEoW token on the upgrade) and with the session cookie under Qlik's Nov 2024
 * CSRF check; @qlik/api's windowscookie auth gets its token from the bridge's token endpoint.
 */

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('enigma.js/schemas/12.2027.0.json'), 'utf8')) as object;

interface QixGlobal {
  getAuthenticatedUser: () => Promise<string>;
}

function session(url: string, headers: Record<string, string>): EnigmaJS.Session {
  return enigma.create({
    schema,
    url,
    createSocket: (socketUrl: string) =>
      new WebSocket(socketUrl, { headers }) as unknown as ReturnType<
        NonNullable<EnigmaJS.Configuration['createSocket']>
      >,
  });
}

let rig: BridgeRig;
before(async () => {
  rig = await startBridgeRig({}, [
    { prefix: 'jwt', jwtPublicKeyCertificate: 'injected', websocketCsrf: true, apps: [{ id: 'app-1', name: 'Sales' }] },
  ]);
});
after(async () => rig.close());

describe('enigma.js through the bridge', () => {
  it('Bearer on the upgrade: the engine sees the mapped user, Qlik never the IdP token', async () => {
    const token = await rig.idp.token({ sub: 'anna' });
    const before = rig.upstream.length;
    const qix = session(`${rig.bridge.url.replace(/^http/, 'ws')}/jwt/app/engineData`, {
      authorization: `Bearer ${token}`,
    });
    try {
      const global = (await qix.open()) as unknown as QixGlobal;
      assert.equal(await global.getAuthenticatedUser(), 'UserDirectory=IDP; UserId=anna');
    } finally {
      await qix.close();
    }
    const upgrade = rig.upstream.slice(before).find((request) => request.url === '/jwt/app/engineData');
    assert.ok(upgrade?.headers.authorization?.startsWith('Bearer ') && !upgrade.headers.authorization.includes(token));
  });

  it('session cookie and Qlik CSRF token on the upgrade pass through; without the CSRF token Qlik answers 403', async () => {
    const token = await rig.idp.token({ sub: 'bert' });
    const login = await fetch(`${rig.bridge.url}/jwt/qps/csrftoken`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(login.status, 200);
    const cookie = cookieHeader(login);
    const csrf = login.headers.get('qlik-csrf-token') ?? '';
    const base = `${rig.bridge.url.replace(/^http/, 'ws')}/jwt/app/app-1`;
    const qix = session(`${base}?qlik-csrf-token=${encodeURIComponent(csrf)}`, { cookie });
    try {
      const global = (await qix.open()) as unknown as QixGlobal;
      assert.equal(await global.getAuthenticatedUser(), 'UserDirectory=IDP; UserId=bert');
    } finally {
      await qix.close();
    }
    const refused = await new Promise<number | undefined>((resolve) => {
      const socket = new WebSocket(base, { headers: { cookie } });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode));
      socket.on('open', () => resolve(101));
      socket.on('error', () => undefined);
    });
    assert.equal(refused, 403);
  });

  it('refuses an upgrade without credentials with 401 and WWW-Authenticate', async () => {
    const answer = await new Promise<{ status?: number; challenge?: string }>((resolve) => {
      const socket = new WebSocket(`${rig.bridge.url.replace(/^http/, 'ws')}/jwt/app/engineData`);
      socket.on('unexpected-response', (_request, response) =>
        resolve({ status: response.statusCode, challenge: response.headers['www-authenticate'] }),
      );
      socket.on('error', () => undefined);
    });
    assert.deepEqual(answer, { status: 401, challenge: 'Bearer realm="qs-jwt bridge"' });
  });
});

describe('@qlik/api through the bridge', () => {
  it('windowscookie with getAccessToken calling the token endpoint: engine session as the IdP user', async () => {
    const idpToken = await rig.idp.token({ sub: 'carl' });
    let asked = 0;
    const getAccessToken = async (): Promise<string> => {
      asked += 1;
      const response = await fetch(`${rig.bridge.url}/jwt/qs-jwt/token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${idpToken}` },
      });
      return ((await response.json()) as { token: string }).token;
    };
    const app = openAppSession({
      appId: 'app-1',
      hostConfig: { host: `${rig.bridge.url}/jwt`, authType: 'windowscookie', getAccessToken },
    });
    try {
      const doc = await app.getDoc();
      assert.equal(await doc.global.getAuthenticatedUser(), 'UserDirectory=IDP; UserId=carl');
    } finally {
      await app.close({ websocketCloseDelay: 0 });
    }
    assert.equal(asked, 1);
  });
});
