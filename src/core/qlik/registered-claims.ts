import { ClaimError, optionError } from '../errors.js';

/** RFC 7519 registered claims: Qlik's proxy refuses them as user attribute names. */
export const REGISTERED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'] as const;

export function isRegisteredClaim(name: string): boolean {
  return (REGISTERED_CLAIMS as readonly string[]).includes(name);
}

/** An attribute name must be a plain, non-registered claim name, as the QMC field demands. */
export function requireAttributeName(name: string, option: string): string {
  if (name.trim() === '' || name !== name.trim()) {
    throw optionError(ClaimError, 'CLAIM_INVALID', {
      option,
      value: name,
      reason: 'must be a non-empty claim name without surrounding spaces',
    });
  }
  if (isRegisteredClaim(name)) {
    throw optionError(ClaimError, 'CLAIM_RESERVED_NAME', {
      option,
      value: name,
      reason: `is a registered JWT claim (${REGISTERED_CLAIMS.join(', ')}), which Qlik's virtual proxy does not accept as a user attribute: use another name, e.g. userId or userDirectory, in both the QMC and here`,
    });
  }
  return name;
}

/**
 * Adds claims to a payload, refusing any name already set: a duplicate would silently override a value
 * the user gave through a dedicated option.
 */
const OPTION_FOR_CLAIM: Readonly<Record<string, string>> = {
  iss: 'issuer',
  sub: 'subject',
  aud: 'audience',
  exp: 'expires',
  nbf: 'notBefore',
  iat: 'issuedAt',
  jti: 'jwtId',
};

/** Sets a claim as an own property, so names such as "__proto__" or "constructor" are plain claims. */
export function setClaim(payload: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(payload, name, { value, enumerable: true, writable: true, configurable: true });
}

export function addExtraClaims(
  payload: Record<string, unknown>,
  extra: Readonly<Record<string, unknown>> | undefined,
): void {
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (isRegisteredClaim(name)) {
      throw optionError(ClaimError, 'CLAIM_CONFLICT', {
        option: 'claims',
        value: name,
        reason: 'is a registered claim set by its own option',
        instead: OPTION_FOR_CLAIM[name],
      });
    }
    if (Object.hasOwn(payload, name)) {
      throw optionError(ClaimError, 'CLAIM_CONFLICT', {
        option: 'claims',
        value: name,
        reason: 'is already set by its own option: set it there instead of as an extra claim',
      });
    }
    if (value === undefined) continue;
    setClaim(payload, name, value);
  }
}
