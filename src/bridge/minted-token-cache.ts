/**
 * QSEoW tokens the bridge minted, per identity, reused until shortly before they expire: a user's
 * requests then cost a map lookup instead of an RSA signature. An identity is cached at its second
 * minting (choice: one extra signature per returning identity, so that identities seen once, such as
 * a new user per request, leave nothing to collect). Bounded: past `capacity` the least recently
 * minted entry goes. Times are Unix seconds.
 */

import {
  admits,
  createSecondUseCache,
  recallBefore,
  storeNewest,
  type SecondUseCache,
} from '../core/cache/second-use-cache.js';

export const DEFAULT_MINTED_TOKEN_CAPACITY = 10_000;

export interface MintedToken {
  token: string;
  /** Unix seconds (the token's exp). */
  expiresAt: number;
}

interface Entry extends MintedToken {
  reuseUntil: number;
}

export type MintedTokenCache = SecondUseCache<Entry>;

export function createMintedTokenCache(capacity = DEFAULT_MINTED_TOKEN_CAPACITY): MintedTokenCache {
  return createSecondUseCache(capacity, 'minted-token cache');
}

/**
 * Until when a token minted at `issuedAt` is handed out again: a fifth of its lifetime (at most a
 * minute) before its expiry, so a client that uses it a moment later, with some clock skew, still
 * gets a valid token.
 */
export function reuseUntil(issuedAt: number, expiresAt: number): number {
  const lifetime = expiresAt - issuedAt;
  return expiresAt - Math.min(60, Math.ceil(lifetime / 5));
}

const reuseEnd = (entry: Entry): number => entry.reuseUntil;

export function recallMinted(cache: MintedTokenCache, identity: string, now: number): MintedToken | undefined {
  return recallBefore(cache, identity, now, reuseEnd);
}

export function rememberMinted(cache: MintedTokenCache, identity: string, token: MintedToken, issuedAt: number): void {
  if (!admits(cache, identity)) return;
  storeNewest(cache, identity, { ...token, reuseUntil: reuseUntil(issuedAt, token.expiresAt) });
}
