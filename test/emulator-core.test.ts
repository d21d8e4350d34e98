import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cloudErrorBody, cloudErrorFor, CLOUD_BAD_REQUEST_CODES } from '../src/emulator/cloud-error-status.js';
import {
  cookieValues,
  isCookieName,
  MAX_COOKIE_PAIRS,
  parseCookies,
  serializeCookie,
} from '../src/emulator/cookies.js';
import { parseRequestTarget } from '../src/emulator/request-target.js';
import { parseEmulatorConfig } from '../src/emulator/emulator-config.js';
import {
  createEngineSession,
  handleEngineMessage,
  onAuthenticationInformationNotification,
  onConnectedNotification,
} from '../src/emulator/engine-rpc.js';
import { createJtiRegistry, useJti } from '../src/emulator/jti-registry.js';
import { isOriginAllowed } from '../src/emulator/origin-check.js';
import {
  authenticatedUserText,
  qlikSecurityHeader,
  qlikUserHeader,
  userFromClaims,
} from '../src/emulator/qseow-identity.js';
import { authenticate, createVirtualProxy } from '../src/emulator/qseow-proxy.js';
import { pathBelowPrefix } from '../src/emulator/qseow-routes.js';
import { createVerifiedTokenCache, recallVerified, rememberVerified } from '../src/core/cache/verified-token-cache.js';
import { acceptedTimeSpan, lintClaims } from '../src/core/lint/claim-rules.js';
import {
  createSessionStore,
  endSessions,
  openSession,
  removeExpired,
  touchSession,
} from '../src/emulator/session-store.js';
import { checkXrfkey, generateXrfkey } from '../src/core/qlik/xrfkey.js';

const COOKIE_NAME_CHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".split('');

describe('cookies', () => {
  it('reads the session cookie from an echoed Set-Cookie header, attributes and all (@qlik/api)', () => {
    const cookies = parseCookies('X-Qlik-Session-jwt-HTTP=abc123; Path=/; HttpOnly; SameSite=Lax');
    assert.deepEqual(cookies.get('X-Qlik-Session-jwt-HTTP'), ['abc123']);
    assert.equal(cookies.has('HttpOnly'), false);
  });

  it('keeps every value of a repeated name, strips quotes, and survives a stray %', () => {
    const cookies = parseCookies(['a=1; a="2"', 'b=%ZZ; c=%20x']);
    assert.deepEqual(cookies.get('a'), ['1', '2']);
    assert.deepEqual(cookies.get('b'), ['%ZZ']);
    assert.deepEqual(cookies.get('c'), [' x']);
  });

  it('bounds the number of pairs it reads', () => {
    const header = Array.from({ length: MAX_COOKIE_PAIRS + 50 }, (_, index) => `k${index}=v`).join('; ');
    assert.equal(parseCookies(header).size, MAX_COOKIE_PAIRS);
  });

  it('never throws, whatever the header (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (header) => {
        const cookies = parseCookies(header);
        for (const name of cookies.keys()) assert.ok(isCookieName(name));
      }),
      { numRuns: 500 },
    );
  });

  it('cookieValues(header, name) is exactly parseCookies(header).get(name), for any header (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom('a', 'b', 'X-Qlik-Session', '=', ';', ',', ' ', '"', '%', '%20', 'Path=/'),
      fc.string({ maxLength: 8 }),
    );
    const header = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(header, fc.array(header, { maxLength: 3 })),
        fc.constantFrom('a', 'b', 'X-Qlik-Session', 'Path'),
        (cookie, name) => {
          assert.deepEqual(cookieValues(cookie, name), parseCookies(cookie).get(name) ?? []);
        },
      ),
      { numRuns: 2000 },
    );
    const many = Array.from({ length: MAX_COOKIE_PAIRS + 5 }, (_, index) => `k${index}=v`).join('; ');
    assert.deepEqual(cookieValues(many, `k${MAX_COOKIE_PAIRS}`), [], 'the pair bound applies to both');
  });

  it('gives back what serializeCookie wrote, for any name and value (property)', () => {
    const name = fc
      .array(fc.constantFrom(...COOKIE_NAME_CHARS), { minLength: 1, maxLength: 20 })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(name, fc.string({ maxLength: 60 }), fc.boolean(), (cookieName, value, secure) => {
        const line = serializeCookie(cookieName, value, { secure, sameSite: 'Lax' });
        // As a browser sends it, and as @qlik/api echoes it.
        assert.deepEqual(parseCookies(line.split(';')[0])?.get(cookieName), [value]);
        assert.equal(parseCookies(line).get(cookieName)?.[0], value);
      }),
      { numRuns: 300 },
    );
  });

  it('writes HttpOnly, SameSite and Secure, and never SameSite=None without Secure', () => {
    assert.equal(
      serializeCookie('s', 'v', { secure: true, sameSite: 'None' }),
      's=v; Path=/; HttpOnly; SameSite=None; Secure',
    );
    assert.equal(serializeCookie('s', 'v', { secure: false, sameSite: 'None' }), 's=v; Path=/; HttpOnly; SameSite=Lax');
    assert.equal(serializeCookie('s', '', { maxAge: 0 }), 's=; Path=/; Max-Age=0; HttpOnly');
    assert.throws(() => serializeCookie('bad name', 'v'));
  });
});

describe('xrfkey', () => {
  const key = 'abcdefghij012345';
  const query = (text: string) => new URLSearchParams(text);
  it('accepts the same 16-character key in the query and the header; the query name in any case', () => {
    assert.deepEqual(checkXrfkey(query(`xrfkey=${key}`), { 'x-qlik-xrfkey': key }, 'required'), { ok: true });
    assert.deepEqual(checkXrfkey(query(`XrfKey=${key}`), { 'x-qlik-xrfkey': key }, 'required'), { ok: true });
  });
  it('refuses a missing, one-sided, mismatched or malformed key on /qrs', () => {
    assert.equal(checkXrfkey(query(''), {}, 'required').ok, false);
    assert.equal(checkXrfkey(query(`xrfkey=${key}`), {}, 'required').ok, false);
    assert.equal(checkXrfkey(query(''), { 'x-qlik-xrfkey': key }, 'required').ok, false);
    assert.equal(checkXrfkey(query(`xrfkey=${key}`), { 'x-qlik-xrfkey': 'abcdefghij012346' }, 'required').ok, false);
    assert.equal(checkXrfkey(query('xrfkey=short'), { 'x-qlik-xrfkey': 'short' }, 'required').ok, false);
    assert.equal(
      checkXrfkey(query('xrfkey=abcdefghij01234!'), { 'x-qlik-xrfkey': 'abcdefghij01234!' }, 'required').ok,
      false,
    );
  });
  it('lets /qps calls go without a key but refuses a one-sided one [choice]', () => {
    assert.equal(checkXrfkey(query(''), {}, 'when-present').ok, true);
    assert.equal(checkXrfkey(query(`xrfkey=${key}`), {}, 'when-present').ok, false);
  });
});

describe('session store', () => {
  it('finds a session, restarts its inactivity clock, and expires it after the timeout', () => {
    const store = createSessionStore<string>({ inactivityMs: 1000 });
    const session = openSession(store, 'anna', 0);
    assert.equal(touchSession(store, session.id, 999)?.user, 'anna');
    assert.equal(touchSession(store, session.id, 1998)?.user, 'anna', 'touched at 999, so alive until 1999');
    assert.equal(touchSession(store, session.id, 2998), undefined);
    assert.equal(store.sessions.size, 0, 'an expired session is removed');
  });

  it('evicts the oldest session past the cap', () => {
    const store = createSessionStore<number>({ capacity: 3, inactivityMs: 60_000 });
    const sessions = [1, 2, 3, 4].map((user) => openSession(store, user, user));
    assert.equal(store.sessions.size, 3);
    assert.equal(touchSession(store, sessions[0]!.id, 10), undefined);
    assert.equal(touchSession(store, sessions[3]!.id, 10)?.user, 4);
  });

  it('ends the sessions of one user and sweeps expired ones', () => {
    const store = createSessionStore<string>({ inactivityMs: 100 });
    openSession(store, 'anna', 0);
    openSession(store, 'anna', 0);
    openSession(store, 'bert', 50);
    assert.equal(
      endSessions(store, (user) => user === 'anna'),
      2,
    );
    assert.equal(removeExpired(store, 149), 0);
    assert.equal(removeExpired(store, 150), 1);
    assert.throws(() => createSessionStore({ capacity: 0, inactivityMs: 1 }));
  });

  it('gives unguessable, distinct ids and CSRF tokens', () => {
    const store = createSessionStore<string>({ inactivityMs: 100 });
    const ids = new Set(
      Array.from({ length: 50 }, () => openSession(store, 'x', 0)).flatMap((session) => [
        session.id,
        session.csrfToken,
      ]),
    );
    assert.equal(ids.size, 100);
  });
});

describe('Qlik Cloud jti registry and error mapping', () => {
  it('refuses a jti used before, until the token would have expired', () => {
    const registry = createJtiRegistry(10);
    assert.equal(useJti(registry, 'j1', 100, 50), true);
    assert.equal(useJti(registry, 'j1', 100, 60), false);
    assert.equal(useJti(registry, 'j1', 200, 100), true, 'at exp the old entry is dead');
  });

  it('stays within its cap, dropping the entry closest to expiry', () => {
    const registry = createJtiRegistry(3);
    useJti(registry, 'a', 500, 0);
    useJti(registry, 'b', 100, 0);
    useJti(registry, 'c', 300, 0);
    useJti(registry, 'd', 400, 0);
    assert.equal(registry.used.size, 3);
    assert.equal(registry.used.has('b'), false);
  });

  it('maps claim-format problems to 400 INTERNAL-TOKEN-1 and trust problems to 401 [choice]', () => {
    for (const code of ['QJ201', 'QJ204', 'QJ205', 'QJ208', 'QJ001'] as const)
      assert.equal(cloudErrorFor(code).status, 400, code);
    for (const code of ['QJ020', 'QJ030', 'QJ031', 'QJ203', 'QJ209', 'QJ210', 'QJ015', 'EMU008', 'EMU001'] as const)
      assert.equal(cloudErrorFor(code).status, 401, code);
    assert.ok(CLOUD_BAD_REQUEST_CODES.has('QJ201'));
    assert.deepEqual(cloudErrorBody(cloudErrorFor('QJ201'), 'JWT_LOGIN_VALIDATIONS Missing required claim: nbf'), {
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
});

describe('QSEoW identity', () => {
  const map = [
    { senseAttribute: 'group', jwtAttribute: 'groups', isMandatory: true },
    { senseAttribute: 'email', jwtAttribute: 'email', isMandatory: false },
  ];
  it('turns a JSON array claim into one attribute value per element [choice]', () => {
    const user = userFromClaims(
      { userId: 'anna', userDirectory: 'ACME', groups: ['Sales', 'EMEA Managers'] },
      'userId',
      'userDirectory',
      map,
    );
    assert.ok(!('code' in user));
    assert.deepEqual(user.attributes, [
      { name: 'group', value: 'Sales' },
      { name: 'group', value: 'EMEA Managers' },
    ]);
    assert.equal(qlikSecurityHeader(user), 'group=Sales;group=EMEA%20Managers;');
  });
  it('refuses a token without a mandatory mapped claim [choice]', () => {
    const user = userFromClaims({ userId: 'anna', userDirectory: 'ACME' }, 'userId', 'userDirectory', map);
    assert.ok('code' in user && user.code === 'EMU003');
  });
  it('URL-encodes X-Qlik-User values and leaves GetAuthenticatedUser readable', () => {
    const user = { userId: 'a;b c', userDirectory: 'AC=ME', userName: 'x', attributes: [] };
    assert.equal(qlikUserHeader(user), 'UserDirectory=AC%3DME; UserId=a%3Bb%20c');
    assert.equal(authenticatedUserText(user), 'UserDirectory=AC=ME; UserId=a;b c');
  });
  it('finds the path below a prefix, case-insensitively, and nothing for other prefixes', () => {
    assert.equal(pathBelowPrefix('jwt', '/jwt/qps/user'), '/qps/user');
    assert.equal(pathBelowPrefix('jwt', '/JWT/hub/'), '/hub/');
    assert.equal(pathBelowPrefix('jwt', '/jwt'), '/');
    assert.equal(pathBelowPrefix('jwt', '/jwtx/qps/user'), undefined);
  });
});

describe('websocket Origin check', () => {
  it('allows the same origin and listed hosts or origins, nothing else', () => {
    assert.equal(isOriginAllowed('http://127.0.0.1:8080', '127.0.0.1:8080', []), true);
    assert.equal(isOriginAllowed('https://portal.example.com', '127.0.0.1:8080', ['portal.example.com']), true);
    assert.equal(
      isOriginAllowed('https://portal.example.com', '127.0.0.1:8080', ['https://portal.example.com/']),
      true,
    );
    assert.equal(isOriginAllowed('http://portal.example.com', '127.0.0.1:8080', ['https://portal.example.com']), false);
    assert.equal(isOriginAllowed('https://evil.example.com', '127.0.0.1:8080', ['portal.example.com']), false);
    assert.equal(isOriginAllowed('null', '127.0.0.1:8080', []), false);
  });
});

describe('engine JSON-RPC', () => {
  const session = () => createEngineSession('UserDirectory=ACME; UserId=anna', [{ id: 'app-1', name: 'Sales' }]);
  const call = (engine: ReturnType<typeof session>, message: unknown) =>
    handleEngineMessage(engine, JSON.stringify(message)).map((text) => JSON.parse(text) as Record<string, unknown>);

  it("greets a QSEoW client with OnAuthenticationInformation for the proxy's user", () => {
    assert.deepEqual(JSON.parse(onAuthenticationInformationNotification({ userId: 'anna b', userDirectory: 'ACME' })), {
      jsonrpc: '2.0',
      method: 'OnAuthenticationInformation',
      params: { userId: 'anna b', userDirectory: 'ACME', mustAuthenticate: false },
    });
  });

  it('announces itself with OnConnected', () => {
    assert.deepEqual(JSON.parse(onConnectedNotification()), {
      jsonrpc: '2.0',
      method: 'OnConnected',
      params: { qSessionState: 'SESSION_CREATED' },
    });
  });

  it('answers the Global methods on handle -1', () => {
    const engine = session();
    assert.deepEqual(call(engine, { jsonrpc: '2.0', id: 1, handle: -1, method: 'GetAuthenticatedUser', params: [] }), [
      { jsonrpc: '2.0', id: 1, result: { qReturn: 'UserDirectory=ACME; UserId=anna' } },
    ]);
    assert.match(
      JSON.stringify(call(engine, { jsonrpc: '2.0', id: 2, handle: -1, method: 'EngineVersion', params: {} })),
      /qComponentVersion/,
    );
    assert.match(
      JSON.stringify(call(engine, { jsonrpc: '2.0', id: 3, handle: -1, method: 'ProductVersion', params: [] })),
      /qReturn/,
    );
    assert.match(
      JSON.stringify(call(engine, { jsonrpc: '2.0', id: 4, handle: -1, method: 'GetDocList', params: [] })),
      /"qDocId":"app-1"/,
    );
  });

  it('opens a configured app as a Doc handle that answers GetAppLayout', () => {
    const engine = session();
    const [opened] = call(engine, {
      jsonrpc: '2.0',
      id: 1,
      handle: -1,
      method: 'OpenDoc',
      params: { qDocName: 'app-1' },
    });
    assert.deepEqual(opened?.['result'], { qReturn: { qType: 'Doc', qHandle: 1, qGenericId: 'app-1' } });
    const [layout] = call(engine, { jsonrpc: '2.0', id: 2, handle: 1, method: 'GetAppLayout', params: [] });
    assert.equal((layout?.['result'] as { qLayout: { qTitle: string } }).qLayout.qTitle, 'Sales');
    const [again] = call(engine, { jsonrpc: '2.0', id: 3, handle: -1, method: 'OpenDoc', params: ['app-1'] });
    assert.equal((again?.['error'] as { code: number }).code, 1002);
  });

  it('answers unknown methods, apps and handles with errors, garbage with a parse error, notifications with nothing', () => {
    const engine = session();
    assert.equal(
      (
        call(engine, { jsonrpc: '2.0', id: 1, handle: -1, method: 'CreateApp', params: [] })[0]?.['error'] as {
          code: number;
        }
      ).code,
      -32601,
    );
    assert.equal(
      (
        call(engine, { jsonrpc: '2.0', id: 2, handle: -1, method: 'OpenDoc', params: ['nope'] })[0]?.['error'] as {
          code: number;
        }
      ).code,
      1003,
    );
    assert.equal(
      (
        call(engine, { jsonrpc: '2.0', id: 3, handle: 7, method: 'GetAppLayout', params: [] })[0]?.['error'] as {
          code: number;
        }
      ).code,
      -32602,
    );
    assert.equal(
      (JSON.parse(handleEngineMessage(engine, '{not json')[0] ?? '{}') as { error: { code: number } }).error.code,
      -32700,
    );
    assert.equal(
      (JSON.parse(handleEngineMessage(engine, '[1,2]')[0] ?? '{}') as { error: { code: number } }).error.code,
      -32600,
    );
    assert.deepEqual(call(engine, { jsonrpc: '2.0', method: 'OnSomething', params: {} }), []);
  });
});

describe('emulator config', () => {
  it('completes a minimal virtual proxy with Qlik defaults', async () => {
    const config = await parseEmulatorConfig({ virtualProxies: [{ prefix: 'jwt', certFile: 'c.pem' }] }, 'test');
    const proxy = config.virtualProxies[0]!;
    assert.equal(proxy.sessionCookieHeaderName, 'X-Qlik-Session-jwt');
    assert.equal(proxy.sessionInactivityTimeout, 30);
    assert.equal(proxy.jwtAttributeUserId, 'userId');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.limits.maxSessions, 10_000);
    assert.equal(config.limits.maxBodyBytes, 65_536);
  });

  it('reads durations and refuses what cannot run, naming the place', async () => {
    const tenant = await parseEmulatorConfig(
      { tenant: { issuer: 'i', keyId: 'k', certFile: 'c', clockTolerance: '1m' } },
      'test',
    );
    assert.equal(tenant.tenant?.clockTolerance, 60);
    const cases: [unknown, RegExp][] = [
      [{}, /at least one virtual proxy or a tenant/],
      [{ virtualProxies: [{ prefix: 'JWT', certFile: 'c' }] }, /virtual proxy 1, field "prefix".*lowercase/],
      [{ virtualProxies: [{ prefix: 'api', certFile: 'c' }] }, /other than/],
      [{ virtualProxies: [{ prefix: 'jwt' }] }, /exactly one of certFile/],
      [
        {
          virtualProxies: [
            { prefix: 'jwt', certFile: 'c' },
            { prefix: 'jwt', certFile: 'd' },
          ],
        },
        /same prefix/,
      ],
      [{ virtualProxies: [{ prefix: 'jwt', certFile: 'c', upstream: 'ftp://x' }] }, /field "upstream"/],
      [{ virtualProxies: [{ prefix: 'jwt', certFile: 'c', sessionCookieHeaderName: 'a b' }] }, /cookie name/],
      [{ virtualProxies: [{ prefix: 'jwt', certFile: 'c', colour: 'red' }] }, /unknown field/],
      [{ tenant: { issuer: 'i', keyId: 'k', certFile: 'c', clockTolerance: 'soon' } }, /field "tenant.clockTolerance"/],
      [{ port: 70_000, tenant: { issuer: 'i', keyId: 'k', certFile: 'c' } }, /field "port"/],
    ];
    for (const [json, message] of cases)
      await assert.rejects(parseEmulatorConfig(json, 'test'), message, JSON.stringify(json));
  });
});

describe('xrfkey generation', () => {
  it('every generated key is accepted by the check a Qlik server makes, and keys differ', () => {
    const keys = new Set<string>();
    for (let round = 0; round < 200; round += 1) {
      const key = generateXrfkey();
      keys.add(key);
      assert.deepEqual(
        checkXrfkey(new URLSearchParams({ xrfkey: key }), { 'x-qlik-xrfkey': key }, 'required'),
        { ok: true },
        key,
      );
    }
    assert.equal(keys.size, 200, 'no repeated keys in 200 draws');
  });
});

describe('verified-token cache', () => {
  const payload = { userId: 'anna', userDirectory: 'ACME' };

  it('answers only inside the accepted span, forgets a token once it has expired, and evicts the oldest', () => {
    const cache = createVerifiedTokenCache(2);
    const rememberTwice = (token: string, span: { from: number; until: number }): void => {
      rememberVerified(cache, token, payload, span);
      rememberVerified(cache, token, payload, span);
    };
    rememberVerified(cache, 'a', payload, { from: 100, until: 200 });
    assert.equal(recallVerified(cache, 'a', 150), undefined, 'a token accepted once is not kept');
    rememberVerified(cache, 'a', payload, { from: 100, until: 200 });
    assert.deepEqual(recallVerified(cache, 'a', 150), payload);
    assert.equal(recallVerified(cache, 'a', 99), undefined, 'before nbf/iat: verify afresh');
    assert.equal(recallVerified(cache, 'a', 200), undefined, 'at exp: refused afresh');
    assert.equal(cache.entries.has('a'), false);
    rememberTwice('b', { from: 0, until: 300 });
    rememberTwice('c', { from: 0, until: 300 });
    rememberTwice('d', { from: 0, until: 300 });
    assert.deepEqual([...cache.entries.keys()], ['c', 'd']);
    assert.equal(recallVerified(cache, 'd ', 10), undefined, 'the exact token text is the key');
  });

  it('remembers nothing with capacity 0', () => {
    const cache = createVerifiedTokenCache(0);
    rememberVerified(cache, 'a', payload, { from: 0, until: 300 });
    rememberVerified(cache, 'a', payload, { from: 0, until: 300 });
    assert.equal(recallVerified(cache, 'a', 10), undefined);
  });

  it('agrees with the time rules: no QJ030/QJ031/QJ032 exactly inside acceptedTimeSpan (property)', () => {
    const time = fc.option(fc.integer({ min: 1_600_000_000, max: 1_600_001_000 }), { nil: undefined });
    fc.assert(
      fc.property(
        time,
        time,
        time,
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1_599_999_800, max: 1_600_001_200 }),
        (exp, nbf, iat, tolerance, at) => {
          const claims = { exp, nbf, iat };
          const span = acceptedTimeSpan(claims, tolerance);
          const timeErrors = lintClaims({ alg: 'RS256' }, claims, 'none', { at, clockTolerance: tolerance }).filter(
            (item) => ['QJ030', 'QJ031', 'QJ032'].includes(item.code),
          );
          assert.equal(timeErrors.length === 0, span.from <= at && at < span.until);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('verifies a repeated Bearer twice, then answers from the cache, and still refuses it once expired', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { createQseowToken } = await import('../src/core/qlik/qseow-token.js');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const config = await parseEmulatorConfig(
      { virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'x' }] },
      'test',
    );
    const proxyConfig = config.virtualProxies[0];
    assert.ok(proxyConfig);
    const proxy = createVirtualProxy(proxyConfig, publicKey, false, 10);
    const now = Date.UTC(2026, 0, 1);
    const token = createQseowToken({
      privateKey,
      userId: 'anna',
      userDirectory: 'ACME',
      issuedAt: now / 1000,
      expires: '1h',
    }).token;
    const facts = (at: number) => ({
      method: 'GET',
      path: '/jwt/qps/user',
      query: new URLSearchParams(),
      headers: { authorization: `Bearer ${token}` },
      secure: false,
      now: at,
    });
    assert.equal(authenticate(proxy, facts(now)).ok, true);
    assert.equal(proxy.verified.entries.size, 0, 'first use: verified, not kept');
    assert.equal(authenticate(proxy, facts(now)).ok, true);
    assert.equal(proxy.verified.entries.size, 1, 'second use: kept');
    assert.equal(authenticate(proxy, facts(now + 59 * 60_000)).ok, true);
    const late = authenticate(proxy, facts(now + 3600_000));
    assert.equal(late.ok, false);
    assert.equal(!late.ok && late.refusal.code, 'QJ030');
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    const forged = authenticate(proxy, { ...facts(now), headers: { authorization: `Bearer ${tampered}` } });
    assert.equal(!forged.ok && forged.refusal.code, 'QJ020');
  });
});

describe('request targets', () => {
  /** What WHATWG URL makes of a target, as the emulator parsed every request before its fast path. */
  const byUrl = (target: string): unknown => {
    if (!target.startsWith('/')) return undefined;
    try {
      const url = new URL(target, 'http://emulator.invalid');
      return url.origin === 'http://emulator.invalid'
        ? { pathname: url.pathname, search: url.search, query: [...url.searchParams] }
        : undefined;
    } catch {
      return undefined;
    }
  };
  const parsed = (target: string): unknown => {
    const result = parseRequestTarget(target);
    return result && { pathname: result.pathname, search: result.search, query: [...result.query] };
  };

  it('splits plain targets directly and agrees with WHATWG URL on every target (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '/',
        '//',
        'jwt',
        'qps',
        'user',
        '.',
        '..',
        '?',
        '&',
        '=',
        '#',
        '%',
        '%2F',
        '%zz',
        "'",
        '"',
        ' ',
        '\\',
        '~',
        '+',
        ':',
        '@',
        'é',
        'http:',
        '?a=1',
        '?xrfkey=abc',
      ),
      fc.string({ maxLength: 6 }),
    );
    const target = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(
          target,
          target.map((text) => `/${text}`),
        ),
        (text) => {
          assert.deepEqual(parsed(text), byUrl(text), text);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('reads the usual emulator targets, and refuses absolute-form and //host targets', () => {
    assert.deepEqual(parsed('/jwt/qrs/about?xrfkey=0123456789abcdef'), {
      pathname: '/jwt/qrs/about',
      search: '?xrfkey=0123456789abcdef',
      query: [['xrfkey', '0123456789abcdef']],
    });
    assert.deepEqual(parsed('/jwt/qps/user?'), { pathname: '/jwt/qps/user', search: '', query: [] });
    assert.deepEqual(parsed('/jwt/a/../qps/user'), { pathname: '/jwt/qps/user', search: '', query: [] });
    assert.equal(parseRequestTarget('http://evil.example/jwt/qps/user'), undefined);
    assert.equal(parseRequestTarget('//evil.example/jwt'), undefined);
  });
});
