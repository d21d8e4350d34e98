import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import {
  cookieHeader,
  qseowToken,
  rawRequest,
  startTestEmulator,
  type TestEmulator,
} from './support/emulator-harness.js';

let emulator: TestEmulator;

before(async () => {
  emulator = await startTestEmulator({
    virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'x' }],
    limits: { headersTimeoutMs: 400, requestTimeoutMs: 2000, keepAliveTimeoutMs: 500 },
  });
});
after(() => emulator.close());

const get = (path: string, headers: string[] = []) => [
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n`,
];
const token = () => qseowToken();
const part = (index: number) => token().split('.')[index] ?? '';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Malformed or hostile requests over raw TCP, each with the 4xx it must get. */
const MALFORMED: [string, () => (string | Buffer)[], number][] = [
  ['garbage bytes', () => [Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10])], 400],
  ['a NUL byte in the request target', () => ['GET /jwt/\u0000qps/user HTTP/1.1\r\nHost: x\r\n\r\n'], 400],
  ['an unknown HTTP version', () => ['GET /jwt/qps/user HTTP/9.9\r\nHost: x\r\n\r\n'], 400],
  ['an unknown method', () => ['BREW /jwt/qps/user HTTP/1.1\r\nHost: x\r\n\r\n'], 400],
  ['a header line without a colon', () => get('/jwt/qps/user', ['this is not a header']), 400],
  ['a header name with spaces', () => get('/jwt/qps/user', ['Bad Name: x']), 400],
  ['an oversized header (20 KiB)', () => get('/jwt/qps/user', [`X-Big: ${'a'.repeat(20 * 1024)}`]), 431],
  [
    'too many headers in total',
    () =>
      get(
        '/jwt/qps/user',
        Array.from({ length: 600 }, (_, index) => `X-H${index}: ${'v'.repeat(30)}`),
      ),
    431,
  ],
  [
    'a non-numeric Content-Length',
    () => ['POST /jwt/qps/user HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n'],
    400,
  ],
  [
    'Content-Length with Transfer-Encoding',
    () => [
      'POST /jwt/qps/user HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    400,
  ],
  [
    'a declared body over 64 KiB',
    () => [
      `POST /jwt/qps/user HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token()}\r\nContent-Length: 70000\r\n\r\n`,
    ],
    413,
  ],
  [
    'a chunked body over 64 KiB',
    () => [
      'POST /jwt/qps/user HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      ...Array.from({ length: 9 }, () => `2000\r\n${'x'.repeat(0x2000)}\r\n`),
    ],
    413,
  ],
  [
    'a broken cookie header',
    () => get('/jwt/qps/user', ['Cookie: ;;;===;%%%;X-Qlik-Session-jwt-HTTP="; =x; X-Qlik-Session-jwt-HTTP=%E0%A4%A']),
    401,
  ],
  [
    'a cookie header of 1000 pairs',
    () => get('/jwt/qps/user', [`Cookie: ${Array.from({ length: 1000 }, (_, index) => `c${index}=1`).join('; ')}`]),
    401,
  ],
  ['a truncated token', () => get('/jwt/qps/user', [`Authorization: Bearer ${token().slice(0, 100)}`]), 401],
  ['a token of three garbage parts', () => get('/jwt/qps/user', ['Authorization: Bearer a.b.c']), 401],
  [
    'an encrypted (five-part) token',
    () => get('/jwt/qps/user', [`Authorization: Bearer ${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`]),
    401,
  ],
  ['alg none', () => get('/jwt/qps/user', [`Authorization: Bearer ${b64({ alg: 'none' })}.${part(1)}.`]), 401],
  [
    'HS256 signed with nothing',
    () => get('/jwt/qps/user', [`Authorization: Bearer ${b64({ alg: 'HS256' })}.${part(1)}.${part(2)}`]),
    401,
  ],
  [
    'a payload that is a JSON array',
    () => get('/jwt/qps/user', [`Authorization: Bearer ${part(0)}.${b64([1, 2])}.${part(2)}`]),
    401,
  ],
  ['Basic authentication', () => get('/jwt/qps/user', ['Authorization: Basic YWRtaW46YWRtaW4=']), 401],
  ['an empty Bearer', () => get('/jwt/qps/user', ['Authorization: Bearer ']), 401],
  [
    'a 12 KiB token',
    () => get('/jwt/qps/user', [`Authorization: Bearer ${'A'.repeat(6000)}.${'B'.repeat(6000)}.sig`]),
    401,
  ],
  [
    'an absolute-form target for another host',
    () => ['GET http://evil.example.com/jwt/qps/user HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n'],
    400,
  ],
  ['an asterisk target', () => ['OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], 400],
  ['a bad percent-encoding in the path', () => get('/jwt/qps/user%ZZ%'), 401],
  [
    'a websocket upgrade without a key',
    () => get('/jwt/app/engineData', ['Upgrade: websocket', 'Connection: Upgrade', `Authorization: Bearer ${token()}`]),
    400,
  ],
  [
    'a websocket upgrade on an unknown path',
    () =>
      get('/nowhere/app/x', [
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
      ]),
    404,
  ],
  [
    'a websocket upgrade to a non-engine path',
    () =>
      get('/jwt/qps/user', [
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
      ]),
    404,
  ],
];

describe('robustness: malformed requests over raw sockets', () => {
  for (const [name, pieces, status] of MALFORMED) {
    it(`${name} → ${status}, and the server keeps serving`, async () => {
      const answer = await rawRequest(emulator.port, pieces());
      assert.equal(answer.status, status, answer.text.slice(0, 200));
      const healthy = await fetch(`${emulator.url}/resources/autogenerated/product-info.json`);
      assert.equal(healthy.status, 200);
    });
  }

  it('answers a slow client with 408 after the headers timeout while serving others', async () => {
    const started = Date.now();
    const slow = rawRequest(
      emulator.port,
      [
        'GET /jwt/qps/user HTTP/1.1\r\n',
        'Host: x\r\n',
        'X-A: 1\r\n',
        'X-B: 2\r\n',
        'X-C: 3\r\n',
        'X-D: 4\r\n',
        'X-E: 5\r\n',
      ],
      { pauseMs: 200, waitMs: 4000 },
    );
    const meanwhile = await fetch(`${emulator.url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token()}` } });
    assert.equal(meanwhile.status, 200);
    const answer = await slow;
    assert.equal(answer.status, 408);
    assert.ok(answer.closed);
    assert.ok(Date.now() - started < 3500, 'closed by the timeout, not by the test');
  });

  it('closes a websocket that sends garbage frames and keeps serving', async () => {
    const cookie = cookieHeader(
      await fetch(`${emulator.url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token()}` } }),
    );
    const ws = new WebSocket(`${emulator.url.replace(/^http/, 'ws')}/jwt/app/engineData`, { headers: { cookie } });
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.send('{"broken json');
    const answer = await new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    assert.equal((JSON.parse(answer) as { error: { code: number } }).error.code, -32700);
    // A frame above maxPayload (64 KiB) makes the server close the socket.
    ws.send('x'.repeat(70 * 1024));
    await closed;
    assert.equal((await fetch(`${emulator.url}/resources/autogenerated/product-info.json`)).status, 200);
  });

  it('closes an engine websocket whose client stays quiet (1001), keeps one that talks, and caps how many are open', async () => {
    const small = await startTestEmulator({
      virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'x', apps: [{ id: 'app-1', name: 'Sales' }] }],
      limits: { websocketIdleTimeoutMs: 400, maxWebsockets: 2 },
    });
    try {
      const cookie = cookieHeader(
        await fetch(`${small.url}/jwt/qps/user`, { headers: { authorization: `Bearer ${token()}` } }),
      );
      const engineUrl = `${small.url.replace(/^http/, 'ws')}/jwt/app/engineData`;
      const open = async (): Promise<{ ws: WebSocket; closed: Promise<number> }> => {
        const ws = new WebSocket(engineUrl, { headers: { cookie } });
        const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
        await new Promise((resolve, reject) => {
          ws.once('message', resolve);
          ws.once('error', reject);
        });
        return { ws, closed };
      };
      const quiet = await open();
      const talking = await open();
      // A third is refused while two are open.
      const refused = await new Promise<number>((resolve) => {
        const ws = new WebSocket(engineUrl, { headers: { cookie } });
        ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.on('error', () => undefined);
      });
      assert.equal(refused, 503);
      const started = Date.now();
      const chatter = setInterval(
        () =>
          talking.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, handle: -1, method: 'EngineVersion', params: {} })),
        150,
      );
      try {
        assert.equal(await quiet.closed, 1001);
        assert.ok(Date.now() - started >= 300, 'not closed before the idle timeout');
        await new Promise((resolve) => setTimeout(resolve, 600));
        assert.equal(talking.ws.readyState, WebSocket.OPEN, 'a socket that sends messages stays open');
      } finally {
        clearInterval(chatter);
        talking.ws.close();
      }
      await talking.closed;
      // With the quiet one closed by the timeout and the other by its client, a new one is accepted again.
      const again = await open();
      again.ws.close();
      await again.closed;
    } finally {
      await small.close();
    }
  });

  it('keeps at most maxSessions sessions, evicting the oldest', async () => {
    const small = await startTestEmulator({
      virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'x' }],
      limits: { maxSessions: 2 },
    });
    try {
      const cookies: string[] = [];
      for (const userId of ['u1', 'u2', 'u3'])
        cookies.push(
          cookieHeader(
            await fetch(`${small.url}/jwt/qps/user`, {
              headers: { authorization: `Bearer ${qseowToken({ userId })}` },
            }),
          ),
        );
      assert.equal(small.virtualProxies[0]?.sessions.sessions.size, 2);
      assert.equal((await fetch(`${small.url}/jwt/qps/user`, { headers: { cookie: cookies[0] ?? '' } })).status, 401);
      assert.equal((await fetch(`${small.url}/jwt/qps/user`, { headers: { cookie: cookies[2] ?? '' } })).status, 200);
    } finally {
      await small.close();
    }
  });

  it('closes open connections and websockets on close()', async () => {
    const closing = await startTestEmulator({ virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'x' }] });
    const ws = new WebSocket(`${closing.url.replace(/^http/, 'ws')}/jwt/app/engineData`, {
      headers: { authorization: `Bearer ${token()}` },
    });
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    const wsClosed = new Promise((resolve) => ws.once('close', resolve));
    const idle = rawRequest(closing.port, ['GET /jwt/qps/user HTTP/1.1\r\nHost: x\r\n\r\n'], { waitMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closing.close();
    await wsClosed;
    assert.ok((await idle).closed);
    await assert.rejects(fetch(`${closing.url}/jwt/qps/user`));
  });
});
