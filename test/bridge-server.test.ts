import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createSelfSignedCertificate } from '../src/core/keys/certificate.js';
import { startBridgeApp } from '../src/bridge/server/bridge-app.js';
import { KEYS, rawRequest, startTestEmulator } from './support/emulator-harness.js';
import { startBridgeRig, type BridgeRig } from './support/bridge-harness.js';
import { hasCommand } from './support/fixtures.js';
import { IDP_AUDIENCE } from './support/test-idp.js';

/**
 * `qs-jwt bridge` in-process: test IdP → bridge → emulated QSEoW virtual proxy, all on 127.0.0.1.
 * curl and fetch as clients; every refusal the issue lists, checked to forward nothing; rotation, IdP
 * and upstream outages; the token endpoint; operations endpoints, access log and forwarded headers.
 */

const run = promisify(execFile);
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

let rig: BridgeRig;
before(async () => {
  rig = await startBridgeRig();
});
after(async () => rig.close());

const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${rig.bridge.url}${path}`, { headers });
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('bridge: IdP token in, QSEoW session out', () => {
  it(
    'curl with an IdP token gets the user at /jwt/qps/user and a session cookie; the cookie alone works next',
    { skip: !hasCommand('curl') && 'curl not installed' },
    async () => {
      const token = await rig.idp.token({ sub: 'anna', groups: ['Sales'] });
      const { stdout } = await run('curl', [
        '-s',
        '-i',
        '-H',
        `Authorization: Bearer ${token}`,
        `${rig.bridge.url}/jwt/qps/user`,
      ]);
      const [head = '', body = ''] = stdout.split('\r\n\r\n');
      assert.match(head, /^HTTP\/1\.1 200/);
      assert.equal(JSON.parse(body).userId, 'anna');
      assert.equal(JSON.parse(body).userDirectory, 'IDP');
      const cookie = /^set-cookie: ([^;]+)/im.exec(head)?.[1];
      assert.ok(cookie?.startsWith('X-Qlik-Session-jwt-HTTP='), head);
      const again = await run('curl', ['-s', '-H', `Cookie: ${cookie}`, `${rig.bridge.url}/jwt/qps/user`]);
      assert.equal(JSON.parse(again.stdout).userId, 'anna');
    },
  );

  it('never sends the IdP token upstream: Qlik gets a QSEoW token signed with --key', async () => {
    const token = await rig.idp.token({ sub: 'bert' });
    const before = rig.upstream.length;
    const response = await get('/jwt/qps/user', bearer(token));
    assert.equal(response.status, 200);
    const seen = rig.upstream.slice(before);
    assert.equal(seen.length, 1);
    const sent = seen[0]?.headers.authorization ?? '';
    assert.ok(sent.startsWith('Bearer ') && !sent.includes(token));
    for (const request of rig.upstream)
      assert.ok(!JSON.stringify(request.headers).includes(token.split('.')[2] ?? '!'), 'IdP token seen upstream');
    const payload = JSON.parse(Buffer.from(sent.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    assert.deepEqual([payload['userId'], payload['userDirectory']], ['bert', 'IDP']);
  });

  it('adds X-Forwarded-For/Proto/Host, drops hop-by-hop headers and client X-Forwarded-*', async () => {
    const token = await rig.idp.token({ sub: 'carl' });
    const before = rig.upstream.length;
    // fetch refuses to send a Connection header; node:http does.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const headers = {
        ...bearer(token),
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.test',
        'x-secret-hop': '1',
        connection: 'x-secret-hop',
      };
      request(`${rig.bridge.url}/jwt/qps/user`, { headers, agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 200);
    const headers = rig.upstream[before]?.headers ?? {};
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-host'], new URL(rig.bridge.url).host);
    assert.equal(headers['x-secret-hop'], undefined);
  });

  it('writes one JSON access-log line per request, with the user and no token', async () => {
    const token = await rig.idp.token({ sub: 'dora' });
    await (await get('/jwt/qps/user?xrfkey=0123456789abcdef', bearer(token))).text();
    await new Promise((done) => setTimeout(done, 20));
    const entry = rig.accessLog.findLast((line) => line['user'] === 'IDP\\dora');
    assert.ok(entry, JSON.stringify(rig.accessLog.slice(-3)));
    assert.deepEqual(
      Object.keys(entry).sort(),
      ['durationMs', 'method', 'path', 'status', 'time', 'user', 'via'].sort(),
    );
    assert.equal(entry['path'], '/jwt/qps/user');
    assert.ok(!JSON.stringify(rig.accessLog).includes(token.split('.')[2] ?? '!'));
  });
});

describe('bridge: refusals (401, RFC 6750, nothing forwarded)', () => {
  const refusedWith = async (headers: Record<string, string>, reason: string): Promise<void> => {
    const before = rig.upstream.length;
    const response = await get('/jwt/qps/user', headers);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 401, JSON.stringify(body));
    assert.equal(body['reason'], reason, JSON.stringify(body));
    const challenge = response.headers.get('www-authenticate') ?? '';
    if (reason === 'no_token') assert.equal(challenge, 'Bearer realm="qs-jwt bridge"');
    else assert.match(challenge, /^Bearer realm="qs-jwt bridge", error="invalid_token", error_description="[^"]+"$/);
    assert.equal(rig.upstream.length, before, 'a refused request was forwarded');
  };

  it('no token, a malformed header', async () => {
    await refusedWith({}, 'no_token');
    await refusedWith({ authorization: 'Basic YWJjOmRlZg==' }, 'malformed');
  });

  it('expired, not yet valid, wrong issuer, wrong audience, missing mapped claim', async () => {
    await refusedWith(bearer(await rig.idp.token({ exp: now() - 60, iat: now() - 120, nbf: now() - 120 })), 'expired');
    await refusedWith(bearer(await rig.idp.token({ nbf: now() + 300 })), 'not_yet_valid');
    await refusedWith(bearer(await rig.idp.token({ iss: 'https://evil.test/' })), 'wrong_issuer');
    await refusedWith(bearer(await rig.idp.token({ aud: 'api://other' })), 'wrong_audience');
    await refusedWith(bearer(await rig.idp.token({ sub: undefined })), 'missing_claim');
  });

  it('alg none, HS256 with the public key bytes, an unknown kid after refresh', async () => {
    const claims = { iss: rig.idp.issuer, aud: IDP_AUDIENCE, sub: 'mallory', exp: now() + 300 };
    await refusedWith(bearer(`${b64({ alg: 'none' })}.${b64(claims)}.`), 'algorithm_not_allowed');
    const jwk = rig.idp.publicJwk(rig.idp.currentKid());
    const input = `${b64({ alg: 'HS256', kid: rig.idp.currentKid() })}.${b64(claims)}`;
    await refusedWith(
      bearer(`${input}.${createHmac('sha256', JSON.stringify(jwk)).update(input).digest('base64url')}`),
      'algorithm_not_allowed',
    );
    await new Promise((done) => setTimeout(done, 250));
    const fetches = rig.idp.fetches();
    const stranger = await generateKeyPair('RS256');
    const unknown = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'nobody' })
      .sign(stranger.privateKey);
    await refusedWith(bearer(unknown), 'unknown_key');
    assert.equal(rig.idp.fetches(), fetches + 1, 'the unknown kid caused one JWKS refresh');
  });

  it('a jku header pointing at a test server: refused, and the server sees no request', async () => {
    let hits = 0;
    const lure = createServer((request, response) => {
      hits += 1;
      response.end('{}');
    });
    await new Promise<void>((done) => lure.listen(0, '127.0.0.1', done));
    try {
      const attacker = await generateKeyPair('RS256', { extractable: true });
      const jwk = { ...(await exportJWK(attacker.publicKey)), kid: 'lure' };
      const url = `http://127.0.0.1:${(lure.address() as AddressInfo).port}/jwks`;
      const token = await new SignJWT({ iss: rig.idp.issuer, aud: IDP_AUDIENCE, sub: 'mallory' })
        .setProtectedHeader({ alg: 'RS256', kid: 'lure', jku: url, jwk })
        .setExpirationTime('5m')
        .sign(attacker.privateKey);
      await refusedWith(bearer(token), 'unknown_key');
      assert.equal(hits, 0);
    } finally {
      lure.close();
    }
  });
});

describe('bridge: keys and upstream over time', () => {
  it('key rotation at the IdP mid-run: new tokens work without restart', async () => {
    const oldKid = rig.idp.currentKid();
    const newKid = await rig.idp.rotate();
    rig.idp.drop(oldKid);
    await new Promise((done) => setTimeout(done, 250));
    const response = await get('/jwt/qps/user', bearer(await rig.idp.token({ sub: 'rotated' }, { kid: newKid })));
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { userId: string }).userId, 'rotated');
  });

  it('the IdP down: cached keys keep working', async () => {
    rig.idp.setDown(true);
    try {
      for (const sub of ['down-1', 'down-2']) {
        const response = await get('/jwt/qps/user', bearer(await rig.idp.token({ sub })));
        assert.equal(response.status, 200, await response.clone().text());
      }
    } finally {
      rig.idp.setDown(false);
    }
  });

  it('upstream down: 502 with a clear body; recovery when it returns', async () => {
    const token = await rig.idp.token({ sub: 'eve' });
    await rig.stopUpstream();
    const down = await get('/jwt/qps/user', bearer(token));
    assert.equal(down.status, 502);
    const body = (await down.json()) as { error: string; message: string };
    assert.equal(body.error, 'bad_gateway');
    assert.match(body.message, /upstream http:\/\/127\.0\.0\.1:\d+ did not answer/);
    const ready = await get('/readyz');
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { upstream: string }).upstream, 'unreachable');
    await rig.startUpstream();
    const back = await get('/jwt/qps/user', bearer(token));
    assert.equal(back.status, 200);
  });

  it('/healthz and /readyz', async () => {
    assert.deepEqual(await (await get('/healthz')).json(), { status: 'ok' });
    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true, jwks: 'fresh', upstream: 'reachable' });
  });
});

describe('bridge: token endpoint', () => {
  const post = (headers: Record<string, string>, method = 'POST'): Promise<Response> =>
    fetch(`${rig.bridge.url}/jwt/qs-jwt/token`, { method, headers });

  it('returns {token, expiresAt} for a valid IdP token, with CORS for allowed origins only', async () => {
    const response = await post({
      ...bearer(await rig.idp.token({ sub: 'fay' })),
      origin: 'https://portal.example.com',
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://portal.example.com');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as { token: string; expiresAt: string };
    const payload = JSON.parse(Buffer.from(body.token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      number
    >;
    assert.equal(new Date(body.expiresAt).getTime() / 1000, payload['exp']);
    // The minted token opens a session through the bridge (the windowscookie flow).
    const user = await get('/jwt/qps/user', bearer(body.token));
    assert.equal(((await user.json()) as { userId: string }).userId, 'fay');
    const preflight = await post(
      { origin: 'https://portal.example.com', 'access-control-request-method': 'POST' },
      'OPTIONS',
    );
    assert.equal(preflight.status, 204);
    assert.equal(
      (await post({ origin: 'https://evil.test', 'access-control-request-method': 'POST' }, 'OPTIONS')).status,
      403,
    );
    assert.equal((await post({ ...bearer(await rig.idp.token()), origin: 'https://evil.test' })).status, 403);
  });

  it('refuses without a token, with a bad one, and a token the bridge minted (no self-renewal)', async () => {
    assert.equal((await post({})).status, 401);
    assert.equal((await post(bearer(await rig.idp.token({ aud: 'x' })))).status, 401);
    const minted = (await (await post(bearer(await rig.idp.token({ sub: 'gus' })))).json()) as { token: string };
    const again = await post(bearer(minted.token));
    assert.equal(again.status, 401);
    assert.equal((await get('/jwt/qs-jwt/token')).status, 405);
  });
});

describe('bridge: https upstream', () => {
  it('trusts an upstream certificate from --upstream-ca; without it, 502 naming the certificate problem', async () => {
    const cert = await createSelfSignedCertificate({ ...KEYS, commonName: 'localhost', days: 1 });
    const secure = await startTestEmulator(
      { virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'injected' }] },
      {
        tls: { cert, key: KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      },
    );
    const upstream = new URL(secure.url.replace('127.0.0.1', 'localhost'));
    const common = {
      prefix: 'jwt',
      upstream,
      host: '127.0.0.1',
      port: 0,
      allowOrigins: [],
      jwksUrl: new URL(rig.idp.jwksUrl),
      issuers: [rig.idp.issuer],
      audiences: [IDP_AUDIENCE],
      clockToleranceSeconds: 0,
      jwksCooldownMs: 200,
      jwksRefreshMs: 600_000,
      jwksMaxStaleMs: 60_000,
      mapping: { userIdClaim: 'sub', userDirectory: { value: 'IDP' }, attributes: [] },
      privateKey: KEYS.privateKey,
      algorithm: 'RS256' as const,
      lifetimeSeconds: 300,
      log: () => undefined,
    };
    const trusting = await startBridgeApp({ ...common, upstreamCa: cert });
    const untrusting = await startBridgeApp(common);
    try {
      const token = await rig.idp.token({ sub: 'tls-user' });
      const ok = await fetch(`${trusting.url}/jwt/qps/user`, { headers: bearer(token) });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { userId: string }).userId, 'tls-user');
      const refused = await fetch(`${untrusting.url}/jwt/qps/user`, { headers: bearer(token) });
      assert.equal(refused.status, 502);
      assert.match(((await refused.json()) as { message: string }).message, /certificate/i);
    } finally {
      await trusting.close();
      await untrusting.close();
      await secure.close();
    }
  });
});

describe('bridge: slow clients', () => {
  it('a request trickled byte by byte times out without holding the server', async () => {
    const slow = await startBridgeRig({ limits: { headersTimeoutMs: 400, requestTimeoutMs: 400 } });
    try {
      const trickle = rawRequest(
        slow.bridge.port,
        [...'GET /jwt/qps/user HTTP/1.1\r\nHost: x\r\nX-Slow: '].map((char) => char),
        { pauseMs: 50, waitMs: 4000 },
      );
      const started = Date.now();
      const answer = await get('/healthz').then(() => undefined);
      assert.equal(answer, undefined);
      const slowAnswer = await trickle;
      assert.ok(slowAnswer.closed, 'the slow connection was not closed');
      assert.ok(Date.now() - started < 3500);
      assert.equal((await fetch(`${slow.bridge.url}/healthz`)).status, 200);
    } finally {
      await slow.close();
    }
  });
});
