/**
 * When the bridge may use the identity provider's keys it fetched earlier. jose's remote key set
 * refetches when its cache is older than `refreshMs`, and on an unknown kid at most once per cooldown;
 * when that refetch fails it throws, which would turn an IdP outage into refusing every user. The
 * bridge keeps the last key set it loaded and serves it while the IdP is unreachable, up to `maxStaleMs`
 * past its refresh time, and retries the IdP at most once per cooldown meanwhile (so an outage does not
 * cost every request a connection timeout). Times are milliseconds.
 */

export interface KeySetTimings {
  refreshMs: number;
  cooldownMs: number;
  maxStaleMs: number;
}

export interface KeySetState {
  /** When the last successful fetch completed; undefined before the first. */
  loadedAt: number | undefined;
  /** When the last fetch failed; undefined when the last fetch succeeded. */
  failedAt: number | undefined;
}

export type KeySetChoice =
  /** Ask jose's remote key set (it fetches when it needs to). */
  | 'remote'
  /** The IdP failed recently: use the keys loaded earlier without asking it again yet. */
  | 'stale'
  /** No keys, or keys too old to trust, and the IdP failed within the cooldown. */
  | 'unavailable';

export function usableStale(state: KeySetState, timings: KeySetTimings, now: number): boolean {
  return state.loadedAt !== undefined && now < state.loadedAt + timings.refreshMs + timings.maxStaleMs;
}

export function chooseKeySet(state: KeySetState, timings: KeySetTimings, now: number): KeySetChoice {
  if (state.failedAt === undefined || now >= state.failedAt + timings.cooldownMs) return 'remote';
  return usableStale(state, timings, now) ? 'stale' : 'unavailable';
}

/** What /readyz reports about the keys. */
export function keySetHealth(state: KeySetState, timings: KeySetTimings, now: number): 'fresh' | 'stale' | 'missing' {
  if (state.loadedAt === undefined) return 'missing';
  if (now < state.loadedAt + timings.refreshMs) return 'fresh';
  return usableStale(state, timings, now) ? 'stale' : 'missing';
}
