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
 * a good `kid` for a Qlik Cloud identity provider.
 */
export async function jwkThumbprint(publicKey: KeyObject): Promise<string> {
  const { calculateJwkThumbprint } = await import('jose');
  const { n, e } = toJwk(publicKey);
  return calculateJwkThumbprint({ kty: 'RSA', n, e }, 'sha256');
}
