import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { QsJwtError } from '../core/errors.js';
import type { RsaAlgorithm } from '../core/jose/algorithms.js';
import { createVerifiedTokenCache, type VerifiedTokenCache } from '../core/cache/verified-token-cache.js';
import { BRIDGE_KEY_ID, type BridgeMinter } from './bridge-minter.js';
import { describeMappedUser, isMappedUser, mapClaims, type ClaimMapping } from './claim-mapping.js';
import { verifyIdpTokenCached, type IdpTokenPolicy } from './idp-token.js';
import { refusal, type Refusal } from './refusal-reasons.js';

/**
 * From a Bearer token to the QSEoW token Qlik gets: verify the IdP's token, map its claims, and mint
 * (or recall) the QSEoW token. A token the bridge minted itself (its kid, its key) is passed on as it
 * is, so a front end that fetched one from the token endpoint can send it through the bridge.
 */
export type BearerOutcome =
  | { ok: true; qlikToken: string; expiresAt: number; user: string; via: 'idp' | 'bridge' }
  | { ok: false; status: 401 | 503; refusal: Refusal };

export interface BridgeAuthSettings {
  getKey: JWTVerifyGetKey;
  policy: IdpTokenPolicy;
  mapping: ClaimMapping;
  minter: BridgeMinter;
  /** The bridge's own public key and algorithm, to recognise tokens it minted. */
  ownPublicKey: KeyObject;
  ownAlgorithm: RsaAlgorithm;
  userIdAttribute: string;
  userDirectoryAttribute: string;
  verifiedCacheCapacity?: number | undefined;
}

export interface BridgeAuthenticator {
  /** `acceptOwn`: also accept a token the bridge minted (not at the token endpoint: no self-renewal). */
  authenticate: (token: string, now: number, acceptOwn: boolean) => Promise<BearerOutcome>;
}

function headerKid(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
}

export function createBridgeAuthenticator(settings: BridgeAuthSettings): BridgeAuthenticator {
  const verified: VerifiedTokenCache = createVerifiedTokenCache(settings.verifiedCacheCapacity);
  const ownToken = async (token: string, now: number): Promise<BearerOutcome> => {
    try {
      const { payload } = await jwtVerify(token, settings.ownPublicKey, {
        algorithms: [settings.ownAlgorithm],
        requiredClaims: ['exp'],
        currentDate: new Date(now * 1000),
      });
      const userId = String(payload[settings.userIdAttribute]);
      const userDirectory = String(payload[settings.userDirectoryAttribute]);
      const user = describeMappedUser({ userId, userDirectory });
      return { ok: true, qlikToken: token, expiresAt: payload.exp as number, user, via: 'bridge' };
    } catch {
      const reason = refusal('bad_signature', 'the token carries the bridge key ID but this bridge did not sign it');
      return { ok: false, status: 401, refusal: reason };
    }
  };
  return {
    authenticate: async (token, now, acceptOwn) => {
      if (acceptOwn && headerKid(token) === BRIDGE_KEY_ID) return ownToken(token, now);
      const verdict = await verifyIdpTokenCached(verified, token, settings.getKey, settings.policy, now);
      if (!verdict.ok) {
        return { ok: false, status: verdict.refusal.code === 'keys_unavailable' ? 503 : 401, refusal: verdict.refusal };
      }
      const user = mapClaims(verdict.payload, settings.mapping);
      if (!isMappedUser(user)) return { ok: false, status: 401, refusal: user };
      let minted;
      try {
        minted = await settings.minter.tokenFor(user, now);
      } catch (error) {
        // The core refuses a claim value Qlik could not take; that is this token's fault, not the bridge's.
        if (error instanceof QsJwtError) {
          return { ok: false, status: 401, refusal: refusal('invalid_claim', error.message) };
        }
        throw error;
      }
      const described = describeMappedUser(user);
      return { ok: true, qlikToken: minted.token, expiresAt: minted.expiresAt, user: described, via: 'idp' };
    },
  };
}
