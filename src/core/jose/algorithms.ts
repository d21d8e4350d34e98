import { AlgorithmError, optionError } from '../errors.js';

/** The only JWS algorithms Qlik Sense accepts (RSASSA-PKCS1-v1_5). */
export const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512'] as const;
export type RsaAlgorithm = (typeof RSA_ALGORITHMS)[number];

const HASH: Readonly<Record<RsaAlgorithm, 'sha256' | 'sha384' | 'sha512'>> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
};

export function isRsaAlgorithm(alg: unknown): alg is RsaAlgorithm {
  return typeof alg === 'string' && (RSA_ALGORITHMS as readonly string[]).includes(alg);
}

export function hashForAlgorithm(alg: RsaAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return HASH[alg];
}

/** Returns the algorithm when Qlik accepts it; otherwise an error that says why the asked one is refused. */
export function requireRsaAlgorithm(alg: unknown): RsaAlgorithm {
  if (isRsaAlgorithm(alg)) return alg;
  const named = typeof alg === 'string' ? alg : JSON.stringify(alg);
  const upper = typeof alg === 'string' ? alg.toUpperCase() : '';
  let why = 'Qlik Sense accepts RS256, RS384 and RS512 only';
  if (upper === 'NONE') why = 'unsigned tokens are never accepted; use RS256';
  else if (upper.startsWith('HS'))
    why = 'HMAC shares one secret with the verifier and Qlik Sense does not accept it; use RS256 with an RSA key';
  else if (upper.startsWith('ES') || upper.startsWith('PS') || upper === 'EDDSA')
    why = `Qlik Sense does not accept ${named}; use RS256, RS384 or RS512 with an RSA key`;
  else if (isRsaAlgorithm(upper)) why = `algorithm names are case-sensitive: write ${upper}`;
  throw optionError(AlgorithmError, 'ALG_UNSUPPORTED', {
    option: 'algorithm',
    value: named,
    reason: `is not supported: ${why}`,
  });
}
