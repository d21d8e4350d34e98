import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { qlikSecurityHeader, qlikUserHeader, type QseowUser } from '../qseow-identity.js';

/** Headers that belong to one connection (RFC 9110 §7.6.1) and are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/**
 * The headers the backend sees: the client's, minus hop-by-hop headers, the Authorization header (the
 * proxy consumed the JWT) and every client-sent X-Qlik-* header (a client must never be able to claim
 * to be someone else), plus X-Qlik-User and X-Qlik-Security as Qlik's proxy injects them.
 */
export function upstreamHeaders(
  incoming: IncomingMessage['headers'],
  user: QseowUser,
  bodyLength: number,
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'authorization' || name.startsWith('x-qlik-')) continue;
    headers[name] = value;
  }
  headers['x-qlik-user'] = qlikUserHeader(user);
  headers['x-qlik-security'] = qlikSecurityHeader(user);
  headers['content-length'] = String(bodyLength);
  return headers;
}

export interface ForwardRequest {
  upstream: string;
  /** The path below the virtual proxy prefix (the prefix is stripped, as Qlik's proxy does), with its query. */
  pathAndQuery: string;
  method: string;
  body: Buffer;
  user: QseowUser;
  setCookies: readonly string[];
  timeoutMs: number;
}

/** Forwards one buffered request and streams the answer back; 502 when the backend cannot be reached. */
export function forwardToUpstream(incoming: IncomingMessage, response: ServerResponse, forward: ForwardRequest): void {
  const base = new URL(forward.upstream);
  const target = new URL(`${base.pathname.replace(/\/+$/, '')}${forward.pathAndQuery}`, base);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const outgoing = send(
    target,
    {
      method: forward.method,
      headers: upstreamHeaders(incoming.headers, forward.user, forward.body.length),
      timeout: forward.timeoutMs,
    },
    (answer) => {
      const headers: Record<string, string | string[] | number> = {};
      for (const [name, value] of Object.entries(answer.headers))
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      const fromBackend = answer.headers['set-cookie'] ?? [];
      headers['set-cookie'] = [...fromBackend, ...forward.setCookies];
      response.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(response);
      answer.on('error', () => response.destroy());
    },
  );
  outgoing.on('timeout', () => outgoing.destroy(new Error('upstream timed out')));
  outgoing.on('error', (error) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(`Bad Gateway: the upstream ${base.origin} did not answer (${error.message})`);
  });
  outgoing.end(forward.body);
}
