import { createPublicKey, type KeyObject } from 'node:crypto';
import type { RsaAlgorithm } from '../../core/jose/algorithms.js';
import { QSEOW_DEFAULTS } from '../../core/qlik/qseow-token.js';
import { createBridgeAuthenticator } from '../bridge-auth.js';
import { createBridgeMinter } from '../bridge-minter.js';
import type { ClaimMapping } from '../claim-mapping.js';
import { createJwksSource } from './jwks-source.js';
import { startBridge, type BridgeLimits, type RunningBridge } from './bridge-server.js';

/** Everything `qs-jwt bridge qseow` needs, resolved: the one place the bridge's parts are put together. */
export interface BridgeSettings {
  prefix: string;
  upstream: URL;
  upstreamCa?: string | undefined;
  host: string;
  port: number;
  tls?: { cert: string; key: string } | undefined;
  allowOrigins: readonly string[];
  sessionCookie?: string | undefined;
  jwksUrl: URL;
  issuers: readonly string[];
  audiences: readonly string[];
  clockToleranceSeconds: number;
  jwksCooldownMs: number;
  jwksRefreshMs: number;
  jwksMaxStaleMs: number;
  mapping: ClaimMapping;
  privateKey: KeyObject;
  algorithm: RsaAlgorithm;
  lifetimeSeconds: number;
  userIdAttribute?: string | undefined;
  userDirectoryAttribute?: string | undefined;
  limits?: Partial<BridgeLimits> | undefined;
  log?: ((line: string) => void) | undefined;
}

export async function startBridgeApp(settings: BridgeSettings): Promise<RunningBridge> {
  const jwks = createJwksSource({
    url: settings.jwksUrl,
    refreshMs: settings.jwksRefreshMs,
    cooldownMs: settings.jwksCooldownMs,
    maxStaleMs: settings.jwksMaxStaleMs,
    timeoutMs: 5000,
  });
  const minter = createBridgeMinter({
    privateKey: settings.privateKey,
    algorithm: settings.algorithm,
    lifetimeSeconds: settings.lifetimeSeconds,
    userIdAttribute: settings.userIdAttribute,
    userDirectoryAttribute: settings.userDirectoryAttribute,
    attributeNames: settings.mapping.attributes.map((attribute) => attribute.name),
    withGroups: settings.mapping.groupsClaim !== undefined,
  });
  const authenticator = createBridgeAuthenticator({
    getKey: jwks.getKey,
    policy: {
      issuers: settings.issuers,
      audiences: settings.audiences,
      clockToleranceSeconds: settings.clockToleranceSeconds,
    },
    mapping: settings.mapping,
    minter,
    ownPublicKey: createPublicKey(settings.privateKey),
    ownAlgorithm: settings.algorithm,
    userIdAttribute: settings.userIdAttribute ?? QSEOW_DEFAULTS.userIdAttribute,
    userDirectoryAttribute: settings.userDirectoryAttribute ?? QSEOW_DEFAULTS.userDirectoryAttribute,
  });
  return startBridge({
    prefix: settings.prefix,
    upstream: settings.upstream,
    upstreamCa: settings.upstreamCa,
    host: settings.host,
    port: settings.port,
    tls: settings.tls,
    allowOrigins: settings.allowOrigins,
    sessionCookie: settings.sessionCookie,
    authenticator,
    jwks,
    limits: settings.limits,
    log: settings.log,
  });
}
