import type { RefusalCode } from './refusal-codes.js';

/**
 * One authentication decision, logged by the server as one JSON line on stderr so CI logs can be
 * grepped or parsed (`jq 'select(.outcome=="rejected")'`).
 */
export interface AuthLogEntry {
  event: 'auth';
  /** `qseow:/<prefix>` or `cloud`. */
  target: string;
  outcome: 'accepted' | 'rejected';
  /** How the user was recognised or what was presented: a token, a session cookie, nothing. */
  via: 'bearer' | 'session' | 'none';
  /** The refusal's rule code; absent when accepted. */
  code?: RefusalCode | undefined;
  reason?: string | undefined;
  /** `DIRECTORY\userId` (QSEoW) or the subject (Cloud), when known. */
  user?: string | undefined;
  method: string;
  path: string;
}

let lastMillisecond = Number.NaN;
let lastIso = '';

/** Requests arrive many per millisecond under load: format each millisecond's time once. */
function isoMillisecond(now: number): string {
  if (now !== lastMillisecond) {
    lastMillisecond = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** One JSON line, `time` first; stringified as is rather than copied into a new object, as this runs per request. */
export function formatAuthLog(entry: AuthLogEntry, now: number): string {
  return `{"time":"${isoMillisecond(now)}",${JSON.stringify(entry).slice(1)}\n`;
}
