import { isRsaAlgorithm } from '../jose/algorithms.js';
import {
  QLIK_CLOUD_AUDIENCE,
  QLIK_CLOUD_MAX_LIFETIME_SECONDS,
  QSEOW_DEFAULTS,
  QSEOW_LONG_LIFETIME_SECONDS,
} from '../qlik/qlik-limits.js';
import { isRegisteredClaim } from '../qlik/registered-claims.js';
import { formatDuration, PLAUSIBLE_SECONDS_LIMIT } from '../time/duration.js';
import { relativeTime } from '../time/relative-time.js';
import { isoTime } from '../time/token-window.js';
import { criticalHeaderFindings } from './critical-header.js';
import { isAlgNone } from './decode-token.js';
import { requireVerifierSetup, type Platform } from './platform-options.js';
import { finding, type Finding } from './rules.js';

export { PLATFORMS, type Platform } from './platform-options.js';

/** What the verifier is configured with, and when and how leniently it checks time. */
export interface LintOptions {
  /** Evaluate time claims at this Unix time; default now. */
  at?: number | undefined;
  /** Seconds of leeway for exp, nbf and iat; default 0 (Qlik's proxy allows none). */
  clockTolerance?: number | undefined;
  /** QSEoW: the virtual proxy's "JWT attribute for user ID"; default userId. */
  userIdAttribute?: string | undefined;
  /** QSEoW: the virtual proxy's "JWT attribute for user directory"; default userDirectory. */
  userDirectoryAttribute?: string | undefined;
  /** QSEoW: the virtual proxy's JWT audience; checked only when given. */
  audience?: string | undefined;
  /** Qlik Cloud: the identity provider's issuer; checked only when given. */
  issuer?: string | undefined;
  /** Qlik Cloud: the identity provider's key ID; checked only when given. */
  keyId?: string | undefined;
}

type Claims = Readonly<Record<string, unknown>>;

/**
 * A claim by a name that comes from settings, not from this file: a name such as "constructor" or
 * "toString" must read as absent when the token lacks it, never as the value Object.prototype has.
 */
function ownClaim(claims: Claims, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

function algorithmFindings(header: Claims): Finding[] {
  const alg = header['alg'];
  if (isAlgNone(alg)) return [finding('QJ010')];
  if (typeof alg === 'string' && /^HS\d+$/i.test(alg)) return [finding('QJ011', alg)];
  if (!isRsaAlgorithm(alg)) return [finding('QJ012', alg === undefined ? 'no alg in the header' : JSON.stringify(alg))];
  return [];
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isPlausibleTime(value: unknown): value is number {
  return isNumericDate(value) && Math.abs(value) <= PLAUSIBLE_SECONDS_LIMIT;
}

function timeFindings(payload: Claims, platform: Platform, at: number, tolerance: number): Finding[] {
  const findings: Finding[] = [];
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const value = payload[claim];
    if (value !== undefined && !isNumericDate(value))
      findings.push(finding('QJ034', `${claim} is ${JSON.stringify(value)}`));
    else if (isNumericDate(value) && !isPlausibleTime(value))
      findings.push(finding('QJ034', `${claim} ${value} is out of range (milliseconds?)`));
  }
  const { exp, nbf, iat } = payload;
  if (isPlausibleTime(exp) && at >= exp + tolerance) {
    findings.push(
      finding('QJ030', `expired at ${isoTime(exp)}, ${relativeTime(exp, at)} at the check time ${isoTime(at)}`),
    );
  }
  if (isPlausibleTime(nbf) && at < nbf - tolerance) {
    findings.push(
      finding('QJ031', `valid from ${isoTime(nbf)}, ${relativeTime(nbf, at)} from the check time ${isoTime(at)}`),
    );
  }
  if (isPlausibleTime(iat) && at < iat - tolerance) {
    findings.push(
      finding('QJ032', `issued at ${isoTime(iat)}, ${relativeTime(iat, at)} from the check time ${isoTime(at)}`),
    );
  }
  if (exp === undefined && platform !== 'cloud') findings.push(finding('QJ033'));
  return findings;
}

/**
 * The check times at which timeFindings raises none of QJ030/QJ031/QJ032: `from <= at < until`. Its
 * other findings do not depend on the check time, so a token accepted once stays accepted inside this
 * span; a verified-token cache may not keep an answer outside it.
 */
export function acceptedTimeSpan(payload: Claims, tolerance: number): { from: number; until: number } {
  const { exp, nbf, iat } = payload;
  const starts = [nbf, iat].filter(isPlausibleTime).map((value) => value - tolerance);
  return { from: Math.max(-Infinity, ...starts), until: isPlausibleTime(exp) ? exp + tolerance : Infinity };
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function qseowFindings(payload: Claims, options: LintOptions): Finding[] {
  const findings: Finding[] = [];
  const userIdAttribute = options.userIdAttribute ?? QSEOW_DEFAULTS.userIdAttribute;
  const userDirectoryAttribute = options.userDirectoryAttribute ?? QSEOW_DEFAULTS.userDirectoryAttribute;
  for (const [name, role] of [
    [userIdAttribute, 'user ID'],
    [userDirectoryAttribute, 'user directory'],
  ] as const) {
    if (isRegisteredClaim(name)) findings.push(finding('QJ106', `the ${role} attribute is "${name}"`));
  }
  const checks = [
    [userIdAttribute, 'QJ101', 'QJ102'],
    [userDirectoryAttribute, 'QJ103', 'QJ104'],
  ] as const;
  for (const [name, missing, wrongType] of checks) {
    const value = ownClaim(payload, name);
    if (value === undefined) findings.push(finding(missing, `no "${name}" claim${suggestCase(payload, name)}`));
    else if (!nonEmptyString(value)) findings.push(finding(wrongType, `"${name}" is ${JSON.stringify(value)}`));
    else {
      const problem = identityStringProblem(value);
      if (problem !== undefined) findings.push(finding('QJ108', `"${name}" ${problem}`));
    }
  }
  if (options.audience !== undefined) {
    const aud = payload['aud'];
    const matches = aud === options.audience || (Array.isArray(aud) && aud.includes(options.audience));
    if (!matches)
      findings.push(
        finding(
          'QJ105',
          `token aud ${aud === undefined ? 'is missing' : JSON.stringify(aud)}, proxy expects "${options.audience}"`,
        ),
      );
  }
  // Implausible times are QJ034 already; a lifetime computed from them would be a garbage number.
  const { exp, iat, nbf } = payload;
  const start = isPlausibleTime(iat) ? iat : isPlausibleTime(nbf) ? nbf : undefined;
  if (isPlausibleTime(exp) && start !== undefined && exp - start > QSEOW_LONG_LIFETIME_SECONDS) {
    findings.push(finding('QJ107', formatDuration(exp - start)));
  }
  return findings;
}

/**
 * Qlik hands the user on as `UserDirectory=<dir>; UserId=<id>` (the engine's GetAuthenticatedUser, unencoded):
 * a ";" or "=" in either value splits or forges that string, a control character breaks it, and spaces
 * around a value are lost to trimming, which makes " anna" and "anna" the same user downstream.
 */
const IDENTITY_STRING_BREAKER = /[;=\p{Cc}]/u;

function identityStringProblem(value: string): string | undefined {
  const match = IDENTITY_STRING_BREAKER.exec(value);
  if (match) {
    const char = match[0];
    const shown =
      char === ';' || char === '='
        ? `"${char}"`
        : `control character U+${char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
    return `contains ${shown} at position ${match.index + 1}`;
  }
  if (value.trim() !== value) return `is ${JSON.stringify(value.slice(0, 60))}, with leading or trailing whitespace`;
  return undefined;
}

/** Claim names are case-sensitive in Qlik; point out a near miss such as "userid" for "userId". */
function suggestCase(payload: Claims, name: string): string {
  const near = Object.keys(payload).find((claim) => claim !== name && claim.toLowerCase() === name.toLowerCase());
  return near ? ` (the token has "${near}": claim names are case-sensitive)` : '';
}

const CLOUD_REQUIRED = [
  'jti',
  'iat',
  'nbf',
  'exp',
  'sub',
  'subType',
  'name',
  'email',
  'email_verified',
  'iss',
] as const;

function cloudFindings(header: Claims, payload: Claims, options: LintOptions): Finding[] {
  const findings: Finding[] = [];
  const missing = CLOUD_REQUIRED.filter((claim) => payload[claim] === undefined);
  for (const claim of missing) findings.push(finding('QJ201', `"${claim}"${suggestCase(payload, claim)}`));
  if (header['kid'] === undefined) findings.push(finding('QJ202'));
  const aud = payload['aud'];
  if (aud !== QLIK_CLOUD_AUDIENCE)
    findings.push(finding('QJ203', aud === undefined ? 'aud is missing' : `aud is ${JSON.stringify(aud)}`));
  const emailVerified = payload['email_verified'];
  if (emailVerified !== undefined && typeof emailVerified !== 'boolean')
    findings.push(finding('QJ204', `email_verified is ${JSON.stringify(emailVerified)}`));
  const subType = payload['subType'];
  if (subType !== undefined && subType !== 'user')
    findings.push(finding('QJ205', `subType is ${JSON.stringify(subType)}`));
  const groups = payload['groups'];
  if (groups !== undefined && !(Array.isArray(groups) && groups.every((group) => typeof group === 'string'))) {
    findings.push(finding('QJ206', `groups is ${JSON.stringify(groups).slice(0, 80)}`));
  }
  if (payload['group'] !== undefined && groups === undefined) findings.push(finding('QJ207'));
  for (const claim of ['sub', 'name', 'email', 'iss', 'jti'] as const) {
    const value = payload[claim];
    if (value !== undefined && !nonEmptyString(value))
      findings.push(finding('QJ212', `${claim} is ${JSON.stringify(value)}`));
  }
  const { exp, nbf } = payload;
  if (isPlausibleTime(exp) && isPlausibleTime(nbf) && exp - nbf > QLIK_CLOUD_MAX_LIFETIME_SECONDS) {
    findings.push(finding('QJ208', `exp − nbf is ${formatDuration(exp - nbf)}`));
  }
  if (options.issuer !== undefined && payload['iss'] !== undefined && payload['iss'] !== options.issuer) {
    findings.push(
      finding('QJ209', `token iss ${JSON.stringify(payload['iss'])}, identity provider expects "${options.issuer}"`),
    );
  }
  if (options.keyId !== undefined && header['kid'] !== undefined && header['kid'] !== options.keyId) {
    findings.push(
      finding('QJ210', `token kid ${JSON.stringify(header['kid'])}, identity provider expects "${options.keyId}"`),
    );
  }
  const alg = header['alg'];
  if (isRsaAlgorithm(alg) && alg !== 'RS256') findings.push(finding('QJ211', alg));
  return findings;
}

/**
 * Every rule that applies to a decoded header and payload, for one platform. An unknown platform, or a
 * setting the platform does not check (issuer for QSEoW), throws a VerifierSetupError.
 */
export function lintClaims(header: Claims, payload: Claims, platform: Platform, options: LintOptions = {}): Finding[] {
  requireVerifierSetup(platform, options);
  const at = options.at ?? Math.floor(Date.now() / 1000);
  const tolerance = options.clockTolerance ?? 0;
  return [
    ...algorithmFindings(header),
    ...criticalHeaderFindings(header),
    ...timeFindings(payload, platform, at, tolerance),
    ...(platform === 'qseow' ? qseowFindings(payload, options) : []),
    ...(platform === 'cloud' ? cloudFindings(header, payload, options) : []),
  ];
}
