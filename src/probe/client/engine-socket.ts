import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { explainNetworkError } from '../network-errors.js';
import { definedHeaders, MAX_BODY_BYTES, NetworkError, tlsOptions, type TlsSettings } from './http-client.js';

/**
 * The engine websocket as the probe needs it: open (or learn why the upgrade was refused: status,
 * headers and body, which `ws` hands over in 'unexpected-response'), wait for notifications, make
 * JSON-RPC 2.0 calls. `ws` loads only when a probe reaches this step.
 */

export type EngineOpening =
  | { kind: 'open'; engine: EngineConnection }
  | { kind: 'refused'; status: number; headers: IncomingHttpHeaders; body: string };

export interface EngineSocketOptions {
  headers: Record<string, string | undefined>;
  /** Sent as the Origin header (the Nov 2024 flow's CSWSH check compares it). */
  origin?: string | undefined;
  timeoutMs: number;
  tls: TlsSettings;
}

/** Notifications with which Qlik's proxy or engine says the session will not work. */
const FAILURE_NOTIFICATIONS = new Set([
  'OnLicenseAccessDenied',
  'OnNoEngineAvailable',
  'OnEngineWebsocketFailed',
  'OnSessionTimedOut',
  'OnSessionClosed',
  'OnSessionLoggedOut',
  'OnMaxParallelSessionsExceeded',
  'OnNoDataPrepServiceAvailable',
]);

type Message = Record<string, unknown>;

export class EngineConnection {
  readonly #socket: WebSocket;
  readonly #messages: Message[] = [];
  #wake: (() => void) | undefined;
  #closed: string | undefined;
  #nextId = 1;

  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      try {
        const parsed: unknown = JSON.parse(data.toString());
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
          this.#messages.push(parsed as Message);
      } catch {
        // Not JSON-RPC: nothing the probe waits for.
      }
      this.#wake?.();
    });
    socket.on('close', (code, reason) => {
      this.#closed = `the engine closed the websocket (code ${code}${reason.length > 0 ? `, ${reason.toString().slice(0, 100)}` : ''})`;
      this.#wake?.();
    });
    socket.on('error', (error) => {
      this.#closed ??= `websocket error: ${error.message}`;
      this.#wake?.();
    });
  }

  /** The first message (already received or still to come) that `pick` accepts; `pick` may throw to fail early. */
  async waitFor(pick: (message: Message) => boolean, what: string, timeoutMs: number): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.#messages.findIndex(pick);
      if (index >= 0) return this.#messages.splice(index, 1)[0] as Message;
      if (this.#closed !== undefined) throw new Error(`${this.#closed} before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs / 1000}s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Waits for OnConnected; a failure notification (or a demand to log in) ends the wait at once. */
  async connected(timeoutMs: number): Promise<void> {
    await this.waitFor(
      (message) => {
        const method = message['method'];
        if (typeof method === 'string' && FAILURE_NOTIFICATIONS.has(method))
          throw new Error(`the engine sent ${method} instead of OnConnected`);
        const params = message['params'] as Record<string, unknown> | undefined;
        if (method === 'OnAuthenticationInformation' && params?.['mustAuthenticate'] === true)
          throw new Error(
            'the proxy asks the websocket to log in (OnAuthenticationInformation mustAuthenticate): the session was not authenticated',
          );
        return method === 'OnConnected';
      },
      'OnConnected notification',
      timeoutMs,
    );
  }

  /** One JSON-RPC 2.0 call; resolves with `result`, rejects with the engine's error. */
  async call(method: string, handle: number, params: unknown[], timeoutMs: number): Promise<Record<string, unknown>> {
    const id = this.#nextId;
    this.#nextId += 1;
    this.#socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, handle, params }));
    const answer = await this.waitFor((message) => message['id'] === id, `answer to ${method}`, timeoutMs);
    const error = answer['error'] as { code?: unknown; message?: unknown } | undefined;
    if (error) throw new Error(`${method} failed: engine error ${String(error.code)} ${String(error.message)}`);
    return (answer['result'] ?? {}) as Record<string, unknown>;
  }

  /** Ends at once: a close handshake could wait 30 s for a silent server. */
  close(): void {
    this.#socket.terminate();
  }
}

function readRefusal(
  response: IncomingMessage,
  timeoutMs: number,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      clearTimeout(timer);
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
    };
    // The body is only an excerpt for the report: do not wait long for it.
    const timer = setTimeout(done, Math.min(timeoutMs, 2000));
    response.on('data', (chunk: Buffer) => {
      if (size < MAX_BODY_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', done);
    response.on('error', done);
    response.on('close', done);
  });
}

export async function openEngineSocket(url: URL, options: EngineSocketOptions): Promise<EngineOpening> {
  const { WebSocket: WebSocketClass } = await import('ws');
  const headers = definedHeaders(options.headers);
  return new Promise<EngineOpening>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const socket = new WebSocketClass(url, {
      headers,
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
      ...(url.protocol === 'wss:' ? tlsOptions(options.tls) : {}),
      followRedirects: false,
      perMessageDeflate: false,
      maxPayload: 16 * 1024 * 1024,
    });
    // Listening from the start: the engine greets (OnAuthenticationInformation, OnConnected) right after the upgrade.
    const engine = new EngineConnection(socket);
    const timer = setTimeout(() => {
      settle(() =>
        reject(
          new NetworkError(
            explainNetworkError({ code: 'ETIMEDOUT_PROBE', message: 'timeout' }, url, options.timeoutMs),
          ),
        ),
      );
      socket.terminate();
    }, options.timeoutMs);
    socket.once('open', () => settle(() => resolve({ kind: 'open', engine })));
    socket.once('unexpected-response', (request, response) => {
      readRefusal(response, options.timeoutMs).then(
        (refused) => {
          request.destroy();
          settle(() => resolve({ kind: 'refused', ...refused }));
        },
        () => undefined,
      );
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      settle(() =>
        reject(
          new NetworkError(explainNetworkError({ code: error.code, message: error.message }, url, options.timeoutMs)),
        ),
      );
    });
  });
}
