/**
 * Tokens a virtual proxy has already verified and accepted, keyed by their exact text, so a client that
 * sends the same Bearer on every request pays for two RSA verifications, not one per request (a token
 * is cached at its second acceptance, so tokens used once leave nothing to collect). An entry
 * answers only inside the span of check times in which verifying afresh would accept the token again
 * (never past its exp), and the cache is bounded: past `capacity` the oldest entry goes. Refusals are
 * never cached, so every rejected token is verified and explained afresh.
 */

import { admits, createSecondUseCache, recallBefore, storeNewest, type SecondUseCache } from './second-use-cache.js';

export const DEFAULT_VERIFIED_TOKEN_CAPACITY = 10_000;

interface VerifiedToken {
  payload: Readonly<Record<string, unknown>>;
  /** Unix seconds: accepted when from <= at < until. */
  from: number;
  until: number;
}

export type VerifiedTokenCache = SecondUseCache<VerifiedToken>;

export function createVerifiedTokenCache(capacity = DEFAULT_VERIFIED_TOKEN_CAPACITY): VerifiedTokenCache {
  return createSecondUseCache(capacity, 'verified-token cache');
}

const acceptedUntil = (entry: VerifiedToken): number => entry.until;

/** The payload of a token accepted earlier, when checking it at `at` (Unix seconds) would accept it again. */
export function recallVerified(
  cache: VerifiedTokenCache,
  token: string,
  at: number,
): Readonly<Record<string, unknown>> | undefined {
  const entry = recallBefore(cache, token, at, acceptedUntil);
  return entry && at >= entry.from ? entry.payload : undefined;
}

export function rememberVerified(
  cache: VerifiedTokenCache,
  token: string,
  payload: Readonly<Record<string, unknown>>,
  span: { from: number; until: number },
): void {
  if (!admits(cache, token)) return;
  storeNewest(cache, token, { payload: Object.freeze({ ...payload }), ...span });
}
