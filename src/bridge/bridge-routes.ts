import type { Refusal } from './refusal-reasons.js';
import { wwwAuthenticate } from './refusal-reasons.js';

/**
 * What the bridge does with a request, decided from its method, path and headers alone (no sockets):
 * its own endpoints, the token endpoint, or the proxied virtual proxy, and how that request is
 * authenticated.
 */
export type Route =
  { kind: 'healthz' } | { kind: 'readyz' } | { kind: 'token' } | { kind: 'proxy' } | { kind: 'not-found' };

export const TOKEN_PATH = '/qs-jwt/token';

/** The path below /<prefix> (Qlik's prefixes are case-insensitive), or undefined when outside it. */
export function pathBelowPrefix(prefix: string, path: string): string | undefined {
  const base = `/${prefix}`;
  const lower = path.toLowerCase();
  if (lower === base) return '/';
  if (lower.startsWith(`${base}/`)) return path.slice(base.length);
  return undefined;
}

export function routeRequest(prefix: string, path: string): Route {
  if (path === '/healthz') return { kind: 'healthz' };
  if (path === '/readyz') return { kind: 'readyz' };
  const below = pathBelowPrefix(prefix, path);
  if (below === undefined) return { kind: 'not-found' };
  if (below.toLowerCase() === TOKEN_PATH) return { kind: 'token' };
  return { kind: 'proxy' };
}

/**
 * Whether a request carries a Qlik session cookie: a cookie named X-Qlik-Session… (Qlik's default
 * sessionCookieHeaderName and its -HTTP form). The bridge cannot check the session; Qlik does.
 */
export function hasSessionCookie(cookie: string | undefined, cookieName: string | undefined): boolean {
  if (cookie === undefined) return false;
  for (const part of cookie.split(';')) {
    const equals = part.indexOf('=');
    const name = (equals < 0 ? part : part.slice(0, equals)).trim().toLowerCase();
    const wanted = cookieName?.toLowerCase();
    const matches =
      wanted === undefined ? name.startsWith('x-qlik-session') : name === wanted || name === `${wanted}-http`;
    if (matches) return true;
  }
  return false;
}

export type Credential =
  { kind: 'bearer'; token: string } | { kind: 'cookie' } | { kind: 'none' } | { kind: 'malformed' };

export function credentialOf(
  authorization: string | undefined,
  cookie: string | undefined,
  cookieName: string | undefined,
): Credential {
  if (authorization !== undefined) {
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ? { kind: 'bearer', token: match[1] } : { kind: 'malformed' };
  }
  return hasSessionCookie(cookie, cookieName) ? { kind: 'cookie' } : { kind: 'none' };
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  const body = JSON.stringify(value);
  const all = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers };
  return { status, headers: all, body };
}

/** RFC 6750 §3.1: 401 with WWW-Authenticate, and a JSON body naming the reason. */
export function refusedAnswer(status: 401 | 503, reason: Refusal): Answer {
  if (status === 503) {
    const body = { error: 'temporarily_unavailable', reason: reason.code, message: reason.description };
    return json(503, body, { 'retry-after': '5' });
  }
  const error = reason.code === 'no_token' ? 'unauthorized' : 'invalid_token';
  return json(
    401,
    { error, reason: reason.code, message: reason.description },
    {
      'www-authenticate': wwwAuthenticate(reason),
    },
  );
}

export function tokenAnswer(token: string, expiresAt: number, corsHeaders: Record<string, string>): Answer {
  return json(200, { token, expiresAt: new Date(expiresAt * 1000).toISOString() }, corsHeaders);
}

export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return json(status, value, headers);
}

/** CORS headers for the token endpoint: only for listed origins (exact match), never `*`. */
export function corsHeaders(
  origin: string | undefined,
  allowed: readonly string[],
): Record<string, string> | undefined {
  if (origin === undefined || !allowed.includes(origin.replace(/\/+$/, ''))) return undefined;
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}
