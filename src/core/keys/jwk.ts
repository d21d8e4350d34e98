import { createHash, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface RsaJwk extends JsonWebKey {
  kty: 'RSA';
  n: string;
  e: string;
  kid?: string;
}

export function toJwk(key: KeyObject): RsaJwk {
  return key.export({ format: 'jwk' }) as RsaJwk;
}

/**
 * RFC 7638 thumbprint (SHA-256) of the public key: a stable key ID derived from the key itself,
 * a good `kid` for a Qlik Cloud identity provider.
 */
export async function jwkThumbprint(publicKey: KeyObject): Promise<string> {
  // The required RSA members in lexicographic order, no whitespace (RFC 7638 §3.2), hashed here:
  // importing jose for this started Node's ESM loader (~30 ms) in every command that shows a kid.
  const { n, e } = toJwk(publicKey);
  return createHash('sha256').update(`{"e":"${e}","kty":"RSA","n":"${n}"}`).digest('base64url');
}
