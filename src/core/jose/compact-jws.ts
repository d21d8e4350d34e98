import { sign, verify, type KeyObject } from 'node:crypto';
import { TokenFormatError } from '../errors.js';
import { hashForAlgorithm, requireRsaAlgorithm, type RsaAlgorithm } from './algorithms.js';

/** JOSE header fields this toolkit writes. */
export interface JwsHeader {
  alg: RsaAlgorithm;
  typ?: 'JWT';
  kid?: string;
  [name: string]: unknown;
}

export type JwtPayload = Record<string, unknown>;

function base64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}

/** One part of a compact JWS: base64url of the JSON.stringify text, so equal inputs give equal tokens. */
export function encodeJsonPart(value: JwsHeader | JwtPayload): string {
  return base64url(JSON.stringify(value));
}

/** The JWS signing input (RFC 7515 §5.1) of a header and payload. */
export function encodeSigningInput(header: JwsHeader, payload: JwtPayload): string {
  return `${encodeJsonPart(header)}.${encodeJsonPart(payload)}`;
}

/**
 * Signs a signing input and returns the compact JWS. Signing runs straight on Node's OpenSSL with an
 * already parsed KeyObject: this is the hot path of batch minting, and a JOSE library's async
 * WebCrypto route costs several times more per token.
 */
export function signSigningInput(signingInput: string, key: KeyObject, alg: RsaAlgorithm): string {
  // Checked here too, not only by the token builders: JavaScript callers bypass the type, and an
  // unknown name would otherwise fall back to SHA-256 under a header claiming something else.
  requireRsaAlgorithm(alg);
  const signature = sign(hashForAlgorithm(alg), Buffer.from(signingInput, 'ascii'), key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * signSigningInput on libuv's thread pool (Node's callback form of crypto.sign): a server that mints
 * per request (the workbench, the bridge) keeps its event loop free while OpenSSL signs, and signs on
 * as many cores as the pool has threads. Each call adds a hand-over to a pool thread and back, so code
 * that signs many tokens in a row on threads of its own (batch workers) keeps the synchronous form.
 */
export async function signSigningInputAsync(signingInput: string, key: KeyObject, alg: RsaAlgorithm): Promise<string> {
  // In an async function, so a wrong algorithm rejects like every other failure instead of throwing.
  requireRsaAlgorithm(alg);
  return new Promise((resolve, reject) => {
    sign(hashForAlgorithm(alg), Buffer.from(signingInput, 'ascii'), key, (error, signature) => {
      if (error) reject(error);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}

/**
 * Signs exact header and payload bytes. Kept byte-level so published test vectors, whose JSON has its
 * own whitespace, can be reproduced exactly.
 */
export function signCompactBytes(
  headerBytes: Uint8Array,
  payloadBytes: Uint8Array,
  key: KeyObject,
  alg: RsaAlgorithm,
): string {
  return signSigningInput(`${base64url(headerBytes)}.${base64url(payloadBytes)}`, key, alg);
}

/** Signs a JWT: the header and payload are serialised with JSON.stringify, so equal inputs give equal tokens. */
export function signJwt(header: JwsHeader, payload: JwtPayload, key: KeyObject): string {
  return signSigningInput(encodeSigningInput(header, payload), key, header.alg);
}

/** The three parts of a compact JWS, split but not yet trusted. */
export interface CompactParts {
  signingInput: string;
  header: string;
  payload: string;
  signature: string;
}

export function splitCompact(token: string): CompactParts {
  const parts = token.split('.');
  if (parts.length === 5) {
    throw new TokenFormatError(
      'TOKEN_MALFORMED',
      'the token has five parts, so it is an encrypted JWT (JWE): Qlik Sense accepts only signed JWTs (three parts)',
    );
  }
  if (parts.length !== 3) {
    throw new TokenFormatError(
      'TOKEN_MALFORMED',
      `the token has ${parts.length} dot-separated part${parts.length === 1 ? '' : 's'}: a signed JWT has three (header.payload.signature)`,
    );
  }
  const [header, payload, signature] = parts as [string, string, string];
  return { signingInput: `${header}.${payload}`, header, payload, signature };
}

/** Checks an RSA signature over the signing input; no claim is looked at here. */
export function verifyCompactSignature(parts: CompactParts, key: KeyObject, alg: RsaAlgorithm): boolean {
  return verify(
    hashForAlgorithm(alg),
    Buffer.from(parts.signingInput, 'ascii'),
    key,
    Buffer.from(parts.signature, 'base64url'),
  );
}
