import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwksCache,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { chooseKeySet, keySetHealth, usableStale, type KeySetState, type KeySetTimings } from '../key-set-policy.js';
import { KeysUnavailableError } from '../idp-token.js';

/**
 * The identity provider's keys: jose's remote key set (cache, refetch on an unknown kid at most once per
 * cooldown, refetch when older than refreshMs), wrapped so that the last key set loaded keeps serving
 * while the IdP is unreachable, within maxStaleMs (src/bridge/key-set-policy.ts decides when).
 */
export interface JwksSource {
  getKey: JWTVerifyGetKey;
  /** Loads the key set now unless loaded; for start-up and /readyz. Never throws. */
  ensureLoaded: () => Promise<void>;
  health: () => 'fresh' | 'stale' | 'missing';
  lastError: () => string | undefined;
}

export interface JwksSourceOptions extends KeySetTimings {
  url: URL;
  timeoutMs: number;
}

/** Errors that mean "the IdP did not answer with a key set", as opposed to "no key fits this token". */
function isFetchFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return false;
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JWSInvalid) return false;
  if (error instanceof errors.JOSENotSupported) return false;
  return true;
}

export function createJwksSource(options: JwksSourceOptions): JwksSource {
  // jose's clock is Date.now; the policy must read the same one.
  const clock = Date.now;
  // jose fills this on every successful fetch: when (uat) and what it loaded.
  const exported: { uat?: number; jwks?: JSONWebKeySet } = {};
  const remote = createRemoteJWKSet(options.url, {
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.refreshMs,
    timeoutDuration: options.timeoutMs,
    [jwksCache]: exported as Record<string, never>,
  });
  const state: KeySetState = { loadedAt: undefined, failedAt: undefined };
  let stale: ReturnType<typeof createLocalJWKSet> | undefined;
  let staleJwks: JSONWebKeySet | undefined;
  let error: string | undefined;

  /** After jose answered (or threw), note whether it holds a newer key set than the one kept. */
  const noteLoaded = (): void => {
    const { jwks, uat } = exported;
    if (jwks && jwks !== staleJwks) {
      staleJwks = jwks;
      stale = createLocalJWKSet(jwks);
      state.loadedAt = uat;
    }
  };
  const unavailable = (): KeysUnavailableError =>
    new KeysUnavailableError(
      `the identity provider's key set could not be loaded from ${options.url.origin}` +
        `${error ? ` (${error})` : ''}; try again later`,
    );

  const getKey: JWTVerifyGetKey = async (header, token) => {
    const choice = chooseKeySet(state, options, clock());
    if (choice === 'stale' && stale) return stale(header, token);
    if (choice === 'unavailable') throw unavailable();
    try {
      const key = await remote(header, token);
      state.failedAt = undefined;
      error = undefined;
      noteLoaded();
      return key;
    } catch (thrown) {
      if (!isFetchFailure(thrown)) {
        noteLoaded();
        throw thrown;
      }
      state.failedAt = clock();
      error = (thrown as Error).message;
      if (stale && usableStale(state, options, clock())) return stale(header, token);
      throw unavailable();
    }
  };

  return {
    getKey,
    ensureLoaded: async () => {
      if (keySetHealth(state, options, clock()) === 'fresh') return;
      if (chooseKeySet(state, options, clock()) !== 'remote') return;
      try {
        await remote.reload();
        state.failedAt = undefined;
        error = undefined;
        noteLoaded();
      } catch (thrown) {
        state.failedAt = clock();
        error = (thrown as Error).message;
      }
    },
    health: () => keySetHealth(state, options, clock()),
    lastError: () => error,
  };
}
