import { relativeTime } from './relative-time.js';
import { isoTime } from './token-window.js';

/** A token's time claim in the three forms people read: Unix seconds, ISO 8601 and relative to now. */
export interface ClaimTime {
  unix: number;
  iso: string;
  relative: string;
}

const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

const PHRASES: Record<(typeof TIME_CLAIMS)[number], { future: string; past: string }> = {
  iat: { future: 'issued (in the future)', past: 'issued' },
  nbf: { future: 'becomes valid', past: 'valid since' },
  exp: { future: 'expires', past: 'expired' },
};

/**
 * The readable forms of `iat`, `nbf` and `exp` (shared by `decode` and the workbench's Inspect view).
 * Values that are not plausible NumericDates are left out: lint reports them (QJ034).
 */
export function claimTimes(payload: Readonly<Record<string, unknown>>, now: number): Record<string, ClaimTime> {
  const times: Record<string, ClaimTime> = {};
  for (const claim of TIME_CLAIMS) {
    const value = payload[claim];
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) >= 1e11) continue;
    const phrase = value > now ? PHRASES[claim].future : PHRASES[claim].past;
    times[claim] = { unix: value, iso: isoTime(value), relative: `${phrase} ${relativeTime(value, now)}` };
  }
  return times;
}
