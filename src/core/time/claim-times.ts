import { isPlausibleSeconds } from './duration.js';
import { relativeTime } from './relative-time.js';
import { isoTime } from './token-window.js';

/** A token's time claim in the three forms people read: Unix seconds, ISO 8601 and relative to now. */
export interface ClaimTime {
  unix: number;
  iso: string;
  relative: string;
}

export const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

const PHRASES: Record<(typeof TIME_CLAIMS)[number], { future: string; past: string }> = {
  iat: { future: 'issued (in the future)', past: 'issued' },
  nbf: { future: 'becomes valid', past: 'valid since' },
  exp: { future: 'expires', past: 'expired' },
};

/**
 * The readable forms of `iat`, `nbf` and `exp` (shared by `decode` and the workbench's Inspect view).
 * Values that are not plausible NumericDates are left out: lint reports them (QJ034). The result has no
 * prototype, so a claim named "constructor" or "__proto__" finds nothing in it.
 */
export function claimTimes(payload: Readonly<Record<string, unknown>>, now: number): Record<string, ClaimTime> {
  const times = Object.create(null) as Record<string, ClaimTime>;
  for (const claim of TIME_CLAIMS) {
    const value = Object.hasOwn(payload, claim) ? payload[claim] : undefined;
    if (typeof value !== 'number' || !isPlausibleSeconds(value)) continue;
    const phrase = value > now ? PHRASES[claim].future : PHRASES[claim].past;
    times[claim] = { unix: value, iso: isoTime(value), relative: `${phrase} ${relativeTime(value, now)}` };
  }
  return times;
}
