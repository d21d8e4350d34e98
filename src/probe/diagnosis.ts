import { EMULATOR_REFUSALS } from '../emulator/refusal-codes.js';
import type { Platform } from '../core/lint/claim-rules.js';
import { RULES, type Finding, type RuleCode } from '../core/lint/rules.js';
import type { ServerRefusal } from './probe-step.js';
import { AUTHORIZATION_PREFIX } from '../core/qlik/qlik-limits.js';

/**
 * After a refusal: the likely causes, most specific first. The local lint knows the token; the server
 * (our emulator, in its X-Qs-Jwt-Reason header) may know which rule it applied; a real Qlik server says
 * only 401, so the settings that were not given are named as the things left to compare.
 */

/** Fixes for the emulator's own refusal codes (the QJ codes carry theirs in RULES). */
const EMULATOR_FIXES: Readonly<Record<keyof typeof EMULATOR_REFUSALS, string>> = {
  EMU001:
    'the request reached the server without the token: check that no proxy or load balancer strips the Authorization header',
  EMU002: 'send the header as "Authorization: Bearer <token>"',
  EMU003: "add the claim the virtual proxy's attribute mapping marks as mandatory",
  EMU004:
    'the session cookie was not accepted: check that the server keeps sessions (one proxy node, or sticky sessions)',
  EMU005: 'send the same 16-character xrfkey in the query and the X-Qlik-Xrfkey header',
  EMU006: 'the websocket needs ?qlik-csrf-token= from GET /<prefix>/qps/csrftoken (Qlik Sense November 2024 and later)',
  EMU007: "add the page's origin to the virtual proxy's websocket origin allow list",
  EMU008: 'Qlik Cloud accepts each jti once: mint a new token (with a fresh jti) for every login',
  EMU009: 'send the qlik-csrf-token header from GET /api/v1/csrf-token on non-GET calls',
  EMU010:
    'link the virtual proxy to the central proxy service (QMC: Proxies, Central, Virtual proxies; or qs-jwt setup qseow)',
  EMU011: "set the virtual proxy's JWT certificate and attribute names (qs-jwt setup qseow)",
  EMU012: 'create the JWT identity provider (qs-jwt setup cloud)',
};

function isRuleCode(code: string): code is RuleCode {
  return Object.hasOwn(RULES, code);
}

function isEmulatorCode(code: string): code is keyof typeof EMULATOR_REFUSALS {
  return Object.hasOwn(EMULATOR_REFUSALS, code);
}

/** The rule code at the start of an X-Qs-Jwt-Reason header (`QJ030 token expired: …`). */
export function reasonCode(reason: string | undefined): string | undefined {
  return reason === undefined ? undefined : /^([A-Z]{2,3}\d{3})\b/.exec(reason.trim())?.[1];
}

/** The fix for a code from either table, or undefined for codes this version does not know. */
export function fixForCode(code: string): string | undefined {
  if (isRuleCode(code)) return RULES[code].fix || undefined;
  if (isEmulatorCode(code)) return EMULATOR_FIXES[code];
  return undefined;
}

/** Which verifier settings the user gave, so the advice can name the ones that were not compared. */
export interface GivenSettings {
  signatureChecked: boolean;
  audience: boolean;
  userAttributes: boolean;
  issuer: boolean;
  keyId: boolean;
}

/**
 * A refusal of the request's headers as too large: 431 (RFC 6585), or the 400 that IIS/http.sys, nginx
 * and others answer with a text about header size.
 */
export function headersTooLarge(refusal: ServerRefusal): boolean {
  if (refusal.status === 431) return true;
  const sizeText = /header[^.]{0,40}\b(too (large|long|big)|exceed)|request header or cookie too large/i;
  return refusal.status === 400 && sizeText.test(refusal.body);
}

/** The cause for a headers-too-large refusal, with the token's own size: the only header that grows. */
export function tooLargeCause(refusal: ServerRefusal, tokenLength: number): string {
  const line = AUTHORIZATION_PREFIX.length + tokenLength;
  return (
    `the server refused the request headers as too large (HTTP ${refusal.status}): the token is too large, ` +
    `${tokenLength} characters, so its "Authorization: Bearer" header line is ${line} bytes; servers and proxies ` +
    'often accept 8-16 KiB: mint it with fewer or shorter claims (groups, extra claims)'
  );
}

export function diagnose(
  platform: Exclude<Platform, 'none'>,
  findings: readonly Finding[],
  refusal: ServerRefusal,
  given: GivenSettings,
  tokenLength?: number,
): string[] {
  const lines: string[] = [];
  if (tokenLength !== undefined && headersTooLarge(refusal)) lines.push(tooLargeCause(refusal, tokenLength));
  const errors = findings.filter((item) => item.severity === 'error');
  const seen = new Set<string>();
  for (const item of errors) {
    lines.push(`${item.code} ${item.message}${item.fix && !seen.has(item.code) ? ` — fix: ${item.fix}` : ''}`);
    seen.add(item.code);
  }
  const code = reasonCode(refusal.reason);
  if (code !== undefined && !seen.has(code)) {
    const fix = fixForCode(code);
    lines.push(`${code} (server) ${refusal.reason?.slice(code.length).trim() ?? ''}${fix ? ` — fix: ${fix}` : ''}`);
    seen.add(code);
  }
  if (lines.length > 0) return lines;
  // Nothing local explains it and the server did not say why: list what could not be compared here.
  const unchecked: string[] = [];
  if (!given.signatureChecked)
    unchecked.push(
      platform === 'qseow'
        ? "the signature (pass --cert with the virtual proxy's certificate)"
        : "the signature (pass --cert with the identity provider's certificate)",
    );
  if (platform === 'qseow') {
    if (!given.userAttributes)
      unchecked.push("the claim names (--userid-attr, --userdir-attr: the virtual proxy's JWT attributes)");
    if (!given.audience) unchecked.push("the audience (--audience: the virtual proxy's JWT audience)");
    unchecked.push("mandatory attributes in the virtual proxy's attribute mapping");
  } else {
    if (!given.issuer) unchecked.push("the issuer (--issuer: the identity provider's issuer)");
    if (!given.keyId) unchecked.push("the key ID (--kid: the identity provider's key ID)");
    unchecked.push('whether the jti was used before (each token logs in once)');
  }
  lines.push(
    `the token passes every local ${platform === 'qseow' ? 'QSEoW' : 'Qlik Cloud'} rule, and the server gave no reason; compare with the server's settings: ${unchecked.join('; ')}`,
  );
  return lines;
}
