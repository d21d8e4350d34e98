import { errors } from 'jose';

/**
 * Why the bridge refused a credential: a stable code for logs and clients, and a description for the
 * RFC 6750 `error_description` (quoted-string: no quotes or backslashes, printable ASCII only).
 */
export type RefusalCode =
  | 'no_token'
  | 'malformed'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'invalid_claim'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'keys_unavailable';

export interface Refusal {
  code: RefusalCode;
  description: string;
}

export function refusal(code: RefusalCode, description: string): Refusal {
  return {
    code,
    description: description
      .replace(/["\\]/g, "'")
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, 300),
  };
}

function claimRefusal(claim: string, reason: string, message: string): Refusal {
  if (claim === 'iss') return refusal('wrong_issuer', 'the token was issued by an issuer that is not configured');
  if (claim === 'aud') return refusal('wrong_audience', 'the token is meant for an audience that is not configured');
  if (claim === 'nbf') return refusal('not_yet_valid', 'the token is not valid yet (nbf is in the future)');
  if (reason === 'missing') return refusal('missing_claim', `the token has no "${claim}" claim`);
  return refusal('invalid_claim', `the "${claim}" claim is not valid: ${message}`);
}

/** The refusal for an error thrown by jose's jwtVerify; undefined for errors that are not the token's fault. */
export function refusalFromJose(error: unknown): Refusal | undefined {
  if (error instanceof errors.JWTExpired) return refusal('expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return claimRefusal(error.claim, error.reason, error.message);
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    const allowed = 'only RS*, PS* and ES* with the IdP keys';
    return refusal('algorithm_not_allowed', `the token is signed with an algorithm that is not allowed (${allowed})`);
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return refusal('unknown_key', "no key of the identity provider's key set matches the token's kid and alg");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refusal('bad_signature', 'the token signature does not verify');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JWKInvalid) {
    return refusal('malformed', `the token is not a valid signed JWT: ${error.message}`);
  }
  // jose checks the key it was given (RSA under 2048 bits, a key of the wrong type) with TypeErrors.
  if (error instanceof TypeError && /key/i.test(error.message)) {
    return refusal('unknown_key', `the identity provider's key for this token is not usable: ${error.message}`);
  }
  return undefined;
}

/** RFC 6750 §3: the WWW-Authenticate value for a refused or missing Bearer token. */
export function wwwAuthenticate(reason: Refusal): string {
  // §3.1: a request without any authentication information gets no error code.
  if (reason.code === 'no_token') return 'Bearer realm="qs-jwt bridge"';
  return `Bearer realm="qs-jwt bridge", error="invalid_token", error_description="${reason.description}"`;
}
