import { optionError, TimeError } from '../errors.js';

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  y: 31_536_000,
  yr: 31_536_000,
  yrs: 31_536_000,
  year: 31_536_000,
  years: 31_536_000,
};

/** Longest duration accepted: far beyond any sensible token, short enough to stay exact in a double. */
export const MAX_DURATION_SECONDS = 100 * 31_536_000;

const PART = /(\d{1,12})\s*([a-z]+)/gy;

/**
 * Parses a signed duration such as `30s`, `5m`, `1h30m`, `7 days` or `-30s` into whole seconds.
 * Returns undefined when the text is not shaped like a duration, so callers can try other forms.
 * A year is 365 days (as in the `ms` package that qs-jwt users know). `what` names the option in errors.
 */
export function parseSignedDuration(text: string, what = 'duration'): number | undefined {
  let rest = text.trim().toLowerCase();
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1).trimStart();
  }
  if (rest === '' || !/^\d/.test(rest)) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(rest); match; match = PART.exec(rest)) {
    const [whole, amount, unit] = match as unknown as [string, string, string];
    const perUnit = SECONDS_PER_UNIT[unit];
    if (perUnit === undefined) return undefined;
    total += Number(amount) * perUnit;
    consumed += whole.length;
    while (rest[consumed] === ' ') consumed += 1;
    PART.lastIndex = consumed;
  }
  if (consumed !== rest.length) return undefined;
  if (total > MAX_DURATION_SECONDS) {
    throw optionError(TimeError, 'TIME_INVALID', {
      option: what,
      value: text,
      reason: 'is longer than 100 years: use a shorter duration',
    });
  }
  return sign * total;
}

/** Parses a strictly positive duration; zero, negative and unparseable values are refused. */
export function parsePositiveDuration(text: string, what = 'duration'): number {
  const seconds = parseSignedDuration(text, what);
  if (seconds === undefined) {
    throw optionError(TimeError, 'TIME_INVALID', {
      option: what,
      value: text,
      reason: 'is not a duration: write a number and a unit, e.g. 30s, 5m, 8h, 7d or 1y',
    });
  }
  if (seconds <= 0) {
    throw optionError(TimeError, 'TIME_INVALID', {
      option: what,
      value: text,
      reason: 'must be longer than zero: write e.g. 5m or 1h',
    });
  }
  return seconds;
}

/**
 * Past this many seconds (year ~5138, or any millisecond timestamp) a time or span is a mistake, not a
 * date: it is reported as out of range rather than printed as a 295-digit count of days.
 */
export const PLAUSIBLE_SECONDS_LIMIT = 1e11;

export function isPlausibleSeconds(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= PLAUSIBLE_SECONDS_LIMIT;
}

/** Formats seconds the short way (`1h30m`), for messages and summaries; "out of range" past the limit. */
export function formatDuration(totalSeconds: number): string {
  if (!isPlausibleSeconds(totalSeconds)) return 'out of range';
  const sign = totalSeconds < 0 ? '-' : '';
  let rest = Math.abs(Math.trunc(totalSeconds));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return sign + parts.join('');
}
