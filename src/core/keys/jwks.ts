import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { KeyError } from '../errors.js';
import type { VerificationKey } from '../lint/verify-token.js';
import { keySourceToText, type KeySource } from './key-input.js';

/**
 * Reads a JWK Set (`{"keys":[...]}`) into keys with their IDs. Keys are not refused here for type or
 * size: verify reports those as findings against the token that selects them.
 */
export function loadJwks(source: KeySource): VerificationKey[] {
  let value: unknown;
  try {
    value = JSON.parse(keySourceToText(source));
  } catch {
    throw new KeyError('KEY_UNRECOGNISED', 'the JWKS is not valid JSON: give a JWK Set such as {"keys":[{"kty":"RSA",...}]}');
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new KeyError('KEY_UNRECOGNISED', 'the JSON has no "keys" array: give a JWK Set such as {"keys":[...]}');
  return keys.map((jwk: unknown, index) => {
    if (typeof jwk !== 'object' || jwk === null) throw new KeyError('KEY_INVALID', `JWKS key ${index + 1} is not an object`);
    const { kid } = jwk as Record<string, unknown>;
    try {
      return { key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), kid: typeof kid === 'string' ? kid : undefined };
    } catch (error) {
      throw new KeyError('KEY_INVALID', `JWKS key ${index + 1}${typeof kid === 'string' ? ` (kid ${kid})` : ''} cannot be read: ${(error as Error).message}`);
    }
  });
}
