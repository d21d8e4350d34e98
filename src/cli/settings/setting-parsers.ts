import { requireRsaAlgorithm, type RsaAlgorithm } from '../../core/jose/algorithms.js';
import { parseSignedDuration } from '../../core/time/duration.js';
import { parseAbsoluteTime, parseInstant } from '../../core/time/instant.js';
import { SettingValueError } from './setting.js';

/**
 * Parsers for setting values. Each takes the text as the user wrote it and returns the checked value,
 * or throws SettingValueError (or a core QsJwtError) whose message is the reason only: the resolver
 * adds whether the value came from a flag, an environment variable or a profile.
 */

/** Any text that is not empty or blank: an empty `--kid ''` is a mistake, not a value. */
export function nonEmptyText(text: string): string {
  if (text.trim() === '') throw new SettingValueError('is empty: give a value');
  return text;
}

/** A duration of zero or more, in whole seconds (clock tolerance). */
export function durationSeconds(text: string): number {
  const seconds = parseSignedDuration(text, 'duration');
  if (seconds === undefined || seconds < 0)
    throw new SettingValueError(
      'is not a duration of zero or more: write a number and a unit, e.g. 30s, 2m, or 0s for none',
    );
  return seconds;
}

/** A lifetime after iat (`5m`) or an absolute time; the core resolves it against iat when minting. */
export function lifetimeOrTime(text: string): string {
  const seconds = parseSignedDuration(text, 'duration');
  if (seconds !== undefined) {
    if (seconds <= 0)
      throw new SettingValueError(
        `is ${seconds === 0 ? 'zero' : 'negative'}: give a lifetime such as 5m or 1h, or an absolute time`,
      );
    return text;
  }
  if (parseAbsoluteTime(text, 'time') === undefined) {
    throw new SettingValueError(
      'is neither a lifetime (30s, 5m, 8h, 7d, 1y) nor a time (RFC 3339 such as 2026-05-01T12:00:00Z, or Unix seconds)',
    );
  }
  return text;
}

/** A signed offset from iat (`-30s`) or an absolute time (not-before). */
export function offsetOrTime(text: string): string {
  if (parseSignedDuration(text, 'duration') !== undefined) return text;
  if (parseAbsoluteTime(text, 'time') === undefined) {
    throw new SettingValueError(
      'is neither a duration from iat (-30s, 5m) nor a time (RFC 3339 such as 2026-05-01T12:00:00Z, or Unix seconds)',
    );
  }
  return text;
}

/** `now`, RFC 3339 or Unix seconds, kept as text for the core to resolve (issued-at). */
export function instantText(text: string): string {
  parseInstant(text, 0, 'time');
  return text;
}

/** `now`, RFC 3339 or Unix seconds, as Unix seconds now (verify --at). */
export function instantSeconds(text: string): number {
  return parseInstant(text, Math.floor(Date.now() / 1000), 'time');
}

export function rsaAlgorithm(text: string): RsaAlgorithm {
  return requireRsaAlgorithm(text);
}

export function integerIn(min: number, max: number): (text: string) => number {
  return (text: string) => {
    const trimmed = text.trim();
    if (!/^\d+$/.test(trimmed) || Number(trimmed) < min || Number(trimmed) > max) {
      throw new SettingValueError(`is not a whole number from ${min} to ${max}`);
    }
    return Number(trimmed);
  };
}

const MAX_TIMEOUT_MS = 600_000;

/** A timeout from 1 ms to 10 minutes (`10s`, `500ms`), in milliseconds. */
export function timeoutMilliseconds(text: string): number {
  const milliseconds = /^\s*(\d{1,9})\s*ms\s*$/i.exec(text);
  const ms = milliseconds ? Number(milliseconds[1]) : (parseSignedDuration(text, 'duration') ?? Number.NaN) * 1000;
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS)
    throw new SettingValueError('is not a duration from 1ms to 10m: write e.g. 10s, 30s or 500ms');
  return ms;
}
