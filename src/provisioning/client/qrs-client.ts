import { generateXrfkey, XRF_REFUSAL_TEXT } from '../../core/qlik/xrfkey.js';
import { header, NetworkError, send, type HttpAnswer, type TlsSettings } from '../../probe/client/http-client.js';
import { ProvisioningError } from '../provisioning-error.js';

/**
 * The QRS client for setup and doctor: every call with a fresh xrfkey in the query and the
 * X-Qlik-Xrfkey header (P4), either on 4242 with the client certificate and `X-Qlik-User` (P3), or
 * through a JWT virtual proxy with a Bearer token (P1). Bodies are bounded by the HTTP client; every
 * failure becomes one line naming the cause.
 */

export interface QrsConnection {
  /** https://host:4242, or https://host/<prefix> for the route through a JWT virtual proxy. */
  baseUrl: URL;
  tls: TlsSettings;
  /** X-Qlik-User for the certificate route, Authorization for the Bearer route. */
  authHeaders: Record<string, string>;
  timeoutMs: number;
}

/** The X-Qlik-User header of Qlik's certificate examples (P3). */
export const REPOSITORY_USER = 'UserDirectory=INTERNAL; UserId=sa_repository';

function qrsUrl(connection: QrsConnection, path: string, query: Record<string, string>, xrfkey: string): URL {
  const base = connection.baseUrl.href.replace(/\/+$/, '');
  const url = new URL(`${base}/qrs/${path.replace(/^\/+/, '')}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  url.searchParams.set('xrfkey', xrfkey);
  return url;
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

/** One line for an answer that is not what a QRS call expects. */
export function explainQrsAnswer(answer: HttpAnswer, url: URL): string {
  const what = `${url.pathname}`;
  const type = header(answer, 'content-type') ?? '';
  if (/html/i.test(type) || /^\s*</.test(answer.body)) {
    return `${url.host} answered ${answer.status} with an HTML page instead of QRS JSON for ${what}: the URL must be the QRS API (https://host:4242) or a JWT virtual proxy (https://host/prefix)`;
  }
  if (answer.status === 401)
    return `${url.host} answered 401 Unauthorized for ${what}: the Bearer token was refused (check --bearer-key, --userid, --userdir against the virtual proxy in the URL)`;
  if (answer.status === 403) {
    if (answer.body.includes(XRF_REFUSAL_TEXT))
      return `${url.host} refused the xrfkey (403) for ${what}: a proxy between here and QRS drops the X-Qlik-Xrfkey header`;
    return `${url.host} answered 403 Forbidden for ${what}: the user has no right to change virtual proxies and proxy services (RootAdmin needed)`;
  }
  if (answer.status === 404)
    return `${url.host} answered 404 Not Found for ${what}: no QRS API at this URL (QRS is https://host:4242; through a proxy, include the virtual proxy prefix)`;
  if (answer.status >= 500)
    return `${url.host} answered ${answer.status} (server error) for ${what}: ${excerpt(answer.body) || 'no detail'}; check the repository service log`;
  return `${url.host} answered ${answer.status} for ${what}: ${excerpt(answer.body) || 'no detail'}`;
}

export interface QrsCall {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Record<string, string>;
  body?: unknown;
  /** Statuses returned to the caller instead of thrown (409 for the retry). */
  allow?: readonly number[];
}

export interface QrsResult {
  status: number;
  json: unknown;
}

export async function qrs(connection: QrsConnection, path: string, call: QrsCall = {}): Promise<QrsResult> {
  const xrfkey = generateXrfkey();
  const url = qrsUrl(connection, path, call.query ?? {}, xrfkey);
  let answer: HttpAnswer;
  try {
    answer = await send(url, {
      method: call.method ?? 'GET',
      headers: { 'x-qlik-xrfkey': xrfkey, accept: 'application/json', ...connection.authHeaders },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      timeoutMs: connection.timeoutMs,
      tls: connection.tls,
    });
  } catch (error) {
    if (error instanceof NetworkError) throw new ProvisioningError(error.message);
    throw error;
  }
  if (call.allow?.includes(answer.status)) return { status: answer.status, json: undefined };
  if (answer.status < 200 || answer.status >= 300)
    throw new ProvisioningError(explainQrsAnswer(answer, url), answer.status);
  if (answer.status === 204 || answer.body === '') return { status: answer.status, json: undefined };
  try {
    return { status: answer.status, json: JSON.parse(answer.body) as unknown };
  } catch {
    const html = /html/i.test(header(answer, 'content-type') ?? '') || /^\s*</.test(answer.body);
    throw new ProvisioningError(
      html
        ? explainQrsAnswer(answer, url)
        : `${url.host} answered ${answer.status} with text that is not JSON for ${url.pathname}: ${excerpt(answer.body)}`,
      answer.status,
    );
  }
}
