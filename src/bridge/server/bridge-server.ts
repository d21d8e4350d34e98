import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { BridgeAuthenticator, BearerOutcome } from '../bridge-auth.js';
import {
  corsHeaders,
  credentialOf,
  jsonAnswer,
  refusedAnswer,
  routeRequest,
  tokenAnswer,
  type Answer,
  type Credential,
} from '../bridge-routes.js';
import { refusal } from '../refusal-reasons.js';
import { parseRequestTarget } from '../../emulator/request-target.js';
import type { JwksSource } from './jwks-source.js';
import { answerOnSocket, createUpstream, forwardRequest, forwardUpgrade, type ForwardFacts } from './upstream-proxy.js';
import { hostForUrl, listen, trackConnections } from '../../net/server-listening.js';
import { batchedLog } from '../../net/batched-log.js';

/**
 * The bridge's sockets: node:http(s), one listener for requests and one for websocket upgrades. Every
 * decision comes from src/bridge (routes, refusals, the authenticator); this file reads requests,
 * forwards them, writes one JSON access-log line per request and shuts down gracefully.
 */

export interface BridgeLimits {
  /** Whole request (headers and body) from the client. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Waiting for the upstream's answer (headers). */
  upstreamTimeoutMs: number;
  maxHeaderBytes: number;
  maxUpstreamSockets: number;
  /** SIGTERM: how long in-flight requests may take before their connections are closed. */
  shutdownGraceMs: number;
}

export const DEFAULT_BRIDGE_LIMITS: BridgeLimits = {
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  upstreamTimeoutMs: 30_000,
  maxHeaderBytes: 16_384,
  maxUpstreamSockets: 256,
  shutdownGraceMs: 10_000,
};

export interface BridgeServerOptions {
  prefix: string;
  upstream: URL;
  upstreamCa?: string | undefined;
  host: string;
  port: number;
  tls?: { cert: string; key: string } | undefined;
  allowOrigins: readonly string[];
  /** Name of Qlik's session cookie; default: any cookie named X-Qlik-Session…. */
  sessionCookie?: string | undefined;
  authenticator: BridgeAuthenticator;
  jwks: JwksSource;
  limits?: Partial<BridgeLimits> | undefined;
  /** One JSON line per request; default standard error. */
  log?: ((line: string) => void) | undefined;
}

export interface RunningBridge {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish within the grace period, then closes the rest. */
  close: () => Promise<void>;
}

interface AccessEntry {
  method: string;
  path: string;
  status: number;
  user?: string | undefined;
  via: string;
  reason?: string | undefined;
  error?: string | undefined;
}

function writeAnswer(response: ServerResponse, answer: Answer): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Whether a TCP connection to the upstream opens within the timeout: what /readyz needs to know. */
function upstreamReachable(url: URL, timeoutMs: number): Promise<boolean> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export async function startBridge(options: BridgeServerOptions): Promise<RunningBridge> {
  const limits: BridgeLimits = { ...DEFAULT_BRIDGE_LIMITS, ...options.limits };
  const secure = options.tls !== undefined;
  const stderrLog = options.log ? undefined : batchedLog((text) => process.stderr.write(text));
  const log = options.log ?? stderrLog?.log ?? ((): void => undefined);
  const upstream = createUpstream(options.upstream, {
    ca: options.upstreamCa,
    timeoutMs: limits.upstreamTimeoutMs,
    maxSockets: limits.maxUpstreamSockets,
  });
  const accessLog = (started: number, entry: AccessEntry): void => {
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    log(`${JSON.stringify({ time: new Date().toISOString(), ...entry, durationMs })}\n`);
  };
  const forwardFacts = (request: IncomingMessage, authorization: string | undefined): ForwardFacts => ({
    authorization,
    clientAddress: request.socket.remoteAddress,
    secure,
  });

  const credentialFrom = (request: IncomingMessage): Credential =>
    credentialOf(
      firstHeader(request.headers.authorization),
      firstHeader(request.headers.cookie),
      options.sessionCookie,
    );

  /** Bearer → the QSEoW token; cookie → passed on; nothing → refused. */
  const authorize = async (credential: Credential): Promise<BearerOutcome | { ok: true; via: 'cookie' }> => {
    if (credential.kind === 'cookie') return { ok: true, via: 'cookie' };
    if (credential.kind === 'none') {
      const how = 'send Authorization: Bearer <access token from your identity provider>, or the Qlik session cookie';
      return { ok: false, status: 401, refusal: refusal('no_token', how) };
    }
    if (credential.kind === 'malformed') {
      const reason = refusal('malformed', 'the Authorization header is not "Bearer <token>"');
      return { ok: false, status: 401, refusal: reason };
    }
    return options.authenticator.authenticate(credential.token, Math.floor(Date.now() / 1000), true);
  };

  async function handle(request: IncomingMessage, response: ServerResponse, started: number): Promise<void> {
    const method = request.method ?? 'GET';
    const target = parseRequestTarget(request.url);
    if (!target) {
      const message = 'the request target is not an absolute path';
      writeAnswer(response, jsonAnswer(400, { error: 'bad_request', message }));
      accessLog(started, { method, path: '-', status: 400, via: 'none' });
      return;
    }
    const path = target.pathname;
    const route = routeRequest(options.prefix, path);
    if (route.kind === 'healthz') {
      writeAnswer(response, jsonAnswer(200, { status: 'ok' }));
      accessLog(started, { method, path, status: 200, via: 'none' });
      return;
    }
    if (route.kind === 'readyz') {
      await options.jwks.ensureLoaded();
      const keys = options.jwks.health();
      const reachable = await upstreamReachable(options.upstream, Math.min(2000, limits.upstreamTimeoutMs));
      const ready = keys !== 'missing' && reachable;
      writeAnswer(
        response,
        jsonAnswer(ready ? 200 : 503, {
          ready,
          jwks: keys,
          upstream: reachable ? 'reachable' : 'unreachable',
          ...(options.jwks.lastError() ? { jwksError: options.jwks.lastError() } : {}),
        }),
      );
      accessLog(started, { method, path, status: ready ? 200 : 503, via: 'none' });
      return;
    }
    if (route.kind === 'not-found') {
      request.resume();
      const message = `the bridge serves /${options.prefix}/…, /healthz and /readyz`;
      writeAnswer(response, jsonAnswer(404, { error: 'not_found', message }));
      accessLog(started, { method, path, status: 404, via: 'none' });
      return;
    }
    if (route.kind === 'token') {
      request.resume();
      const answer = await tokenEndpoint(request, method);
      writeAnswer(response, answer.answer);
      const { status } = answer.answer;
      accessLog(started, { method, path, status, user: answer.user, via: 'token', reason: answer.reason });
      return;
    }
    const credential = credentialFrom(request);
    const outcome = await authorize(credential);
    if (!outcome.ok) {
      request.resume();
      writeAnswer(response, refusedAnswer(outcome.status, outcome.refusal));
      accessLog(started, { method, path, status: outcome.status, via: credential.kind, reason: outcome.refusal.code });
      return;
    }
    const authorization = 'qlikToken' in outcome ? `Bearer ${outcome.qlikToken}` : undefined;
    const user = 'user' in outcome ? outcome.user : undefined;
    const facts = forwardFacts(request, authorization);
    forwardRequest(request, response, upstream, `${target.pathname}${target.search}`, facts, (result) => {
      accessLog(started, { method, path, status: result.status, user, via: outcome.via, error: result.error });
    });
  }

  async function tokenEndpoint(
    request: IncomingMessage,
    method: string,
  ): Promise<{ answer: Answer; user?: string; reason?: string }> {
    const forbidden = (): Answer =>
      jsonAnswer(403, {
        error: 'forbidden',
        message: 'this origin is not allowed (--allow-origin)',
      });
    const cors = corsHeaders(firstHeader(request.headers.origin), options.allowOrigins);
    if (method === 'OPTIONS') {
      return { answer: cors ? { status: 204, headers: cors, body: '' } : forbidden() };
    }
    if (method !== 'POST') {
      const message = 'POST the access token as Authorization: Bearer';
      return { answer: jsonAnswer(405, { error: 'method_not_allowed', message }, { allow: 'POST, OPTIONS' }) };
    }
    if (request.headers.origin !== undefined && !cors) {
      return { answer: forbidden() };
    }
    const credential = credentialOf(firstHeader(request.headers.authorization), undefined, undefined);
    const outcome =
      credential.kind === 'bearer'
        ? await options.authenticator.authenticate(credential.token, Math.floor(Date.now() / 1000), false)
        : ((await authorize(credential.kind === 'cookie' ? { kind: 'none' } : credential)) as BearerOutcome);
    if (!outcome.ok) {
      const refused = refusedAnswer(outcome.status, outcome.refusal);
      return { answer: { ...refused, headers: { ...refused.headers, ...cors } }, reason: outcome.refusal.code };
    }
    return { answer: tokenAnswer(outcome.qlikToken, outcome.expiresAt, cors ?? {}), user: outcome.user };
  }

  const serverOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often node checks the timeouts above; its default (30 s) would let a slow client linger.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
  // In-flight requests are counted, not kept in a set: a set holding each response made V8 promote
  // most of every request's objects to the old generation (2.1 MB per scavenge under load, against
  // 0.3 MB without; docs/performance.md), several times the bridge's garbage-collection cost.
  let inFlight = 0;
  let shuttingDown = false;
  const requestClosed = (): void => {
    inFlight -= 1;
    // Shutting down: the keep-alive connection this request leaves idle closes now, not at the deadline.
    if (shuttingDown) server.closeIdleConnections();
  };
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now();
    inFlight += 1;
    response.once('close', requestClosed);
    // A request that arrives on a kept-alive connection during shutdown is answered, then the connection closes.
    if (shuttingDown) response.setHeader('connection', 'close');
    handle(request, response, started).catch((error: unknown) => {
      log(`${JSON.stringify({ time: new Date().toISOString(), event: 'error', message: (error as Error).message })}\n`);
      const message = 'the bridge failed on this request; see its log';
      writeAnswer(response, jsonAnswer(500, { error: 'internal_error', message }));
    });
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
    answerOnSocket(socket, status, {}, '');
    socket.destroy();
  });

  const websockets = new Set<Duplex>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const started = performance.now();
    socket.on('error', () => socket.destroy());
    const method = request.method ?? 'GET';
    const target = parseRequestTarget(request.url);
    const path = target?.pathname ?? '-';
    const refuse = (status: number, answer: Answer, via: string, reason?: string): void => {
      answerOnSocket(socket, status, answer.headers, answer.body);
      accessLog(started, { method, path, status, via, reason });
    };
    if (!target || routeRequest(options.prefix, target.pathname).kind !== 'proxy') {
      const message = `websockets are proxied under /${options.prefix}/ only`;
      refuse(404, jsonAnswer(404, { error: 'not_found', message }), 'none');
      return;
    }
    const credential = credentialFrom(request);
    authorize(credential)
      .then((outcome) => {
        if (!outcome.ok) {
          refuse(outcome.status, refusedAnswer(outcome.status, outcome.refusal), credential.kind, outcome.refusal.code);
          return;
        }
        const authorization = 'qlikToken' in outcome ? `Bearer ${outcome.qlikToken}` : undefined;
        const user = 'user' in outcome ? outcome.user : undefined;
        const facts = forwardFacts(request, authorization);
        forwardUpgrade(request, socket, head, upstream, `${target.pathname}${target.search}`, facts, (result) => {
          if (result.upgraded) {
            websockets.add(result.upgraded);
            result.upgraded.on('close', () => websockets.delete(result.upgraded as Duplex));
          }
          accessLog(started, { method, path, status: result.status, user, via: outcome.via, error: result.error });
        });
      })
      .catch(() => socket.destroy());
  });

  const connections = trackConnections(server);
  const port = await listen(server, options.port, options.host);
  // Loads the keys now, so the first user does not wait for them (and /readyz can turn ready).
  void options.jwks.ensureLoaded();
  let closing: Promise<void> | undefined;
  return {
    url: `${secure ? 'https' : 'http'}://${hostForUrl(options.host)}:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        const forceClose = (): void => {
          for (const socket of websockets) socket.destroy();
          server.closeAllConnections();
          for (const socket of connections) socket.destroy();
        };
        const deadline = setTimeout(forceClose, limits.shutdownGraceMs);
        server.close(() => {
          clearTimeout(deadline);
          upstream.agent.destroy();
          stderrLog?.flush();
          resolve();
        });
        shuttingDown = true;
        // Idle keep-alive connections close now; busy ones as their requests finish (requestClosed).
        server.closeIdleConnections();
        // Websockets are long-lived by design: they get the grace period, then are closed.
        if (websockets.size === 0 && inFlight === 0) forceClose();
      });
      return closing;
    },
  };
}
