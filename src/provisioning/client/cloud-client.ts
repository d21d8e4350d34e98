import { header, NetworkError, send, type HttpAnswer, type TlsSettings } from '../../probe/client/http-client.js';
import { ProvisioningError } from '../provisioning-error.js';

/**
 * Qlik Cloud's REST APIs with an API key as Bearer token (B.1): JSON in and out, one redirect
 * followed (users/me redirects, B.4), bodies bounded by the HTTP client, every failure one line.
 */

export interface CloudConnection {
  tenant: URL;
  apiKey: string;
  tls: TlsSettings;
  timeoutMs: number;
}

function qlikErrorDetail(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; title?: string; detail?: string }[] };
    const first = parsed.errors?.[0];
    if (!first) return undefined;
    return [first.code, first.title, first.detail].filter((item) => item !== undefined && item !== '').join(': ');
  } catch {
    return undefined;
  }
}

export function explainCloudAnswer(answer: HttpAnswer, url: URL): string {
  const where = `${url.host} ${url.pathname}`;
  const detail = qlikErrorDetail(answer.body);
  const suffix = detail ? ` (${detail.slice(0, 200)})` : '';
  if (/html/i.test(header(answer, 'content-type') ?? '') || /^\s*</.test(answer.body)) {
    return `${where} answered ${answer.status} with an HTML page instead of JSON: the tenant URL must be https://<tenant>.<region>.qlikcloud.com`;
  }
  if (answer.status === 401)
    return `${where} refused the API key (401)${suffix}: check --api-key-file or --api-key-env (keys expire and can be revoked)`;
  if (answer.status === 403)
    return `${where} answered 403 Forbidden${suffix}: the API key's user needs the TenantAdmin role`;
  if (answer.status === 404) return `${where} answered 404 Not Found${suffix}: check the tenant URL`;
  if (answer.status >= 500) return `${where} answered ${answer.status} (server error)${suffix}: try again later`;
  return `${where} answered ${answer.status}${suffix}`;
}

export interface CloudCall {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** A token other than the API key (the login check). */
  bearer?: string;
}

export async function cloudApi(
  connection: CloudConnection,
  path: string,
  call: CloudCall = {},
): Promise<{ status: number; json: unknown; answer: HttpAnswer }> {
  let url = new URL(path, connection.tenant);
  for (let hop = 0; ; hop += 1) {
    let answer: HttpAnswer;
    try {
      answer = await send(url, {
        method: call.method ?? 'GET',
        headers: { authorization: `Bearer ${call.bearer ?? connection.apiKey}`, accept: 'application/json' },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        timeoutMs: connection.timeoutMs,
        tls: connection.tls,
      });
    } catch (error) {
      if (error instanceof NetworkError) throw new ProvisioningError(error.message);
      throw error;
    }
    const location = header(answer, 'location');
    if (
      [301, 302, 303, 307, 308].includes(answer.status) &&
      location !== undefined &&
      hop === 0 &&
      (call.method ?? 'GET') === 'GET'
    ) {
      const next = new URL(location, url);
      // Only within the tenant: the API key must not travel to another host.
      if (next.host !== connection.tenant.host)
        throw new ProvisioningError(`${url.host} redirected to another host (${next.host}): check the tenant URL`);
      url = next;
      continue;
    }
    if (answer.status < 200 || answer.status >= 300)
      throw new ProvisioningError(explainCloudAnswer(answer, url), answer.status);
    if (answer.status === 204 || answer.body === '') return { status: answer.status, json: undefined, answer };
    try {
      return { status: answer.status, json: JSON.parse(answer.body) as unknown, answer };
    } catch {
      const html = /html/i.test(header(answer, 'content-type') ?? '') || /^\s*</.test(answer.body);
      throw new ProvisioningError(
        html
          ? explainCloudAnswer(answer, url)
          : `${url.host} ${url.pathname} answered ${answer.status} with text that is not JSON`,
        answer.status,
      );
    }
  }
}
