/**
 * What the server should answer, as data: the pure decisions return these and the adapter in
 * src/emulator/server writes them. Header values are strings or lists (several Set-Cookie lines).
 */
export interface ResponseDescription {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

export function textResponse(
  status: number,
  body: string,
  headers: Record<string, string | string[]> = {},
): ResponseDescription {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string | string[]> = {},
): ResponseDescription {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

export function htmlResponse(
  status: number,
  body: string,
  headers: Record<string, string | string[]> = {},
): ResponseDescription {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Adds Set-Cookie lines to a response, keeping any it already has. */
export function withCookies(response: ResponseDescription, cookies: readonly string[]): ResponseDescription {
  if (cookies.length === 0) return response;
  const existing = response.headers['set-cookie'];
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  return {
    status: response.status,
    body: response.body,
    headers: Object.assign({}, response.headers, { 'set-cookie': [...list, ...cookies] }),
  };
}

/** The first value of a header as node:http gives it (lower-case names; lists for repeated headers). */
export function headerValue(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an `Authorization: Bearer <token>` header; `malformed` for any other scheme or shape. */
export function bearerToken(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | 'malformed' | undefined {
  const value = headerValue(headers, 'authorization');
  if (value === undefined) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1] ?? 'malformed';
}

/** What the decisions need to know about a request. `now` is milliseconds since the epoch. */
export interface RequestFacts {
  method: string;
  /** The URL path, percent-encoding untouched. */
  path: string;
  query: URLSearchParams;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Whether the server speaks HTTPS: decides Secure cookies and Qlik's -HTTP cookie suffix. */
  secure: boolean;
  now: number;
}
