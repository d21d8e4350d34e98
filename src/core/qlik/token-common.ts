import { randomFillSync, type KeyObject } from 'node:crypto';
import { ClaimError, KeyError } from '../errors.js';
import { requireRsaAlgorithm, type RsaAlgorithm } from '../jose/algorithms.js';
import { encodeSigningInput, signSigningInput, type JwsHeader, type JwtPayload } from '../jose/compact-jws.js';
import { loadPrivateKey, requireUsableRsa, type KeySource } from '../keys/key-input.js';
import { isoTime, type TimeWindowInput } from '../time/token-window.js';
import { toUnixSeconds } from '../time/instant.js';

/** Options every token kind shares. */
export interface TokenOptionsBase extends TimeWindowInput {
  /** RSA private key: a parsed KeyObject (fastest when minting many), or PEM/DER/JWK. */
  privateKey: KeyObject | KeySource;
  /** Passphrase when `privateKey` is encrypted PEM. */
  passphrase?: string | undefined;
  /** RS256 (default), RS384 or RS512. */
  algorithm?: RsaAlgorithm | undefined;
  /** `kid` header. */
  keyId?: string | undefined;
  /** `jti` claim; default: 128 random bits, base64url. */
  jwtId?: string | undefined;
  /** The clock, in Unix seconds; default: the system clock. For reproducible tokens and tests. */
  now?: number | undefined;
}

/** A minted token and what went into it. */
export interface CreatedToken {
  token: string;
  header: JwsHeader;
  payload: JwtPayload;
  expiresAt: string;
  /** Things Qlik accepts but that are probably not meant (long lifetimes, unusual audiences). */
  warnings: string[];
}

/**
 * A token built and checked but not yet signed. Batch minting prepares a whole chunk of rows and then
 * signs them in one run: alternating between building one token in JavaScript and signing it in
 * OpenSSL left each side's code and data cold in the CPU caches, which cost ~25 µs per token.
 */
export interface UnsignedToken {
  header: JwsHeader;
  payload: JwtPayload;
  signingInput: string;
  key: KeyObject;
  warnings: string[];
}

export function unsignedToken(header: JwsHeader, payload: JwtPayload, key: KeyObject, warnings: string[]): UnsignedToken {
  return { header, payload, signingInput: encodeSigningInput(header, payload), key, warnings };
}

/** The compact JWS of a prepared token. */
export function signPrepared(unsigned: UnsignedToken): string {
  return signSigningInput(unsigned.signingInput, unsigned.key, unsigned.header.alg);
}

export function signedToken(unsigned: UnsignedToken): CreatedToken {
  const { header, payload, warnings } = unsigned;
  return { token: signPrepared(unsigned), header, payload, expiresAt: expiresAt(payload), warnings };
}

// One kernel call fills entropy for 256 token IDs; a call per token showed up in batch profiles.
const ID_BYTES = 16;
const idPool = Buffer.alloc(ID_BYTES * 256);
let idOffset = idPool.length;

/** 128 random bits, base64url: a fresh `jti`. */
export function randomJwtId(): string {
  if (idOffset >= idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}

export function resolveSigningKey(options: TokenOptionsBase): KeyObject {
  const key = options.privateKey;
  if (typeof key === 'string' || key instanceof Uint8Array) return loadPrivateKey(key, { passphrase: options.passphrase });
  if (key.type !== 'private') {
    throw new KeyError('KEY_NOT_PRIVATE', `privateKey is a ${key.type} KeyObject: signing needs the private key`);
  }
  return requireUsableRsa(key, 'private');
}

export function buildHeader(options: TokenOptionsBase): JwsHeader {
  const alg = requireRsaAlgorithm(options.algorithm ?? 'RS256');
  const header: JwsHeader = { alg, typ: 'JWT' };
  if (options.keyId !== undefined) header.kid = requireText(options.keyId, 'key ID (kid)');
  return header;
}

export function currentTime(options: TokenOptionsBase): number {
  return options.now ?? toUnixSeconds(new Date());
}

export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ClaimError('CLAIM_INVALID', `${what} is required and must be a non-empty string`);
  }
  return value;
}

export function requireGroups(groups: readonly unknown[] | undefined): string[] | undefined {
  if (groups === undefined) return undefined;
  return groups.map((group, index) => requireText(group, `group ${index + 1}`));
}

export function expiresAt(payload: JwtPayload): string {
  return isoTime(payload['exp'] as number);
}
