import {
  Agent as HttpAgent,
  request as httpRequest,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * Forwarding to Qlik with node:http alone: headers rewritten (hop-by-hop removed, Authorization set or
 * removed, X-Forwarded-* added), bodies streamed both ways, websockets spliced after the upstream's
 * 101. A proxy library (http-proxy, unmaintained since 2020) would add options this needs none of.
 */

/** RFC 9110 §7.6.1 hop-by-hop headers, plus the proxy-only ones; never forwarded either way. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface Upstream {
  url: URL;
  agent: HttpAgent;
  timeoutMs: number;
}

export function createUpstream(
  url: URL,
  options: { ca?: string | undefined; timeoutMs: number; maxSockets: number },
): Upstream {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: 64 };
  const agent =
    url.protocol === 'https:'
      ? new HttpsAgent({ ...agentOptions, ...(options.ca ? { ca: options.ca } : {}) })
      : new HttpAgent(agentOptions);
  return { url, agent, timeoutMs: options.timeoutMs };
}

/** Names listed in a Connection header are hop-by-hop for that message too. */
function connectionListed(headers: IncomingHttpHeaders): Set<string> {
  const value = headers['connection'];
  return new Set(
    (value ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

export interface ForwardFacts {
  /** What replaces the client's Authorization header; undefined removes it. */
  authorization: string | undefined;
  clientAddress: string | undefined;
  secure: boolean;
}

/** The headers Qlik gets: the client's without hop-by-hop ones, with the bridge's Authorization and X-Forwarded-*. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, facts: ForwardFacts): OutgoingHttpHeaders {
  const listed = connectionListed(incoming);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    if (name === 'authorization' || name.startsWith('x-forwarded-')) continue;
    headers[name] = value;
  }
  if (facts.authorization !== undefined) headers['authorization'] = facts.authorization;
  // The bridge is the first proxy a client's X-Forwarded-* could be trusted from: earlier values are
  // dropped above, except X-Forwarded-For, which a load balancer in front appends to.
  const priorFor = incoming['x-forwarded-for'];
  const client = facts.clientAddress ?? 'unknown';
  const prior = Array.isArray(priorFor) ? priorFor.join(', ') : priorFor;
  headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  headers['x-forwarded-proto'] = facts.secure ? 'https' : 'http';
  if (incoming.host !== undefined) headers['x-forwarded-host'] = incoming.host;
  return headers;
}

function responseHeaders(answer: IncomingMessage): OutgoingHttpHeaders {
  const listed = connectionListed(answer.headers);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !listed.has(name)) headers[name] = value;
  }
  return headers;
}

interface Target {
  protocol: string;
  hostname: string;
  port: string;
  path: string;
}

function target(upstream: Upstream, pathAndQuery: string): Target {
  const { url } = upstream;
  return { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: pathAndQuery };
}

function send(upstream: Upstream): typeof httpRequest {
  return upstream.url.protocol === 'https:' ? httpsRequest : httpRequest;
}

export interface ForwardResult {
  status: number;
  /** Set when the upstream could not be reached or failed mid-answer. */
  error?: string | undefined;
}

/** Streams one request to the upstream and its answer back; 502 with a JSON body when unreachable. */
export function forwardRequest(
  request: IncomingMessage,
  response: ServerResponse,
  upstream: Upstream,
  pathAndQuery: string,
  facts: ForwardFacts,
  done: (result: ForwardResult) => void,
): void {
  const outgoing = send(upstream)({
    ...target(upstream, pathAndQuery),
    method: request.method,
    headers: upstreamRequestHeaders(request.headers, facts),
    agent: upstream.agent,
    timeout: upstream.timeoutMs,
  });
  outgoing.on('response', (answer) => {
    const status = answer.statusCode ?? 502;
    response.writeHead(status, responseHeaders(answer));
    answer.pipe(response);
    answer.on('error', () => response.destroy());
    answer.on('end', () => done({ status }));
  });
  outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${upstream.timeoutMs} ms`)));
  outgoing.on('error', (error) => {
    if (response.headersSent) {
      response.destroy();
      done({ status: response.statusCode, error: error.message });
      return;
    }
    const message =
      `the upstream ${upstream.url.origin} did not answer (${error.message}); ` +
      'the bridge retries with the next request';
    const body = JSON.stringify({ error: 'bad_gateway', message });
    response.writeHead(502, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    done({ status: 502, error: error.message });
  });
  // A client that goes away mid-request must not leave the upstream request hanging.
  response.on('close', () => {
    if (!response.writableFinished) outgoing.destroy();
  });
  // Most requests (GET, the websocket-less API calls) have no body: end at once, so the head goes out
  // in one write instead of waiting for the client stream's end event.
  if (hasNoBody(request)) {
    request.resume();
    outgoing.end();
  } else {
    request.pipe(outgoing);
  }
}

function hasNoBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined;
}

/** A raw HTTP answer on a socket that did not become a websocket. */
export function answerOnSocket(socket: Duplex, status: number, headers: Record<string, string>, body: string): void {
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

function rawHead(status: number, message: string | undefined, rawHeaders: readonly string[]): string {
  const lines = [`HTTP/1.1 ${status} ${message ?? STATUS_CODES[status] ?? ''}`];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    lines.push(`${rawHeaders[index]}: ${rawHeaders[index + 1]}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Forwards a websocket upgrade: the upstream decides (Qlik's own CSRF and Origin checks see the
 * client's cookie, query and Origin unchanged); on 101 the two sockets are spliced, anything else is
 * relayed as it is and the client socket closed.
 */
export function forwardUpgrade(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  upstream: Upstream,
  pathAndQuery: string,
  facts: ForwardFacts,
  done: (result: ForwardResult & { upgraded?: Duplex }) => void,
): void {
  const headers = upstreamRequestHeaders(request.headers, facts);
  headers['connection'] = 'Upgrade';
  headers['upgrade'] = request.headers.upgrade ?? 'websocket';
  const outgoing = send(upstream)({
    ...target(upstream, pathAndQuery),
    method: request.method,
    headers,
    agent: false,
    timeout: upstream.timeoutMs,
  });
  outgoing.on('upgrade', (answer, upstreamSocket, upstreamHead) => {
    // The client may have gone while Qlik answered: nothing to splice.
    if (socket.destroyed) {
      upstreamSocket.destroy();
      done({ status: 499, error: 'the client closed the connection before the upgrade' });
      return;
    }
    outgoing.setTimeout(0);
    upstreamSocket.setTimeout(0);
    socket.write(rawHead(101, answer.statusMessage, answer.rawHeaders));
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    const close = (): void => {
      socket.destroy();
      upstreamSocket.destroy();
    };
    upstreamSocket.on('error', close).on('close', close);
    socket.on('error', close).on('close', close);
    upstreamSocket.pipe(socket).pipe(upstreamSocket);
    done({ status: 101, upgraded: socket });
  });
  outgoing.on('response', (answer) => {
    const status = answer.statusCode ?? 502;
    const chunks: Buffer[] = [];
    let size = 0;
    answer.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 65_536) chunks.push(chunk);
    });
    answer.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const relayed: Record<string, string> = {};
      for (const [name, value] of Object.entries(responseHeaders(answer))) {
        if (name === 'content-length' || value === undefined) continue;
        relayed[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      answerOnSocket(socket, status, relayed, body);
      done({ status });
    });
  });
  outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${upstream.timeoutMs} ms`)));
  outgoing.on('error', (error) => {
    const message = `the upstream ${upstream.url.origin} did not answer (${error.message})`;
    const body = JSON.stringify({ error: 'bad_gateway', message });
    answerOnSocket(socket, 502, { 'content-type': 'application/json; charset=utf-8' }, body);
    done({ status: 502, error: error.message });
  });
  outgoing.end();
}
