import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { ApiError, errorBody, type RequestBody } from './api-error.js';
import { inspectToken } from './inspect-api.js';
import type { KeyStore } from './key-store.js';
import { createKeys, describeKeys, publicFile } from './keys-api.js';
import type { LocalEmulators } from './local-emulator.js';
import { allowedHosts, hostAllowed, originAllowed } from './request-guard.js';
import { cookieFromHeader, secretMatches, SECRET_PARAMETER, sessionCookie } from './run-secret.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { setupValues } from './setup-api.js';
import type { StaticAsset } from './static-assets.js';
import { createToken } from './token-api.js';
import type { WorkbenchListener } from './workbench-listener.js';
import { encodePrivateKeyPem } from '../core/keys/key-pair.js';

/**
 * The workbench's HTTP server (node:http, no framework). Every request passes, in order: the Host
 * check (DNS rebinding), the secret or its cookie, the Origin check for anything but GET/HEAD; then
 * it is a static asset or a JSON API route that calls src/core. Bodies are bounded; private keys
 * leave only through the download route a user asks for.
 */
export interface WorkbenchOptions {
  assets: ReadonlyMap<string, StaticAsset>;
  keys: KeyStore;
  /** Settings from the profile, shown as the forms' starting values. */
  defaults: Readonly<Record<string, string>>;
}

export interface RunningWorkbench {
  close: () => Promise<void>;
}

const MAX_BODY_BYTES = 512 * 1024;

type Route = (body: RequestBody) => unknown;

/** With --allow-remote on a wildcard address, browsers reach it by the machine's names and addresses. */
function machineNames(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [];
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((item) => item.address));
  return [hostname(), ...addresses];
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer = '',
): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(value));
}

function refuse(response: ServerResponse, status: number, text: string): void {
  send(response, status, { 'content-type': 'text/plain; charset=utf-8' }, `${text}\n`);
}

async function readBody(request: IncomingMessage): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, 'WORKBENCH_BODY_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  // Forms (the private-key download) post urlencoded; the page's fetch calls post JSON.
  if ((request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'WORKBENCH_BODY_INVALID', 'the request body is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ApiError(400, 'WORKBENCH_BODY_INVALID', 'the request body must be a JSON object');
  return parsed as RequestBody;
}

function attachment(response: ServerResponse, name: string, body: string): void {
  send(
    response,
    200,
    { 'content-type': 'application/x-pem-file', 'content-disposition': `attachment; filename="${name}"` },
    body,
  );
}

/**
 * Serves the workbench on the socket `listener` bound before the URL was printed: the HTTP server takes
 * that socket over (listen(handle)), so its request and header timeouts run as on any server.
 */
export async function serveWorkbench(
  listener: WorkbenchListener,
  options: WorkbenchOptions,
): Promise<RunningWorkbench> {
  const { keys } = options;
  const { secret, port } = listener;
  // Test's code (the probe clients, the emulator) loads on first use: build-cli.mjs bundles it apart
  // (workbench-test.js), so printing the URL does not compile it.
  let emulators: LocalEmulators | undefined;
  const runTest = async (body: RequestBody): Promise<unknown> => {
    const test = await import('./test-api.js');
    emulators ??= new test.LocalEmulators();
    const answer = await test.testAnswer(body, keys, emulators);
    if ('error' in answer) throw new ApiError(answer.status, answer.error.code, answer.error.message);
    return answer.report;
  };
  const routes: Record<string, Route> = {
    'GET /api/state': () => ({ keys: keys.list(), defaults: options.defaults }),
    'POST /api/token': (body) => createToken(body, keys),
    'POST /api/inspect': (body) => inspectToken(body, Math.floor(Date.now() / 1000)),
    'POST /api/keys/create': (body) => createKeys(body, keys),
    'POST /api/keys/describe': (body) => describeKeys(body, keys),
    'POST /api/setup': (body) => setupValues(body, keys),
    'POST /api/test': runTest,
  };
  const allowed = allowedHosts(listener.host, port, machineNames(listener.host));

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!hostAllowed(request.headers.host, allowed)) {
      return refuse(
        response,
        403,
        'qs-jwt ui: this Host is not served (only the bound address and localhost): open the URL qs-jwt ui printed',
      );
    }
    const url = new URL(request.url ?? '/', 'http://workbench.invalid');
    const method = request.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/' && url.searchParams.has(SECRET_PARAMETER)) {
      if (!secretMatches(url.searchParams.get(SECRET_PARAMETER) ?? undefined, secret.urlSecret))
        return refuse(response, 403, 'qs-jwt ui: wrong secret: open the URL qs-jwt ui printed');
      // The cookie admits this browser from now on; the redirect drops the secret from the address bar and history.
      return send(response, 303, { 'set-cookie': sessionCookie(secret), location: '/' });
    }
    if (!secretMatches(cookieFromHeader(request.headers.cookie, secret.cookieName), secret.cookieValue)) {
      return refuse(response, 403, "qs-jwt ui: open the URL qs-jwt ui printed (it carries this run's secret)");
    }
    if (!originAllowed(method, request.headers.origin, allowed))
      return refuse(response, 403, 'qs-jwt ui: cross-origin request refused');
    const asset = method === 'GET' ? options.assets.get(url.pathname) : undefined;
    if (asset) return send(response, 200, { 'content-type': asset.contentType }, asset.body);
    try {
      const download = /^\/api\/keys\/(k\d+)\/(publickey\.cer|publickey\.pem|privatekey\.pem)$/.exec(url.pathname);
      if (download) {
        const key = keys.get(download[1]);
        if (!key)
          throw new ApiError(
            404,
            'WORKBENCH_KEY_UNKNOWN',
            'no such key (keys live only as long as this qs-jwt ui run)',
          );
        if (download[2] === 'privatekey.pem') {
          // Only by an explicit POST from this page (the Origin check above): never a link, a GET or a log line.
          if (method !== 'POST')
            throw new ApiError(405, 'WORKBENCH_METHOD', "the private key is downloaded with the page's button only");
          return attachment(response, 'privatekey.pem', encodePrivateKeyPem(key.privateKey));
        }
        const file = publicFile(key, download[2] ?? '');
        if (!file) throw new ApiError(404, 'WORKBENCH_NO_CERTIFICATE', 'no certificate is known for this key');
        return attachment(response, file.name, file.body);
      }
      const route = routes[`${method} ${url.pathname}`];
      if (!route) throw new ApiError(404, 'WORKBENCH_NOT_FOUND', `no route ${method} ${url.pathname}`);
      const body = method === 'POST' ? await readBody(request) : {};
      sendJson(response, 200, await route(body));
    } catch (error) {
      const answer = errorBody(error);
      if (answer) return sendJson(response, answer.status, answer.body);
      // Unexpected: a short line for the user, never the request (it may hold a key).
      process.stderr.write(`qs-jwt ui: warning: ${method} ${url.pathname} failed: ${(error as Error).message}\n`);
      sendJson(response, 500, {
        error: { code: 'WORKBENCH_INTERNAL', message: 'internal error: see the terminal running qs-jwt ui' },
      });
    }
  };

  const server = createServer({ requestTimeout: 60_000, headersTimeout: 10_000, maxHeaderSize: 16_384 });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listener.server, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // From here the listening socket's connections come to `server`; those that came before wait paused.
  listener.server.removeAllListeners('connection');
  for (const socket of listener.early.splice(0)) {
    server.emit('connection', socket);
    socket.resume();
  }
  return {
    close: async () => {
      await emulators?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
