import type { KeyObject } from 'node:crypto';
import type { RsaAlgorithm } from '../core/jose/algorithms.js';
import { qseowTokenMinter } from '../core/qlik/qseow-token.js';
import { identityKey, type MappedUser } from './claim-mapping.js';
import { createMintedTokenCache, recallMinted, rememberMinted, type MintedToken } from './minted-token-cache.js';

/**
 * The QSEoW tokens the bridge hands to Qlik: minted by the core's qseowTokenMinter (the same code as
 * `qs-jwt create qseow`) and cached per identity from its second request on. Each carries the bridge's
 * key ID, so the bridge can recognise a token it minted itself when a front end sends one back (the
 * token endpoint's flow).
 */
export const BRIDGE_KEY_ID = 'qs-jwt-bridge';

export interface BridgeMintSettings {
  privateKey: KeyObject;
  algorithm: RsaAlgorithm;
  /** Seconds. */
  lifetimeSeconds: number;
  userIdAttribute?: string | undefined;
  userDirectoryAttribute?: string | undefined;
  groupsAttribute?: string | undefined;
  /** Claim names --attribute adds to every token: checked once at start-up against Qlik's and the minter's names. */
  attributeNames?: readonly string[] | undefined;
  /** Whether tokens will carry groups (a groups claim is mapped), for the same start-up check. */
  withGroups?: boolean | undefined;
  cacheCapacity?: number | undefined;
}

export interface BridgeMinter {
  /**
   * A token for the user valid at `now` (Unix seconds): cached, or minted now. Signed on libuv's
   * thread pool, so the event loop goes on proxying while OpenSSL signs; concurrent requests of one new
   * identity share a single signature.
   */
  tokenFor: (user: MappedUser, now: number) => Promise<MintedToken>;
  cachedIdentities: () => number;
}

export function createBridgeMinter(settings: BridgeMintSettings): BridgeMinter {
  const shared = {
    privateKey: settings.privateKey,
    algorithm: settings.algorithm,
    keyId: BRIDGE_KEY_ID,
    userIdAttribute: settings.userIdAttribute,
    userDirectoryAttribute: settings.userDirectoryAttribute,
    groupsAttribute: settings.groupsAttribute,
  };
  // Checks the shared settings once, at start-up, so a bad attribute name stops the bridge, not a request.
  const minter = qseowTokenMinter({ ...shared, expires: `${settings.lifetimeSeconds}s` });
  // A sample user with every mapped claim: a reserved or clashing attribute name fails here, not per request.
  minter.prepare({
    userId: 'start-up-check',
    userDirectory: 'start-up-check',
    groups: settings.withGroups ? ['start-up-check'] : undefined,
    claims: Object.fromEntries((settings.attributeNames ?? []).map((name) => [name, 'start-up-check'])),
  });
  const cache = createMintedTokenCache(settings.cacheCapacity);
  // Identities being signed for right now: at most one entry per request in flight.
  const signing = new Map<string, Promise<MintedToken>>();
  const mint = async (identity: string, user: MappedUser): Promise<MintedToken> => {
    try {
      const created = await minter.createAsync(user);
      const minted = { token: created.token, expiresAt: created.payload['exp'] as number };
      rememberMinted(cache, identity, minted, created.payload['iat'] as number);
      return minted;
    } finally {
      signing.delete(identity);
    }
  };
  return {
    tokenFor: (user, now) => {
      const identity = identityKey(user);
      const known = recallMinted(cache, identity, now);
      if (known) return Promise.resolve(known);
      let pending = signing.get(identity);
      if (!pending) {
        pending = mint(identity, user);
        signing.set(identity, pending);
      }
      return pending;
    },
    cachedIdentities: () => cache.entries.size,
  };
}
