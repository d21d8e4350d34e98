import { optionError, TimeError } from '../errors.js';
import { resolveMoment, type UnixSeconds } from './instant.js';
import { parseSignedDuration } from './duration.js';

/** When a token is issued, becomes valid and expires: how users may give each one. */
export interface TimeWindowInput {
  /** Absolute (RFC 3339, Unix seconds, Date); default: now. */
  issuedAt?: string | number | Date | undefined;
  /** Absolute, or a duration relative to `iat` (may be negative, to allow for clock skew); default: `iat`. */
  notBefore?: string | number | Date | undefined;
  /** A duration relative to `iat` (`5m`, `8h`) or an absolute time; default: the platform's. */
  expires?: string | number | Date | undefined;
}

export interface TimeWindow {
  iat: UnixSeconds;
  nbf: UnixSeconds;
  exp: UnixSeconds;
}

export function isoTime(seconds: UnixSeconds): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Resolves and checks a token's time claims: `nbf` before `exp`, and a lifetime longer than zero. */
export function resolveTimeWindow(input: TimeWindowInput, defaultExpires: string, now: UnixSeconds): TimeWindow {
  const iat = input.issuedAt === undefined ? now : resolveAbsolute(input.issuedAt, now);
  const nbf =
    input.notBefore === undefined
      ? iat
      : resolveMoment(input.notBefore, iat, 'notBefore', { allowNegativeOffset: true });
  const expiresSpec = input.expires ?? defaultExpires;
  const exp = resolveMoment(expiresSpec, iat, 'expires');
  if (exp <= iat) {
    const hint =
      typeof expiresSpec === 'string' && /^\d+$/.test(expiresSpec.trim())
        ? `; a bare number is a Unix time, so for a lifetime write ${expiresSpec.trim()}s`
        : '';
    throw optionError(TimeError, 'TIME_ORDER', {
      option: 'expires',
      value: expiresSpec,
      reason: `gives ${isoTime(exp)}, not after the issue time ${isoTime(iat)}: give a lifetime longer than zero${hint}`,
    });
  }
  if (exp <= nbf) {
    // Blame the option the user set: a late not-before, or else a short expiry.
    if (input.notBefore !== undefined) {
      throw optionError(TimeError, 'TIME_ORDER', {
        option: 'notBefore',
        value: input.notBefore,
        reason: `gives ${isoTime(nbf)}, not before the expiry ${isoTime(exp)}: the token would never be valid`,
      });
    }
    throw optionError(TimeError, 'TIME_ORDER', {
      option: 'expires',
      value: expiresSpec,
      reason: `gives ${isoTime(exp)}, not after not-before ${isoTime(nbf)}: the token would never be valid`,
    });
  }
  return { iat, nbf, exp };
}

function resolveAbsolute(spec: string | number | Date, now: UnixSeconds): UnixSeconds {
  if (typeof spec === 'string') {
    if (spec.trim().toLowerCase() === 'now') return now;
    if (parseSignedDuration(spec) !== undefined) {
      throw optionError(TimeError, 'TIME_INVALID', {
        option: 'issuedAt',
        value: spec,
        reason: 'is a duration: give a time (RFC 3339, Unix seconds or "now")',
      });
    }
  }
  return resolveMoment(spec, now, 'issuedAt');
}
