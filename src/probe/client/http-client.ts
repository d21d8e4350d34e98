import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { explainNetworkError } from '../network-errors.js';

/**
 * The probe's HTTP client: node:http/node:https directly, because --ca and --insecure need per-request
 * TLS options that Node's built-in fetch only takes through undici's Agent (not a dependency here).
 * One fresh connection per request (agent: false), so nothing keeps the process alive afterwards, and
 * one deadline per request covering connect, TLS, headers and body.
 */

export interface TlsSettings {
  /** PEM CA certificate(s) to trust instead of the system's. */
  ca?: string | undefined;
  /** Accept any certificate (test servers only; the command warns). */
  insecure: boolean;
  /** A client certificate and its key (PEM), for mutual TLS (QRS on 4242). */
  cert?: string | undefined;
  key?: string | undefined;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** At most MAX_BODY_BYTES of the body, as text. */
  body: string;
}

/** A failure below HTTP, already explained in one line. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

/** Bodies are only shown as excerpts or parsed as small JSON documents. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | undefined>;
  /** A request body (JSON text); its length is sent. */
  body?: string | undefined;
  timeoutMs: number;
  tls: TlsSettings;
}

/** TLS options shared with the websocket client, so both trust the same certificates. */
/** Headers with the unset ones left out, as node:http and ws want them. */
export function definedHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export function tlsOptions(tls: TlsSettings): {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
} {
  return {
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : {}),
    rejectUnauthorized: !tls.insecure,
  };
}

export function send(url: URL, options: RequestOptions): Promise<HttpAnswer> {
  const secure = url.protocol === 'https:';
  const headers = definedHeaders({
    ...options.headers,
    ...(options.body !== undefined
      ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)) }
      : {}),
  });
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const fail = (error: NodeJS.ErrnoException): void =>
      finish(() =>
        reject(
          new NetworkError(explainNetworkError({ code: error.code, message: error.message }, url, options.timeoutMs)),
        ),
      );
    const call = secure
      ? httpsRequest(url, { method: options.method ?? 'GET', headers, agent: false, ...tlsOptions(options.tls) })
      : httpRequest(url, { method: options.method ?? 'GET', headers, agent: false });
    const timer = setTimeout(() => {
      fail(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT_PROBE' }));
      call.destroy();
    }, options.timeoutMs);
    call.on('error', fail);
    call.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size >= MAX_BODY_BYTES) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      response.on('error', fail);
      response.on('end', () =>
        finish(() =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'),
          }),
        ),
      );
    });
    call.end(options.body);
  });
}

/** The first value of a response header. */
export function header(answer: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = answer.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
