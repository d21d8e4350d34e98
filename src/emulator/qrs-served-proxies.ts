import { loadPublicKey } from '../core/keys/key-input.js';
import { reflowPem } from '../core/keys/pem-blocks.js';
import { defaultCookieName, type AttributeMapping, type VirtualProxyConfig } from './emulator-config.js';
import { AUTHENTICATION_METHOD_JWT, linkedToCentral, type QrsEntity, type QrsRepository } from './qrs-repository.js';
import { createVirtualProxy, type VirtualProxy } from './qseow-proxy.js';
import { refusal, type Refusal } from './refusal-codes.js';

/**
 * Which JWT virtual proxies of the repository serve requests, rebuilt after every QRS write. A JWT
 * virtual proxy linked to the central proxy serves at its prefix with the certificate and attribute
 * names stored through QRS; one not linked answers every request with 400 "The http request header
 * is incorrect" (what a real multi-node site answers, P24); one without a usable certificate or
 * attribute names refuses every request (EMU011).
 */

export const UNLINKED_TEXT = 'The http request header is incorrect';

export interface ServedProxies {
  generation: number;
  restarts: number;
  proxies: VirtualProxy[];
  /** Prefixes of JWT virtual proxies that exist but cannot serve, and why. */
  refused: Map<string, Refusal>;
  /** Built proxies by entity id and modifiedDate: sessions survive writes to other entities. */
  built: Map<string, { modifiedDate: string; proxy: VirtualProxy }>;
}

export interface ServeSettings {
  secure: boolean;
  maxSessions: number;
  maxVerifiedTokens: number;
  /** Emulator-only settings (websocket CSRF, apps, upstream…) of the proxies given at start, by prefix. */
  extras: ReadonlyMap<string, VirtualProxyConfig>;
}

/** The certificate check QRS writes use: a PEM (also on one line, as pasted) whose public key is RSA ≥ 2048 bits. */
export function isUsableCertificate(pem: string): boolean {
  try {
    loadPublicKey(reflowPem(pem.trim()));
    return true;
  } catch {
    return false;
  }
}

function proxyConfig(entity: QrsEntity, extras: VirtualProxyConfig | undefined): VirtualProxyConfig {
  const prefix = entity['prefix'] as string;
  const audience = entity['jwtAudience'];
  return {
    websocketCsrf: false,
    clockTolerance: 0,
    sameSite: 'Lax',
    apps: [],
    ...extras,
    prefix,
    certFile: undefined,
    jwtPublicKeyCertificate: entity['jwtPublicKeyCertificate'] as string,
    jwtAttributeUserId: entity['jwtAttributeUserId'] as string,
    jwtAttributeUserDirectory: entity['jwtAttributeUserDirectory'] as string,
    jwtAudience: typeof audience === 'string' && audience !== '' ? audience : undefined,
    jwtAttributeMap: entity['jwtAttributeMap'] as AttributeMapping[],
    sessionCookieHeaderName: (entity['sessionCookieHeaderName'] as string | undefined) ?? defaultCookieName(prefix),
    sessionInactivityTimeout: entity['sessionInactivityTimeout'] as number,
    websocketCrossOriginWhiteList: entity['websocketCrossOriginWhiteList'] as string[],
  };
}

function buildProxy(entity: QrsEntity, settings: ServeSettings): VirtualProxy | Refusal {
  const config = proxyConfig(entity, settings.extras.get(entity['prefix'] as string));
  if (config.jwtAttributeUserId === '' || config.jwtAttributeUserDirectory === '') {
    return refusal('EMU011', 'the JWT attributes for user ID and user directory are not set');
  }
  let key;
  try {
    key = loadPublicKey(reflowPem((config.jwtPublicKeyCertificate ?? '').trim()));
  } catch {
    return refusal('EMU011', 'the JWT certificate is missing or unusable');
  }
  return createVirtualProxy(config, key, settings.secure, settings.maxSessions, settings.maxVerifiedTokens);
}

/** The served proxies for the repository as it is now; `previous` is reused when nothing changed. */
export function servedProxies(
  repository: QrsRepository,
  previous: ServedProxies | undefined,
  settings: ServeSettings,
): ServedProxies {
  if (previous && previous.generation === repository.generation) return previous;
  // A proxy service change restarts the proxy: every session ends (reported by P23, P24).
  const keep =
    previous && previous.restarts === repository.restarts
      ? previous.built
      : new Map<string, { modifiedDate: string; proxy: VirtualProxy }>();
  const built = new Map<string, { modifiedDate: string; proxy: VirtualProxy }>();
  const proxies: VirtualProxy[] = [];
  const refused = new Map<string, Refusal>();
  for (const entity of repository.virtualProxies.values()) {
    const prefix = entity['prefix'] as string;
    if (entity['authenticationMethod'] !== AUTHENTICATION_METHOD_JWT || prefix === '') continue;
    const id = entity['id'] as string;
    if (!linkedToCentral(repository, id)) {
      refused.set(prefix, refusal('EMU010'));
      continue;
    }
    const modifiedDate = entity['modifiedDate'] as string;
    const earlier = keep.get(id);
    const proxy = earlier && earlier.modifiedDate === modifiedDate ? earlier.proxy : buildProxy(entity, settings);
    if ('code' in proxy) {
      refused.set(prefix, proxy);
      continue;
    }
    built.set(id, { modifiedDate, proxy });
    proxies.push(proxy);
  }
  return { generation: repository.generation, restarts: repository.restarts, proxies, refused, built };
}
