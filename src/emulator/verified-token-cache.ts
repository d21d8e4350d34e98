/**
 * Tokens a virtual proxy has already verified and accepted, keyed by their exact text, so a client that
 * sends the same Bearer on every request pays for two RSA verifications, not one per request (a token
 * is cached at its second acceptance, so tokens used once leave nothing to collect). An entry
 * answers only inside the span of check times in which verifying afresh would accept the token again
 * (never past its exp), and the cache is bounded: past `capacity` the oldest entry goes. Refusals are
 * never cached, so every rejected token is verified and explained afresh.
 */

import { admitOnSecondSighting, createDoorkeeper, type Doorkeeper } from '../core/cache/doorkeeper.js';
import { OldestFirstMap } from '../core/cache/oldest-first-map.js';

export const DEFAULT_VERIFIED_TOKEN_CAPACITY = 10_000;

interface VerifiedToken {
  payload: Readonly<Record<string, unknown>>;
  /** Unix seconds: accepted when from <= at < until. */
  from: number;
  until: number;
}

export interface VerifiedTokenCache {
  /** Insertion order: the first entry is the oldest. */
  entries: OldestFirstMap<string, VerifiedToken>;
  capacity: number;
  /** Tokens are cached at their second acceptance: one-off tokens leave nothing behind. */
  doorkeeper: Doorkeeper;
}

export function createVerifiedTokenCache(capacity = DEFAULT_VERIFIED_TOKEN_CAPACITY): VerifiedTokenCache {
  if (!Number.isInteger(capacity) || capacity < 0)
    throw new Error(`verified-token cache capacity ${capacity} is not a whole number`);
  return { entries: new OldestFirstMap(), capacity, doorkeeper: createDoorkeeper() };
}

/** The payload of a token accepted earlier, when checking it at `at` (Unix seconds) would accept it again. */
export function recallVerified(
  cache: VerifiedTokenCache,
  token: string,
  at: number,
): Readonly<Record<string, unknown>> | undefined {
  const entry = cache.entries.get(token);
  if (!entry) return undefined;
  if (at >= entry.until) {
    cache.entries.delete(token);
    return undefined;
  }
  return at >= entry.from ? entry.payload : undefined;
}

export function rememberVerified(
  cache: VerifiedTokenCache,
  token: string,
  payload: Readonly<Record<string, unknown>>,
  span: { from: number; until: number },
): void {
  if (cache.capacity === 0 || !admitOnSecondSighting(cache.doorkeeper, token)) return;
  cache.entries.delete(token);
  cache.entries.trimTo(cache.capacity - 1);
  cache.entries.set(token, { payload: Object.freeze({ ...payload }), ...span });
}
