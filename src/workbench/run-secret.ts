import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The per-run secret that admits a browser. The URL printed at start carries `urlSecret`; the first
 * request with it gets `cookieValue` in an HttpOnly, SameSite=Strict cookie and a redirect to a URL
 * without the secret, so the secret stays out of the browser's history, bookmarks and Referer headers.
 * The two values differ: the cookie never reveals what the printed URL holds.
 */
export interface RunSecret {
  urlSecret: string;
  cookieValue: string;
  cookieName: string;
}

/** Query parameter that carries the URL secret. */
export const SECRET_PARAMETER = 'secret';

export function newRunSecret(port: number): RunSecret {
  // Cookies are per host, not per port: two workbenches on localhost need distinct cookie names.
  return {
    urlSecret: randomBytes(32).toString('base64url'),
    cookieValue: randomBytes(32).toString('base64url'),
    cookieName: `qsjwt-workbench-${port}`,
  };
}

/** Constant-time comparison, so the secret cannot be guessed byte by byte from response timing. */
export function secretMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sessionCookie(secret: RunSecret): string {
  return `${secret.cookieName}=${secret.cookieValue}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The value of this run's cookie in a Cookie header, if present. */
export function cookieFromHeader(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0 && part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}
