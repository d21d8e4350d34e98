import { finding, type Finding } from './rules.js';

/** Far above any Qlik token (a few KiB) and below what would make parsing costly. */
export const MAX_TOKEN_LENGTH = 64 * 1024;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface DecodedToken {
  /** The token as given, without whitespace or a `Bearer ` prefix. */
  token: string;
  header: Record<string, unknown> | undefined;
  payload: Record<string, unknown> | undefined;
  signingInput: string;
  signature: string;
  /** Structural problems; empty when header and payload are both JSON objects. */
  findings: Finding[];
}

const BASE64URL_CHAR = /[A-Za-z0-9_-]/;

/** Strips what people paste around a token: whitespace, quotes, and an `Authorization: Bearer` prefix. */
export function normalizeTokenText(text: string): string {
  // A bare token (every JWS header encodes to "ey…") needs none of this: skip the regexes on the hot path.
  if (text.startsWith('ey') && BASE64URL_CHAR.test(text.charAt(text.length - 1))) return text;
  return text.trim().replace(/^(authorization:\s*)?bearer\s+/i, '').replace(/^["']|["']$/g, '').trim();
}

// Tokens from one issuer share their header segment; re-parsing it for every request is wasted work.
const headerCache = new Map<string, Record<string, unknown> | string>();
const HEADER_CACHE_SIZE = 64;

function decodeHeader(part: string): Record<string, unknown> | string {
  let header = headerCache.get(part);
  if (header === undefined) {
    header = decodeJsonObject(part);
    if (headerCache.size >= HEADER_CACHE_SIZE) headerCache.delete(headerCache.keys().next().value as string);
    if (part.length <= 1024) headerCache.set(part, header);
  }
  // Callers get their own copy: the cached object must not change under later tokens.
  return typeof header === 'string' ? header : { ...header };
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

function decodeJsonObject(part: string): Record<string, unknown> | string {
  if (!BASE64URL.test(part) || part.length % 4 === 1) return 'not base64url';
  const text = Buffer.from(part, 'base64url').toString('utf8');
  if (jsonDepth(text) > MAX_JSON_DEPTH) return `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `JSON ${Array.isArray(value) ? 'array' : typeof value}, not an object`;
  return value as Record<string, unknown>;
}

/** Decodes without trusting: every structural problem becomes a finding instead of an exception. */
export function decodeToken(text: string): DecodedToken {
  const empty = { header: undefined, payload: undefined, signingInput: '', signature: '' };
  if (text.length > MAX_TOKEN_LENGTH) {
    return { token: '', ...empty, findings: [finding('QJ005', `${text.length} characters, limit ${MAX_TOKEN_LENGTH}`)] };
  }
  const token = normalizeTokenText(text);
  const parts = token.split('.');
  if (parts.length === 5) return { token, ...empty, findings: [finding('QJ002', 'five parts')] };
  if (parts.length !== 3) {
    return { token, ...empty, findings: [finding('QJ001', `${token === '' ? 'empty input' : `${parts.length} part${parts.length === 1 ? '' : 's'}`}`)] };
  }
  const [headerPart, payloadPart, signature] = parts as [string, string, string];
  const findings: Finding[] = [];
  const header = decodeHeader(headerPart);
  const payload = decodeJsonObject(payloadPart);
  if (typeof header === 'string') findings.push(finding('QJ003', header));
  if (typeof payload === 'string') findings.push(finding('QJ004', payload));
  if (!BASE64URL.test(signature) || signature === '') findings.push(finding('QJ001', signature === '' ? 'empty signature' : 'signature is not base64url'));
  return {
    token,
    header: typeof header === 'string' ? undefined : header,
    payload: typeof payload === 'string' ? undefined : payload,
    signingInput: `${headerPart}.${payloadPart}`,
    signature,
    findings,
  };
}
