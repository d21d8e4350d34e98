import { finding, type Finding } from './rules.js';

/** Far above any Qlik token (a few KiB) and below what would make parsing costly. */
export const MAX_TOKEN_LENGTH = 64 * 1024;

export interface DecodedToken {
  /** The token as given, without whitespace or a `Bearer ` prefix. */
  token: string;
  /** Shared between tokens with the same header segment, hence frozen. */
  header: Readonly<Record<string, unknown>> | undefined;
  payload: Record<string, unknown> | undefined;
  signingInput: string;
  signature: string;
  /** The decoded signature; undefined when it is empty or not base64url. */
  signatureBytes: Buffer | undefined;
  /** Structural problems; empty when header and payload are both JSON objects. */
  findings: Finding[];
}

const BASE64URL_CHAR = /[A-Za-z0-9_-]/;

/** Strips what people paste around a token: whitespace, quotes, and an `Authorization: Bearer` prefix. */
export function normalizeTokenText(text: string): string {
  // A bare token (every JWS header encodes to "ey…") needs none of this: skip the regexes on the hot path.
  if (text.startsWith('ey') && BASE64URL_CHAR.test(text.charAt(text.length - 1))) return text;
  return text
    .trim()
    .replace(/^(authorization:\s*)?bearer\s+/i, '')
    .replace(/^["']|["']$/g, '')
    .trim();
}

// Tokens from one issuer share their header segment; re-parsing it for every request is wasted work.
const headerCache = new Map<string, Record<string, unknown> | string>();
const HEADER_CACHE_SIZE = 64;

function decodeHeader(part: string): Record<string, unknown> | string {
  let header = headerCache.get(part);
  if (header === undefined) {
    header = decodeJsonObject(part);
    // Frozen: every token with this header segment gets the same object.
    if (typeof header !== 'string') Object.freeze(header);
    if (headerCache.size >= HEADER_CACHE_SIZE) headerCache.delete(headerCache.keys().next().value as string);
    if (part.length <= 1024) headerCache.set(part, header);
  }
  return header;
}

/** Qlik claims are flat or one array deep; deeper nesting only serves to exhaust a parser's stack. */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of JSON text, by one pass over its brackets outside strings. */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 92 /* \\ */) index += 1;
      else if (code === 34 /* " */) inString = false;
    } else if (code === 34) inString = true;
    else if (code === 123 /* { */ || code === 91 /* [ */) deepest = Math.max(deepest, ++depth);
    else if (code === 125 /* } */ || code === 93 /* ] */) depth -= 1;
  }
  return deepest;
}

/** Whether text has more than `limit` opening brackets: with fewer it cannot nest that deep. */
function hasManyBrackets(text: string, limit: number): boolean {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let index = text.indexOf(bracket); index !== -1; index = text.indexOf(bracket, index + 1)) {
      count += 1;
      if (count > limit) return true;
    }
  }
  return false;
}

/**
 * Decodes strict base64url, or returns undefined. Node's decoder skips characters outside the alphabet,
 * so all were valid exactly when the byte count matches the length (cheaper than a regex on the hot
 * path); it also takes standard base64's + and /, which JWS forbids.
 */
export function decodeBase64url(part: string): Buffer | undefined {
  if (part.length % 4 === 1 || part.includes('+') || part.includes('/')) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.length === Math.floor((part.length * 3) / 4) ? bytes : undefined;
}

/** What a parsed JSON value is, in words: "JSON null", "a JSON array", "a JSON string". */
function jsonKind(value: unknown): string {
  if (value === null) return 'JSON null';
  return `${Array.isArray(value) ? 'a JSON array' : `a JSON ${typeof value}`}`;
}

function decodeJsonObject(part: string): Record<string, unknown> | string {
  const bytes = decodeBase64url(part);
  if (bytes === undefined) return 'not base64url';
  const text = bytes.toString('utf8');
  if (hasManyBrackets(text, MAX_JSON_DEPTH) && jsonDepth(text) > MAX_JSON_DEPTH)
    return `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${jsonKind(value)}, not an object`;
  return value as Record<string, unknown>;
}

/** alg "none" in any spelling: the lint refuses them all as QJ010. */
export function isAlgNone(alg: unknown): boolean {
  return typeof alg === 'string' && alg.toLowerCase() === 'none';
}

/**
 * What the signature part of a decoded token is: `unsigned` (alg none), `empty`, `malformed` (not
 * base64url) or `present` (which says nothing about whether it is valid).
 */
export type SignatureShape = 'unsigned' | 'empty' | 'malformed' | 'present';

export function signatureShape(decoded: DecodedToken): SignatureShape {
  if (decoded.header !== undefined && isAlgNone(decoded.header['alg'])) return 'unsigned';
  if (decoded.signature === '') return 'empty';
  return decoded.signatureBytes === undefined ? 'malformed' : 'present';
}

/** Decodes without trusting: every structural problem becomes a finding instead of an exception. */
export function decodeToken(text: string): DecodedToken {
  const empty = { header: undefined, payload: undefined, signingInput: '', signature: '', signatureBytes: undefined };
  if (text.length > MAX_TOKEN_LENGTH) {
    return {
      token: '',
      ...empty,
      findings: [finding('QJ005', `${text.length} characters, limit ${MAX_TOKEN_LENGTH}`)],
    };
  }
  const token = normalizeTokenText(text);
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (second === -1 || token.indexOf('.', second + 1) !== -1) {
    const count = token.split('.').length;
    if (count === 5) return { token, ...empty, findings: [finding('QJ002', 'five parts')] };
    return {
      token,
      ...empty,
      findings: [finding('QJ001', `${token === '' ? 'empty input' : `${count} part${count === 1 ? '' : 's'}`}`)],
    };
  }
  const headerPart = token.slice(0, first);
  const payloadPart = token.slice(first + 1, second);
  const signature = token.slice(second + 1);
  const findings: Finding[] = [];
  const header = decodeHeader(headerPart);
  const payload = decodeJsonObject(payloadPart);
  if (typeof header === 'string') findings.push(finding('QJ003', header));
  if (typeof payload === 'string') findings.push(finding('QJ004', payload));
  const signatureBytes = signature === '' ? undefined : decodeBase64url(signature);
  // An unsecured JWS (RFC 7515 §A.5) has an empty signature by design: it is a whole token, and QJ010
  // (alg none) is the reason it is refused, not a missing part.
  const unsecured = signature === '' && typeof header !== 'string' && isAlgNone(header['alg']);
  if (signatureBytes === undefined && !unsecured)
    findings.push(finding('QJ001', signature === '' ? 'empty signature' : 'signature is not base64url'));
  return {
    token,
    header: typeof header === 'string' ? undefined : header,
    payload: typeof payload === 'string' ? undefined : payload,
    signingInput: token.slice(0, second),
    signature,
    signatureBytes,
    findings,
  };
}
