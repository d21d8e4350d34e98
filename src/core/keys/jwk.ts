import type { JsonWebKey, KeyObject } from 'node:crypto';

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
 * a good `kid` for a Qlik Cloud identity provider. EC and OKP keys have one too (for describing them).
 */
export async function jwkThumbprint(publicKey: KeyObject): Promise<string> {
  const { calculateJwkThumbprint } = await import('jose');
  // jose takes only the members RFC 7638 names for the key type, so private members never count.
  const jwk = publicKey.export({ format: 'jwk' }) as Parameters<typeof calculateJwkThumbprint>[0];
  return calculateJwkThumbprint(jwk, 'sha256');
}
