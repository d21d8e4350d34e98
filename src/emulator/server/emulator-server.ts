import type { KeyObject } from 'node:crypto';
import {
  createServer as createHttpServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { formatAuthLog, type AuthLogEntry } from '../auth-log.js';
import {
  createCloudTenant,
  decideCloudApi,
  decideCloudLogin,
  decideCloudUpgrade,
  type CloudTenant,
} from '../cloud-tenant.js';
import type { EmulatedApp, EmulatorConfig } from '../emulator-config.js';
import {
  createEngineSession,
  handleEngineMessage,
  onAuthenticationInformationNotification,
  onConnectedNotification,
} from '../engine-rpc.js';
import { jsonResponse, textResponse, type RequestFacts, type ResponseDescription } from '../http-response.js';
import { parseRequestTarget, type RequestTarget } from '../request-target.js';
import { createVirtualProxy, decideQseowUpgrade, type VirtualProxy } from '../qseow-proxy.js';
import { authenticatedUserText, describeUser, type QseowUser } from '../qseow-identity.js';
import { decideQseowRequest, pathBelowPrefix, PRODUCT_INFO, PRODUCT_INFO_PATH } from '../qseow-routes.js';
import { reasonHeader, type Refusal } from '../refusal-codes.js';
import { forwardToUpstream } from './upstream-forward.js';
import { createQrsRepository, type QrsRepository } from '../qrs-repository.js';
import { decideQrsRequest, qrsCallerFromHeaders } from '../qrs-routes.js';
import { isUsableCertificate, servedProxies, UNLINKED_TEXT, type ServedProxies } from '../qrs-served-proxies.js';
import { hostForUrl, listen, trackConnections } from '../../net/server-listening.js';
import { batchedLog } from '../../net/batched-log.js';

/**
 * The HTTP(S) and websocket adapter: node:http/node:https and `ws`, no framework. Every decision is
 * made by src/emulator (pure decisions); this file reads requests (bounded), writes the decided responses, logs
 * each authentication decision as one JSON line, and shuts down cleanly.
 */

export interface EmulatorServerOptions {
  config: EmulatorConfig;
  /** Public keys of config.virtualProxies, in the same order. */
  virtualProxyKeys: readonly KeyObject[];
  tenantKey?: KeyObject | undefined;
  /** PEM certificate and private key: serve HTTPS. */
  tls?: { cert: string; key: string } | undefined;
  /**
   * Serve the QRS API on config.qrs.port over mutual TLS: `ca` verifies client certificates.
   * `certificates` are the PEMs of config.virtualProxies (same order), stored in the repository.
   */
  qrs?: { tls: { cert: string; key: string; ca: string }; certificates: readonly string[] } | undefined;
  /** The tenant's API key and the PEM of its start-up identity provider, as the IdP API shows it. */
  tenantApiKey?: string | undefined;
  tenantPem?: string | undefined;
  /** Where the JSON log lines go; default standard error. */
  log?: ((line: string) => void) | undefined;
  /** Milliseconds since the epoch; default Date.now. Tests move it to expire sessions. */
  clock?: (() => number) | undefined;
  /** Sees every request and upgrade as it arrives: tests record what a proxy in front forwarded. */
  observeRequest?: ((request: IncomingMessage) => void) | undefined;
}

export interface RunningEmulator {
  url: string;
  port: number;
  /** The QRS API's base URL (https://host:port), when it is served. */
  qrsUrl: string | undefined;
  qrs: QrsRepository | undefined;
  virtualProxies: readonly VirtualProxy[];
  tenant: CloudTenant | undefined;
  /** Stops accepting, closes every connection and websocket; resolves when the server is closed. */
  close: () => Promise<void>;
}

function writeResponse(response: ServerResponse, described: ResponseDescription): void {
  if (response.headersSent || response.destroyed) return;
  // A known length avoids chunked encoding, and a string body lets node join it to the head (a Buffer
  // body is queued as a second buffer).
  const length =
    described.status === 204 || described.status === 304 ? {} : { 'content-length': Buffer.byteLength(described.body) };
  response.writeHead(described.status, { 'cache-control': 'no-store', ...length, ...described.headers });
  response.end(described.body);
}

const EMPTY_BODY = Buffer.alloc(0);

/** Most requests (GET, the Bearer login) carry no body: they are answered without waiting for the stream's end. */
function hasNoBody(request: IncomingMessage): boolean {
  const declared = request.headers['content-length'];
  return (declared === undefined || declared === '0') && request.headers['transfer-encoding'] === undefined;
}

/** The request body, at most `limit` bytes; `too-large` as soon as it is exceeded. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** A raw HTTP answer on a socket that never became a websocket. */
function refuseUpgrade(socket: Duplex, status: number, reason?: Refusal): void {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, 'Connection: close', 'Content-Length: 0'];
  if (reason) lines.push(`X-Qs-Jwt-Reason: ${reasonHeader(reason)}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n`);
  socket.destroy();
}

export async function startEmulator(options: EmulatorServerOptions): Promise<RunningEmulator> {
  const { config } = options;
  const { limits } = config;
  // ws loads only here: no other command pays for it.
  const { WebSocketServer: WebSocketServerClass } = await import('ws');
  const clock = options.clock ?? Date.now;
  const stderrLog = options.log ? undefined : batchedLog((text) => process.stderr.write(text));
  const log = options.log ?? stderrLog?.log ?? ((): void => undefined);
  const secure = options.tls !== undefined;
  const virtualProxies = config.virtualProxies.map((proxyConfig, index) => {
    const key = options.virtualProxyKeys[index];
    if (!key) throw new Error(`no public key for the virtual proxy /${proxyConfig.prefix}`);
    return createVirtualProxy(proxyConfig, key, secure, limits.maxSessions, limits.maxVerifiedTokens);
  });
  let tenant: CloudTenant | undefined;
  if (config.tenant) {
    if (!options.tenantKey && config.tenant.issuer !== undefined) throw new Error('no public key for the tenant');
    tenant = createCloudTenant(config.tenant, options.tenantKey, secure, limits.maxSessions, limits.maxRememberedJtis, {
      apiKey: options.tenantApiKey,
      pem: options.tenantPem,
      now: clock(),
    });
  }
  // With QRS, the repository decides which virtual proxies serve: those given at start are seeded
  // into it (linked), and QRS writes change them while the emulator runs.
  const repository =
    config.qrs && options.qrs
      ? createQrsRepository(
          config.host === '127.0.0.1' || config.host === '::1' ? 'localhost' : config.host,
          config.virtualProxies.map((proxy, index) => ({
            prefix: proxy.prefix,
            jwtPublicKeyCertificate: options.qrs?.certificates[index] ?? '',
            jwtAttributeUserId: proxy.jwtAttributeUserId,
            jwtAttributeUserDirectory: proxy.jwtAttributeUserDirectory,
            jwtAudience: proxy.jwtAudience,
            jwtAttributeMap: proxy.jwtAttributeMap,
            sessionCookieHeaderName: proxy.sessionCookieHeaderName,
            sessionInactivityTimeout: proxy.sessionInactivityTimeout,
            websocketCrossOriginWhiteList: proxy.websocketCrossOriginWhiteList,
          })),
          clock(),
        )
      : undefined;
  const serveSettings = {
    secure,
    maxSessions: limits.maxSessions,
    maxVerifiedTokens: limits.maxVerifiedTokens,
    extras: new Map(config.virtualProxies.map((proxy) => [proxy.prefix, proxy])),
  };
  let served: ServedProxies | undefined;
  const currentProxies = (): readonly VirtualProxy[] => {
    if (!repository) return virtualProxies;
    served = servedProxies(repository, served, serveSettings);
    return served.proxies;
  };
  /** A JWT virtual proxy of the repository that exists at this path but cannot serve (not linked, unusable). */
  const refusedPrefix = (path: string): { prefix: string; reason: Refusal } | undefined => {
    if (!served) return undefined;
    for (const [prefix, reason] of served.refused)
      if (pathBelowPrefix(prefix, path) !== undefined) return { prefix, reason };
    return undefined;
  };
  /** The QRS answer for a JWT user who reached /<prefix>/qrs/… (the route through a virtual proxy, P1). */
  const qrsThroughProxy = repository
    ? (facts: RequestFacts, below: string, body: Buffer, user: string): ResponseDescription =>
        decideQrsRequest(repository, facts, below, body, { isCertificate: isUsableCertificate, user })
    : undefined;
  const logDecision = (entry: AuthLogEntry | undefined): void => {
    if (entry) log(formatAuthLog(entry, clock()));
  };

  const facts = (request: IncomingMessage, url: RequestTarget): RequestFacts => ({
    method: request.method ?? 'GET',
    path: url.pathname,
    query: url.query,
    headers: request.headers,
    secure,
    now: clock(),
  });

  /** Answers one request; synchronous unless it has a body to read first. */
  function handle(request: IncomingMessage, response: ServerResponse): void {
    options.observeRequest?.(request);
    const url = parseRequestTarget(request.url);
    if (!url) {
      writeResponse(response, textResponse(400, 'Bad Request: the request target is not an absolute path'));
      return;
    }
    if (hasNoBody(request)) {
      request.resume();
      route(request, response, url, EMPTY_BODY);
      return;
    }
    readBody(request, limits.maxBodyBytes)
      .then((body) => {
        if (body !== 'too-large') {
          route(request, response, url, body);
          return;
        }
        response.setHeader('connection', 'close');
        writeResponse(
          response,
          textResponse(413, `Payload Too Large: bodies are limited to ${limits.maxBodyBytes} bytes`),
        );
        response.on('finish', () => request.socket.destroy());
      })
      .catch((error: unknown) => fail(response, error));
  }

  function route(request: IncomingMessage, response: ServerResponse, url: RequestTarget, body: Buffer): void {
    const requestFacts = facts(request, url);
    const proxies = currentProxies();
    const lowerPath = url.pathname.toLowerCase();
    if (lowerPath === PRODUCT_INFO_PATH && virtualProxies.length > 0) {
      writeResponse(response, jsonResponse(200, PRODUCT_INFO));
      return;
    }
    if (tenant) {
      if (lowerPath === '/login/jwt-session') {
        const decision = decideCloudLogin(tenant, requestFacts);
        logDecision(decision.log);
        writeResponse(response, decision.response);
        return;
      }
      if (lowerPath === '/api' || lowerPath.startsWith('/api/')) {
        const decision = decideCloudApi(tenant, requestFacts, body);
        logDecision(decision.log);
        writeResponse(response, decision.response);
        return;
      }
    }
    for (const proxy of proxies) {
      const below = pathBelowPrefix(proxy.config.prefix, url.pathname);
      if (below === undefined) continue;
      const qrs =
        qrsThroughProxy && ((user: QseowUser) => qrsThroughProxy(requestFacts, below, body, describeUser(user)));
      const decision = decideQseowRequest(proxy, requestFacts, below, qrs);
      logDecision(decision.log);
      if (decision.kind === 'respond') {
        writeResponse(response, decision.response);
      } else {
        forwardToUpstream(request, response, {
          upstream: proxy.config.upstream ?? '',
          pathAndQuery: `${decision.path}${url.search}`,
          method: requestFacts.method,
          body,
          user: decision.user,
          setCookies: decision.setCookies,
          timeoutMs: limits.requestTimeoutMs,
        });
      }
      return;
    }
    const refusedHere = refusedPrefix(url.pathname);
    if (refusedHere) {
      const unlinked = refusedHere.reason.code === 'EMU010';
      logDecision({
        event: 'auth',
        target: `qseow:/${refusedHere.prefix}`,
        outcome: 'rejected',
        via: 'none',
        code: refusedHere.reason.code,
        reason: refusedHere.reason.message,
        user: undefined,
        method: requestFacts.method,
        path: url.pathname,
      });
      writeResponse(
        response,
        textResponse(
          unlinked ? 400 : 401,
          unlinked ? UNLINKED_TEXT : 'Could not authenticate the request: the virtual proxy is not configured for JWT.',
          { 'x-qs-jwt-reason': reasonHeader(refusedHere.reason) },
        ),
      );
      return;
    }
    writeResponse(response, textResponse(404, 'Not Found'));
  }

  const serverOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    requestTimeout: limits.requestTimeoutMs,
    // node refuses a headers timeout longer than the request timeout.
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often node checks the two timeouts above; its default (30 s) would let a slow client linger.
    connectionsCheckingInterval: Math.max(
      50,
      Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
    ),
  };
  function fail(response: ServerResponse, error: unknown): void {
    log(
      `${JSON.stringify({ time: new Date(clock()).toISOString(), event: 'error', message: (error as Error).message })}\n`,
    );
    if (!response.headersSent) writeResponse(response, textResponse(500, 'Internal Server Error'));
    else response.destroy();
  }
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    try {
      handle(request, response);
    } catch (error) {
      fail(response, error);
    }
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, listener)
    : createHttpServer(serverOptions, listener);

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });

  const sockets = new Set<WebSocket>();
  const websockets: WebSocketServer = new WebSocketServerClass({ noServer: true, maxPayload: limits.maxBodyBytes });
  /** `greeting`: notifications sent before OnConnected (QSEoW's OnAuthenticationInformation). */
  const connectEngine = (
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    authenticatedUser: string,
    apps: readonly EmulatedApp[],
    greeting: readonly string[] = [],
  ): void => {
    if (sockets.size >= limits.maxWebsockets) {
      refuseUpgrade(socket, 503);
      return;
    }
    websockets.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      const engine = createEngineSession(authenticatedUser, apps);
      // A client gone quiet (a crashed test, a sleeping laptop) must not hold its socket forever.
      const idle =
        limits.websocketIdleTimeoutMs > 0
          ? setTimeout(() => ws.close(1001, 'idle timeout'), limits.websocketIdleTimeoutMs).unref()
          : undefined;
      ws.on('close', () => {
        clearTimeout(idle);
        sockets.delete(ws);
      });
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => {
        idle?.refresh();
        if (isBinary) return;
        const text = Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.from(data as ArrayBuffer).toString('utf8');
        for (const answer of handleEngineMessage(engine, text)) ws.send(answer);
      });
      for (const notification of greeting) ws.send(notification);
      ws.send(onConnectedNotification());
    });
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    options.observeRequest?.(request);
    socket.on('error', () => socket.destroy());
    const url = parseRequestTarget(request.url);
    if (!url || (request.headers['upgrade'] ?? '').toLowerCase() !== 'websocket') {
      refuseUpgrade(socket, 400);
      return;
    }
    const requestFacts = facts(request, url);
    for (const proxy of currentProxies()) {
      const below = pathBelowPrefix(proxy.config.prefix, url.pathname);
      if (below === undefined) continue;
      if (!/^\/app\/[^/]+\/?$/i.test(below)) break;
      const decision = decideQseowUpgrade(proxy, requestFacts);
      logDecision(decision.log);
      if (!decision.accept) refuseUpgrade(socket, decision.status, decision.refusal);
      else
        connectEngine(request, socket, head, authenticatedUserText(decision.user), proxy.config.apps, [
          onAuthenticationInformationNotification(decision.user),
        ]);
      return;
    }
    if (tenant && /^\/app\/[^/]+\/?$/i.test(url.pathname)) {
      const decision = decideCloudUpgrade(tenant, requestFacts);
      logDecision(decision.log);
      if (!decision.accept) refuseUpgrade(socket, decision.status, decision.refusal);
      else connectEngine(request, socket, head, `UserDirectory=QLIK; UserId=${decision.user.id}`, tenant.config.apps);
      return;
    }
    refuseUpgrade(socket, 404);
  });

  const connections = trackConnections(server);
  const port = await listen(server, config.port, config.host);
  const qrsServer =
    repository && options.qrs && config.qrs
      ? await startQrsServer(repository, options.qrs.tls, config.host, config.qrs.port, serverOptions, clock)
      : undefined;
  let closing: Promise<void> | undefined;
  return {
    url: `${secure ? 'https' : 'http'}://${hostForUrl(config.host)}:${port}`,
    port,
    qrsUrl: qrsServer?.url,
    qrs: repository,
    virtualProxies,
    tenant,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        const closed = [new Promise<void>((done) => server.close(() => done()))];
        if (qrsServer) closed.push(qrsServer.close());
        Promise.all(closed).then(
          () => {
            stderrLog?.flush();
            resolve();
          },
          () => resolve(),
        );
        for (const ws of sockets) ws.terminate();
        websockets.close();
        server.closeAllConnections();
        // Upgraded sockets left node:http's bookkeeping; destroy whatever is still open.
        for (const socket of connections) socket.destroy();
      });
      return closing;
    },
  };
}

/**
 * The QRS API on its own HTTPS port with mutual TLS, as Qlik's 4242: a client without a certificate
 * issued by the site's root CA does not get past the TLS handshake.
 */
async function startQrsServer(
  repository: QrsRepository,
  tls: { cert: string; key: string; ca: string },
  host: string,
  port: number,
  serverOptions: Record<string, unknown>,
  clock: () => number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const maxBody = 1024 * 1024;
  const server = createHttpsServer(
    { ...serverOptions, cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: true },
    (request, response) => {
      const url = parseRequestTarget(request.url);
      const answer = (described: ResponseDescription): void => writeResponse(response, described);
      if (!url) {
        answer(textResponse(400, 'Bad Request: the request target is not an absolute path'));
        return;
      }
      readBody(request, maxBody)
        .then((body) => {
          if (body === 'too-large') {
            answer(textResponse(413, 'Payload Too Large'));
            return;
          }
          const lower = url.pathname.toLowerCase();
          if (lower !== '/qrs' && !lower.startsWith('/qrs/')) {
            answer(textResponse(404, 'Not Found'));
            return;
          }
          const requestFacts: RequestFacts = {
            method: request.method ?? 'GET',
            path: url.pathname,
            query: url.query,
            headers: request.headers,
            secure: true,
            now: clock(),
          };
          answer(
            decideQrsRequest(repository, requestFacts, url.pathname, body, {
              isCertificate: isUsableCertificate,
              user: qrsCallerFromHeaders(requestFacts),
            }),
          );
        })
        .catch(() => {
          if (!response.headersSent) answer(textResponse(500, 'Internal Server Error'));
        });
    },
  );
  server.on('tlsClientError', (_error: Error, socket: Socket) => socket.destroy());
  const actual = await listen(server, port, host);
  return {
    url: `https://${hostForUrl(host)}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
