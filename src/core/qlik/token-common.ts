import { randomFillSync, type KeyObject } from 'node:crypto';
import { ClaimError, KeyError, optionError } from '../errors.js';
import { requireRsaAlgorithm, type RsaAlgorithm } from '../jose/algorithms.js';
import type { JwsHeader, JwtPayload } from '../jose/compact-jws.js';
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
  if (typeof key === 'string' || key instanceof Uint8Array)
    return loadPrivateKey(key, { passphrase: options.passphrase });
  if (key.type !== 'private') {
    throw new KeyError('KEY_NOT_PRIVATE', `privateKey is a ${key.type} KeyObject: signing needs the private key`);
  }
  return requireUsableRsa(key, 'private');
}

export function buildHeader(options: TokenOptionsBase): JwsHeader {
  const alg = requireRsaAlgorithm(options.algorithm ?? 'RS256');
  const header: JwsHeader = { alg, typ: 'JWT' };
  if (options.keyId !== undefined) header.kid = requireText(options.keyId, 'keyId');
  return header;
}

export function currentTime(options: TokenOptionsBase): number {
  return options.now ?? toUnixSeconds(new Date());
}

/** `option` is the library option's name (keyId, userId…), so adapters can point at their own input. */
export function requireText(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw optionError(ClaimError, 'CLAIM_INVALID', {
      option,
      value,
      reason: 'is required and must be a non-empty string',
    });
  }
  return value;
}

export function requireGroups(groups: readonly unknown[] | undefined): string[] | undefined {
  if (groups === undefined) return undefined;
  // A loop, not groups.map(): this runs per token in batch, and V8's inlined map() gave up its compiled
  // code (a deoptimisation, then a second compilation) when the arrays' internal shape changed.
  const checked: string[] = [];
  for (let index = 0; index < groups.length; index += 1) {
    const group = groups[index];
    if (typeof group !== 'string' || group.trim() === '') {
      throw optionError(ClaimError, 'CLAIM_INVALID', {
        option: 'groups',
        value: group,
        reason: `group ${index + 1} must be a non-empty string`,
      });
    }
    checked.push(group);
  }
  return checked;
}

export function expiresAt(payload: JwtPayload): string {
  return isoTime(payload['exp'] as number);
}
