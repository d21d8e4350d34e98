import { createHash, type JsonWebKey, type KeyObject } from 'node:crypto';
import { KeyError } from '../errors.js';

export interface RsaJwk extends JsonWebKey {
  kty: 'RSA';
  n: string;
  e: string;
  kid?: string;
}

export function toJwk(key: KeyObject): RsaJwk {
  return key.export({ format: 'jwk' }) as RsaJwk;
}

/** RFC 7638 §3.2: the members that make up a thumbprint, per key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * RFC 7638 thumbprint (SHA-256) of the public key: a stable key ID derived from the key itself,
 * a good `kid` for a Qlik Cloud identity provider. EC and OKP keys have one too (for describing them).
 */
export async function jwkThumbprint(publicKey: KeyObject): Promise<string> {
  return jwkThumbprintSync(publicKey);
}

/** jwkThumbprint, for callers that compute it on first use from a synchronous getter. */
export function jwkThumbprintSync(publicKey: KeyObject): string {
  // The required members of the key type in lexicographic order, no whitespace (RFC 7638 §3.2),
  // hashed here: importing jose for this started Node's ESM loader (~30 ms) in every command that shows
  // a kid. Only these members count, so private members never do.
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const members = THUMBPRINT_MEMBERS[String(jwk['kty'])];
  if (members === undefined)
    throw new KeyError('KEY_UNRECOGNISED', `a ${String(jwk['kty'])} key has no RFC 7638 thumbprint`);
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}
