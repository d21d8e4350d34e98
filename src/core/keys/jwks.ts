import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { KeyError } from '../errors.js';
import type { VerificationKey } from '../lint/verify-token.js';
import { keySourceToText, type KeySource } from './key-input.js';

export interface JwksReading {
  keys: VerificationKey[];
  /** What was left out and why (shared-secret keys), for the caller to show as notes. */
  notes: string[];
}

function keyName(index: number, kid: unknown): string {
  return `JWKS key ${index + 1}${typeof kid === 'string' ? ` (kid ${kid})` : ''}`;
}

/**
 * Reads a JWK Set (`{"keys":[...]}`) into keys with their IDs. Shared-secret (`oct`) keys are left out
 * with a note: HMAC is never accepted, and a secret cannot be made into a public key. A set with no
 * RSA key at all is refused, since Qlik verifies with RSA only. Other keys are not refused for type or
 * size: verify reports those as findings against the token that selects them.
 */
export function readJwks(source: KeySource): JwksReading {
  let value: unknown;
  try {
    value = JSON.parse(keySourceToText(source));
  } catch {
    throw new KeyError(
      'KEY_UNRECOGNISED',
      'the JWKS is not valid JSON: give a JWK Set such as {"keys":[{"kty":"RSA",...}]}',
    );
  }
  const members = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(members)) {
    throw new KeyError('KEY_UNRECOGNISED', 'the JSON has no "keys" array: give a JWK Set such as {"keys":[...]}');
  }
  if (members.length === 0) {
    throw new KeyError(
      'KEY_EMPTY',
      'the JWKS has no keys ("keys" is empty): add the RSA public key that signs the tokens',
    );
  }
  const keys: VerificationKey[] = [];
  const notes: string[] = [];
  members.forEach((jwk: unknown, index) => {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      throw new KeyError('KEY_INVALID', `JWKS key ${index + 1} is not an object`);
    }
    const { kid, kty } = jwk as Record<string, unknown>;
    if (kty === 'oct') {
      notes.push(
        `${keyName(index, kid)} is a shared secret (kty "oct", for HMAC) and is skipped: ` +
          'Qlik verifies with RSA keys only',
      );
      return;
    }
    try {
      const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      keys.push({ key, kid: typeof kid === 'string' ? kid : undefined });
    } catch (error) {
      const why = (error as Error).message.split('\n')[0] ?? 'unreadable';
      throw new KeyError('KEY_INVALID', `${keyName(index, kid)} cannot be read (${why}): export the JWKS again`);
    }
  });
  if (keys.length === 0) {
    throw new KeyError(
      'KEY_NOT_RSA',
      'the JWKS holds only shared secrets (kty "oct", for HMAC), which Qlik never ' +
        'accepts: give a JWKS with the RSA public key that signs the tokens',
    );
  }
  if (!keys.some(({ key }) => key.asymmetricKeyType === 'rsa')) {
    const types = [...new Set(keys.map(({ key }) => (key.asymmetricKeyType ?? 'unknown').toUpperCase()))].join(', ');
    throw new KeyError(
      'KEY_NOT_RSA',
      `the JWKS has no RSA key (only ${types}): Qlik verifies RS256/RS384/RS512 ` +
        'tokens with RSA keys, so give the RSA public key that signs the tokens',
    );
  }
  return { keys, notes };
}

/** The keys of a JWK Set; see readJwks, which also says which keys were skipped. */
export function loadJwks(source: KeySource): VerificationKey[] {
  return readJwks(source).keys;
}
