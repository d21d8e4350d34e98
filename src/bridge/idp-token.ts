import { UnsecuredJWT, type JWTClaimVerificationOptions, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { verifyCompactSignature } from './idp-signature.js';
import { recallVerified, rememberVerified, type VerifiedTokenCache } from '../core/cache/verified-token-cache.js';
import { refusal, refusalFromJose, type Refusal } from './refusal-reasons.js';

/**
 * Verifies an identity provider's access token: signature with a key from the IdP's key set, issuer,
 * audience, exp (required) and nbf with a clock tolerance. Asymmetric algorithms only: HMAC would let
 * anyone who knows the public key sign, and `none` signs nothing. The key comes only from the
 * configured key set (jose's remote JWKS chooses it by kid and alg); `jku`, `x5u` and an embedded `jwk`
 * are never read, so a token cannot make the bridge fetch a URL or trust a key it carries. The
 * signature is checked on node:crypto (idp-signature.ts), the claims by jose.
 */
export const IDP_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

/** Access tokens are a few KB at most; anything larger is refused before it is parsed. */
export const MAX_TOKEN_LENGTH = 16_384;

export interface IdpTokenPolicy {
  issuers: readonly string[];
  audiences: readonly string[];
  clockToleranceSeconds: number;
}

/** Thrown by a key getter when the IdP's keys cannot be had: not the token's fault (503, not 401). */
export class KeysUnavailableError extends Error {}

export type IdpVerdict = { ok: true; payload: JWTPayload } | { ok: false; refusal: Refusal };

/** `{"alg":"none"}`: the header of the claims-only JWT below. */
const CLAIMS_ONLY_HEADER = Buffer.from('{"alg":"none"}').toString('base64url');

/**
 * jose's claim checks (iss, aud, exp, nbf, iat, required claims, clock tolerance) on a payload whose
 * signature verifyCompactSignature has verified. jose offers them on their own only through
 * UnsecuredJWT.decode, so the verified payload segment goes in under an `alg: none` header: nothing
 * here accepts an unsigned token, the token's own header was checked with its signature. The checks
 * and their errors are then exactly jwtVerify's.
 */
function validatedClaims(payloadSegment: string, options: JWTClaimVerificationOptions): JWTPayload {
  return UnsecuredJWT.decode(`${CLAIMS_ONLY_HEADER}.${payloadSegment}.`, options).payload;
}

export async function verifyIdpToken(
  token: string,
  getKey: JWTVerifyGetKey,
  policy: IdpTokenPolicy,
  now: number,
): Promise<IdpVerdict> {
  if (token.length > MAX_TOKEN_LENGTH) {
    return { ok: false, refusal: refusal('malformed', `the token is longer than ${MAX_TOKEN_LENGTH} characters`) };
  }
  try {
    const { payloadSegment } = await verifyCompactSignature(token, getKey, IDP_ALGORITHMS);
    const payload = validatedClaims(payloadSegment, {
      issuer: [...policy.issuers],
      audience: [...policy.audiences],
      clockTolerance: policy.clockToleranceSeconds,
      requiredClaims: ['exp'],
      currentDate: new Date(now * 1000),
    });
    return { ok: true, payload };
  } catch (error) {
    if (error instanceof KeysUnavailableError) {
      return { ok: false, refusal: refusal('keys_unavailable', error.message) };
    }
    const reason = refusalFromJose(error);
    if (reason) return { ok: false, refusal: reason };
    throw error;
  }
}

/**
 * verifyIdpToken behind a cache of accepted tokens: a client that sends the same access token on every
 * request pays for one signature check. An entry answers only while verifying afresh would accept the
 * token (within nbf/exp and the tolerance); refusals are never cached.
 */
export async function verifyIdpTokenCached(
  cache: VerifiedTokenCache,
  token: string,
  getKey: JWTVerifyGetKey,
  policy: IdpTokenPolicy,
  now: number,
): Promise<IdpVerdict> {
  const known = recallVerified(cache, token, now);
  if (known) return { ok: true, payload: known as JWTPayload };
  const verdict = await verifyIdpToken(token, getKey, policy, now);
  if (verdict.ok) {
    const { nbf, exp } = verdict.payload;
    const tolerance = policy.clockToleranceSeconds;
    const from = typeof nbf === 'number' ? nbf - tolerance : -Infinity;
    const until = (exp as number) + tolerance;
    rememberVerified(cache, token, verdict.payload, { from, until });
  }
  return verdict;
}

/** The token of an `Authorization: Bearer …` header; undefined for no header or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
