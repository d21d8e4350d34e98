/**
 * Cookie parsing and serialising for the emulator. Parsing is lenient on purpose: @qlik/api echoes the
 * raw Set-Cookie header back as Cookie, attributes and all (`name=v; Path=/; HttpOnly; SameSite=Lax`),
 * and browsers send odd spacing and quoting. Nothing here throws on any input.
 */

/** More pairs than any real client sends; bounds the work a hostile header can cause. */
export const MAX_COOKIE_PAIRS = 256;

/** RFC 6265 token characters: what a cookie name may contain. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isCookieName(name: string): boolean {
  return COOKIE_NAME.test(name);
}

/** Calls `visit` with each valid name and its raw value, up to MAX_COOKIE_PAIRS pairs. */
function eachCookie(
  header: string | readonly string[] | undefined,
  visit: (name: string, rawValue: string) => void,
): void {
  if (header === undefined) return;
  const text = typeof header === 'string' ? header : header.join(';');
  let pairs = 0;
  for (const part of text.split(/[;,]/)) {
    if (pairs >= MAX_COOKIE_PAIRS) break;
    const equals = part.indexOf('=');
    if (equals <= 0) continue;
    const name = part.slice(0, equals).trim();
    if (!isCookieName(name)) continue;
    visit(name, part.slice(equals + 1));
    pairs += 1;
  }
}

/**
 * Every name=value pair in one or more Cookie headers, values for the same name kept in order, so a
 * caller can try each candidate (two sessions, or an echoed Set-Cookie next to a real cookie).
 * Attribute-like pairs (Path=/) simply appear as cookies named Path; flags without `=` are skipped.
 */
export function parseCookies(header: string | readonly string[] | undefined): Map<string, string[]> {
  const cookies = new Map<string, string[]>();
  eachCookie(header, (name, rawValue) => {
    const value = decodeValue(rawValue);
    const list = cookies.get(name);
    if (list) list.push(value);
    else cookies.set(name, [value]);
  });
  return cookies;
}

/**
 * The values of one cookie, in order: what parseCookies(header).get(name) holds, without building the
 * map or decoding the other cookies' values (the emulator looks up its session cookie on every request).
 */
export function cookieValues(header: string | readonly string[] | undefined, name: string): string[] {
  const values: string[] = [];
  eachCookie(header, (candidate, rawValue) => {
    if (candidate === name) values.push(decodeValue(rawValue));
  });
  return values;
}

/** A raw value as sent (spaces around it, quotes, percent-encoding) to the value it stands for. */
function decodeValue(sent: string): string {
  const raw = sent.trim();
  const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  try {
    return decodeURIComponent(unquoted);
  } catch {
    // A stray % is not worth refusing the request over: the value is compared as it came.
    return unquoted;
  }
}

export type SameSite = 'Strict' | 'Lax' | 'None';
export const SAME_SITE_VALUES: readonly SameSite[] = ['Strict', 'Lax', 'None'];

export interface CookieAttributes {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: SameSite;
  path?: string;
  /** Seconds; 0 deletes the cookie. Absent: a session cookie, as Qlik's proxy sets. */
  maxAge?: number;
}

/** One Set-Cookie header value. The value is URI-encoded so it can never break the header. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes = {}): string {
  if (!isCookieName(name)) throw new Error(`invalid cookie name ${JSON.stringify(name)}`);
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${attributes.path ?? '/'}`];
  if (attributes.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`);
  if (attributes.httpOnly ?? true) parts.push('HttpOnly');
  // SameSite=None is only honoured with Secure; browsers drop it otherwise, so fall back to Lax over http.
  const sameSite = attributes.sameSite === 'None' && !attributes.secure ? 'Lax' : attributes.sameSite;
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  if (attributes.secure) parts.push('Secure');
  return parts.join('; ');
}
