import { constants, KeyObject, verify, type VerifyKeyObjectInput, type webcrypto } from 'node:crypto';
import { types } from 'node:util';
import {
  decodeProtectedHeader,
  errors,
  type CompactJWSHeaderParameters,
  type JWTVerifyGetKey,
  type ProtectedHeaderParameters,
} from 'jose';

/**
 * The signature half of verifying an identity provider's compact JWS: structure, header, algorithm,
 * the key the key set chooses (jose's remote JWKS: kid, kty, alg, use), and the signature itself, on
 * node:crypto synchronously. jose's jwtVerify does the same through WebCrypto, which hands every
 * check to a thread and back: for an RSA-2048 token that cost the bridge about twice the CPU of the
 * check itself (docs/performance.md, #14). Failures throw jose's own error classes, so one mapping
 * (refusalFromJose) explains both paths, and test/bridge-signature-parity.test.ts holds this module to
 * jose's verdicts on the same tokens.
 *
 * Choices, stricter than jose: a token with a `crit` header is refused as malformed (jose accepts
 * `crit: ["b64"]` with `b64: true` and refuses other names as unsupported); segments must be unpadded
 * base64url. No identity provider sends either in an access token.
 */

interface SignatureScheme {
  hash: 'sha256' | 'sha384' | 'sha512';
  /** The WebCrypto algorithm the key set imported the key for (jose imports per the token's alg). */
  keyAlgorithm: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' | 'ECDSA';
  curve?: 'P-256' | 'P-384' | 'P-521';
}

const SCHEMES: Readonly<Record<string, SignatureScheme>> = {
  RS256: { hash: 'sha256', keyAlgorithm: 'RSASSA-PKCS1-v1_5' },
  RS384: { hash: 'sha384', keyAlgorithm: 'RSASSA-PKCS1-v1_5' },
  RS512: { hash: 'sha512', keyAlgorithm: 'RSASSA-PKCS1-v1_5' },
  PS256: { hash: 'sha256', keyAlgorithm: 'RSA-PSS' },
  PS384: { hash: 'sha384', keyAlgorithm: 'RSA-PSS' },
  PS512: { hash: 'sha512', keyAlgorithm: 'RSA-PSS' },
  ES256: { hash: 'sha256', keyAlgorithm: 'ECDSA', curve: 'P-256' },
  ES384: { hash: 'sha384', keyAlgorithm: 'ECDSA', curve: 'P-384' },
  ES512: { hash: 'sha512', keyAlgorithm: 'ECDSA', curve: 'P-521' },
};

const MIN_RSA_BITS = 2048;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * Unpadded base64url, as RFC 7515 §2 has compact JWS segments. Choice, stricter than jose: on Node 20
 * jose decodes with atob, which also takes `=` padding and white space.
 */
function isBase64url(segment: string): boolean {
  return segment.length % 4 !== 1 && BASE64URL.test(segment);
}

export interface VerifiedSignature {
  header: ProtectedHeaderParameters;
  /** The payload segment exactly as signed (base64url), for the claim checks. */
  payloadSegment: string;
}

/** node:crypto KeyObjects of the key set's CryptoKeys: jose's remote set hands out the same object per key. */
const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

/** The key as node:crypto wants it, after the checks jose makes of a key before it verifies with it. */
function verificationKey(key: unknown, alg: string, scheme: SignatureScheme): VerifyKeyObjectInput {
  if (!types.isCryptoKey(key)) throw new TypeError(`the key set returned a key that is not a CryptoKey for ${alg}`);
  const algorithm = key.algorithm as Partial<webcrypto.RsaHashedKeyAlgorithm & webcrypto.EcKeyAlgorithm>;
  const hash = algorithm.hash?.name.replace('-', '').toLowerCase();
  const fits =
    algorithm.name === scheme.keyAlgorithm &&
    key.usages.includes('verify') &&
    (scheme.curve ? algorithm.namedCurve === scheme.curve : hash === scheme.hash);
  if (!fits) throw new TypeError(`the key set returned a key that is not a ${alg} verification key`);
  if (!scheme.curve && (algorithm.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new TypeError(`${alg} requires an RSA key of ${MIN_RSA_BITS} bits or more`);
  }
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = KeyObject.from(key);
    keyObjects.set(key, keyObject);
  }
  if (scheme.keyAlgorithm === 'RSA-PSS') {
    // The salt is as long as the hash, as JWA (RFC 7518 §3.5) and jose's WebCrypto call have it.
    return { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  }
  // JWS carries ECDSA signatures as r || s (RFC 7518 §3.4), not DER.
  return scheme.curve ? { key: keyObject, dsaEncoding: 'ieee-p1363' } : { key: keyObject };
}

function protectedHeader(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch (cause) {
    throw new errors.JWSInvalid('JWS Protected Header is invalid', { cause });
  }
}

/**
 * Verifies the signature of a compact JWS whose alg is one of `algorithms`, with the key `getKey`
 * chooses from the header. Resolves to the header and the signed payload segment; rejects with jose's
 * errors (and whatever `getKey` throws).
 */
export async function verifyCompactSignature(
  token: string,
  getKey: JWTVerifyGetKey,
  algorithms: readonly string[],
): Promise<VerifiedSignature> {
  const segments = token.split('.');
  if (segments.length !== 3) throw new errors.JWSInvalid('Invalid Compact JWS');
  const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = segments;
  if (!isBase64url(headerSegment)) throw new errors.JWSInvalid('JWS Protected Header is invalid');
  const header = protectedHeader(token);
  if (header.crit !== undefined) throw new errors.JWSInvalid('the token names critical header parameters');
  const { alg } = header;
  if (typeof alg !== 'string' || !alg) throw new errors.JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing');
  const scheme = algorithms.includes(alg) && Object.hasOwn(SCHEMES, alg) ? SCHEMES[alg] : undefined;
  if (!scheme) {
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  }
  // Checked in jose's order (ASCII payload, key, signature encoding, key fitness, signature), so a
  // token with several faults gets the refusal jose would give it.
  if (NON_ASCII.test(payloadSegment)) throw new errors.JWSInvalid('The payload is not a valid base64url string');
  const chosen = await getKey(header as CompactJWSHeaderParameters, {
    payload: payloadSegment,
    signature: signatureSegment,
  });
  if (!isBase64url(signatureSegment)) throw new errors.JWSInvalid('Failed to base64url decode the signature');
  const key = verificationKey(chosen, alg, scheme);
  let verified: boolean;
  try {
    const signingInput = Buffer.from(`${headerSegment}.${payloadSegment}`, 'latin1');
    verified = verify(scheme.hash, signingInput, key, Buffer.from(signatureSegment, 'base64url'));
  } catch (cause) {
    throw new errors.JWSSignatureVerificationFailed(undefined, { cause });
  }
  if (!verified) throw new errors.JWSSignatureVerificationFailed();
  return { header, payloadSegment };
}
