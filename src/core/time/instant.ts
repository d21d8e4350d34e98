import { optionError, TimeError } from '../errors.js';
import { parseSignedDuration } from './duration.js';

/** Unix time in whole seconds, as JWT NumericDate claims carry it. */
export type UnixSeconds = number;

// RFC 3339 date-time: a date, a time and an offset (Z or ±hh:mm); fractions of a second are dropped.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const LATEST = 253_402_300_799; // 9999-12-31T23:59:59Z

export function toUnixSeconds(date: Date): UnixSeconds {
  return Math.floor(date.getTime() / 1000);
}

/**
 * Parses an absolute point in time: RFC 3339 (`2026-05-01T12:00:00Z`) or Unix seconds (`1777636800`).
 * Returns undefined when the text has neither shape.
 */
export function parseAbsoluteTime(text: string, what = 'time'): UnixSeconds | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    if (seconds > LATEST)
      throw optionError(TimeError, 'TIME_INVALID', {
        option: what,
        value: text,
        reason: 'is after the year 9999: give Unix seconds, not milliseconds',
      });
    return seconds;
  }
  const match = RFC3339.exec(trimmed);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Date.parse(trimmed.replace(' ', 'T'));
  // Date.parse rolls 2026-02-30 over to March; a user who typed it meant something else.
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    Number.isNaN(millis) ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw optionError(TimeError, 'TIME_INVALID', { option: what, value: text, reason: 'is not a real date and time' });
  }
  return Math.floor(millis / 1000);
}

/** Parses `now`, RFC 3339 or Unix seconds. */
export function parseInstant(text: string, now: UnixSeconds, what = 'time'): UnixSeconds {
  if (text.trim().toLowerCase() === 'now') return now;
  const absolute = parseAbsoluteTime(text, what);
  if (absolute === undefined) {
    throw optionError(TimeError, 'TIME_INVALID', {
      option: what,
      value: text,
      reason: 'is not a time: write RFC 3339 (2026-05-01T12:00:00Z), Unix seconds or "now"',
    });
  }
  return absolute;
}

/**
 * Resolves a moment given as a duration after `base` (`5m`; `-30s` when negative offsets are allowed),
 * an RFC 3339 time or Unix seconds.
 */
export function resolveMoment(
  spec: string | number | Date,
  base: UnixSeconds,
  what: string,
  { allowNegativeOffset = false } = {},
): UnixSeconds {
  if (spec instanceof Date) {
    if (Number.isNaN(spec.getTime()))
      throw optionError(TimeError, 'TIME_INVALID', { option: what, reason: 'is an invalid Date' });
    return toUnixSeconds(spec);
  }
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec) || spec < 0)
      throw optionError(TimeError, 'TIME_INVALID', {
        option: what,
        value: spec,
        reason: 'is not a Unix time in seconds',
      });
    return Math.floor(spec);
  }
  const offset = parseSignedDuration(spec, what);
  if (offset !== undefined) {
    if (offset <= 0 && !allowNegativeOffset) {
      throw optionError(TimeError, 'TIME_INVALID', {
        option: what,
        value: spec,
        reason: `is ${offset === 0 ? 'zero' : 'negative'}: give a positive duration such as 5m, or an absolute time`,
      });
    }
    return base + offset;
  }
  const absolute = parseAbsoluteTime(spec, what);
  if (absolute === undefined) {
    throw optionError(TimeError, 'TIME_INVALID', {
      option: what,
      value: spec,
      reason:
        'is neither a duration (30s, 5m, 8h, 7d, 1y) nor a time (RFC 3339 such as 2026-05-01T12:00:00Z, or Unix seconds)',
    });
  }
  return absolute;
}
