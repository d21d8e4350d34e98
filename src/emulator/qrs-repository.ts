import { randomUUID } from 'node:crypto';

/**
 * The part of Qlik Sense's repository (QRS) that JWT provisioning touches, in memory: virtual proxy
 * configurations, proxy services with their linked virtual proxies, and server nodes. Entities are
 * plain JSON objects shaped like the QRS model (../shared/qlik-provisioning.md A.3, A.6), so what a
 * client PUTs back is what it read. Writes follow Qlik's documented rules: a PUT carries the whole
 * entity and its `modifiedDate`, and a stored `modifiedDate` newer than the request's is a 409.
 */

export type QrsEntity = Record<string, unknown>;

export interface QrsRepository {
  virtualProxies: Map<string, QrsEntity>;
  proxyServices: Map<string, QrsEntity>;
  nodes: Map<string, QrsEntity>;
  /** The proxy service of the central node: a virtual proxy serves only once linked to it. */
  centralProxyId: string;
  /** Bumped by every write; served proxies are rebuilt when it changes. */
  generation: number;
  /** Bumped when a proxy service changes: the proxy restarts and its sessions end (as reported, P23/P24). */
  restarts: number;
  lastModified: number;
}

const NEVER = '1753-01-01T00:00:00.000Z';

/**
 * The defaults template `GET /qrs/about/api/default/virtualproxyconfig` answers: every field a POST
 * may leave out, with the values of Qlik's Create example (P5). It has `jwtAudience`, so clients that
 * feature-detect the field find it. Fields outside this template are not stored.
 */
export const VIRTUAL_PROXY_DEFAULTS: Readonly<QrsEntity> = {
  id: '00000000-0000-0000-0000-000000000000',
  createdDate: NEVER,
  modifiedDate: NEVER,
  modifiedByUserName: '',
  prefix: '',
  description: '',
  authenticationModuleRedirectUri: '',
  sessionModuleBaseUri: '',
  loadBalancingModuleBaseUri: '',
  useStickyLoadBalancing: false,
  loadBalancingServerNodes: [],
  authenticationMethod: 0,
  headerAuthenticationMode: 0,
  headerAuthenticationHeaderName: '',
  headerAuthenticationStaticUserDirectory: '',
  headerAuthenticationDynamicUserDirectory: '',
  anonymousAccessMode: 0,
  windowsAuthenticationEnabledDevicePattern: 'Windows',
  sessionCookieHeaderName: '',
  sessionCookieDomain: '',
  additionalResponseHeaders: '',
  sessionInactivityTimeout: 30,
  extendedSecurityEnvironment: false,
  websocketCrossOriginWhiteList: [],
  defaultVirtualProxy: false,
  tags: [],
  jwtAudience: '',
  jwtPublicKeyCertificate: '',
  jwtAttributeUserId: '',
  jwtAttributeUserDirectory: '',
  jwtAttributeMap: [],
  hasSecureAttributeHttps: true,
  sameSiteAttributeHttps: 3,
  hasSecureAttributeHttp: false,
  sameSiteAttributeHttp: 0,
  privileges: null,
  schemaPath: 'VirtualProxyConfig',
};

export const AUTHENTICATION_METHOD_JWT = 4;

export class QrsWriteError extends Error {
  readonly status: 400 | 404 | 409;

  constructor(status: 400 | 404 | 409, message: string) {
    super(message);
    this.status = status;
  }
}

function isoNow(repository: QrsRepository, now: number): string {
  // Strictly increasing, so two writes in one millisecond still order (the 409 check compares dates).
  repository.lastModified = Math.max(now, repository.lastModified + 1);
  return new Date(repository.lastModified).toISOString();
}

export interface SeedProxy {
  prefix: string;
  jwtPublicKeyCertificate: string;
  jwtAttributeUserId: string;
  jwtAttributeUserDirectory: string;
  jwtAudience?: string | undefined;
  jwtAttributeMap: { senseAttribute: string; jwtAttribute: string; isMandatory: boolean }[];
  sessionCookieHeaderName: string;
  sessionInactivityTimeout: number;
  websocketCrossOriginWhiteList: string[];
}

/**
 * One central node with its proxy service, which has the default virtual proxy (prefix "", ticket
 * authentication, not emulated) and the virtual proxies given at start, already linked.
 */
export function createQrsRepository(hostName: string, seeds: readonly SeedProxy[], now: number): QrsRepository {
  const created = new Date(now).toISOString();
  const nodeId = randomUUID();
  const node: QrsEntity = {
    id: nodeId,
    createdDate: created,
    modifiedDate: created,
    modifiedByUserName: 'INTERNAL\\sa_repository',
    name: 'Central',
    hostName,
    isCentral: true,
    nodePurpose: 0,
    engineEnabled: true,
    proxyEnabled: true,
    schedulerEnabled: true,
    printingEnabled: true,
    schemaPath: 'ServerNodeConfiguration',
  };
  const repository: QrsRepository = {
    virtualProxies: new Map(),
    proxyServices: new Map(),
    nodes: new Map([[nodeId, node]]),
    centralProxyId: randomUUID(),
    generation: 0,
    restarts: 0,
    lastModified: now,
  };
  const defaultProxy = {
    ...VIRTUAL_PROXY_DEFAULTS,
    id: randomUUID(),
    createdDate: created,
    modifiedDate: created,
    description: 'Central Proxy (Default)',
    sessionCookieHeaderName: 'X-Qlik-Session',
    defaultVirtualProxy: true,
    loadBalancingServerNodes: [condensedNode(node)],
  };
  repository.virtualProxies.set(defaultProxy.id, defaultProxy);
  for (const seed of seeds) {
    const id = randomUUID();
    repository.virtualProxies.set(id, {
      ...VIRTUAL_PROXY_DEFAULTS,
      ...seed,
      jwtAudience: seed.jwtAudience ?? '',
      id,
      createdDate: created,
      modifiedDate: created,
      description: `JWT virtual proxy /${seed.prefix} (qs-jwt emulate)`,
      authenticationMethod: AUTHENTICATION_METHOD_JWT,
      loadBalancingServerNodes: [condensedNode(node)],
    });
  }
  repository.proxyServices.set(repository.centralProxyId, {
    id: repository.centralProxyId,
    createdDate: created,
    modifiedDate: created,
    modifiedByUserName: 'INTERNAL\\sa_repository',
    serverNodeConfiguration: condensedNode(node),
    settings: {
      listenPort: 443,
      allowHttp: false,
      unencryptedListenPort: 80,
      authenticationListenPort: 4244,
      kerberosAuthentication: false,
      keepAliveTimeoutSeconds: 10,
      maxHeaderSizeBytes: 16_384,
      maxHeaderLines: 100,
      restListenPort: 4243,
      virtualProxies: [...repository.virtualProxies.keys()].map((id) => ({ id })),
    },
    customProperties: [],
    tags: [],
    privileges: null,
    schemaPath: 'ProxyService',
  });
  return repository;
}

function condensedNode(node: QrsEntity): QrsEntity {
  return { id: node['id'], name: node['name'], hostName: node['hostName'], privileges: null };
}

export function condensedVirtualProxy(entity: QrsEntity): QrsEntity {
  return {
    id: entity['id'],
    prefix: entity['prefix'],
    description: entity['description'],
    authenticationModuleRedirectUri: entity['authenticationModuleRedirectUri'],
    sessionModuleBaseUri: entity['sessionModuleBaseUri'],
    loadBalancingModuleBaseUri: entity['loadBalancingModuleBaseUri'],
    useStickyLoadBalancing: entity['useStickyLoadBalancing'],
    loadBalancingServerNodes: entity['loadBalancingServerNodes'],
    authenticationMethod: entity['authenticationMethod'],
    sessionCookieHeaderName: entity['sessionCookieHeaderName'],
    defaultVirtualProxy: entity['defaultVirtualProxy'],
    privileges: null,
  };
}

/** A proxy service as QRS shows it: linked virtual proxies condensed, not as bare ids. */
export function expandedProxyService(repository: QrsRepository, entity: QrsEntity): QrsEntity {
  const settings = entity['settings'] as QrsEntity;
  const linked = (settings['virtualProxies'] as { id: string }[])
    .map((item) => repository.virtualProxies.get(item.id))
    .filter((item): item is QrsEntity => item !== undefined)
    .map(condensedVirtualProxy);
  return { ...entity, settings: { ...settings, virtualProxies: linked } };
}

export function linkedToCentral(repository: QrsRepository, virtualProxyId: string): boolean {
  const central = repository.proxyServices.get(repository.centralProxyId);
  const links = ((central?.['settings'] as QrsEntity | undefined)?.['virtualProxies'] ?? []) as { id: string }[];
  return links.some((item) => item.id === virtualProxyId);
}

const PREFIX = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+^_`|~.-]{1,128}$/;

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new QrsWriteError(400, `${field} must be a string`);
  return value;
}

function attributeMap(value: unknown): QrsEntity[] {
  if (!Array.isArray(value)) throw new QrsWriteError(400, 'jwtAttributeMap must be an array');
  return value.map((item: unknown) => {
    const entry = (item ?? {}) as QrsEntity;
    const jwtAttribute = text(entry['jwtAttribute'], 'jwtAttributeMap[].jwtAttribute');
    const senseAttribute = text(entry['senseAttribute'], 'jwtAttributeMap[].senseAttribute');
    if (typeof entry['isMandatory'] !== 'boolean')
      throw new QrsWriteError(400, 'jwtAttributeMap[].isMandatory must be true or false');
    return { jwtAttribute, senseAttribute, isMandatory: entry['isMandatory'] };
  });
}

/**
 * The stored form of a virtual proxy written by POST or PUT. What QRS answers for bad values is not
 * documented (../shared/qlik-provisioning.md D): the emulator's choice is a 400 with a plain-text
 * reason for a missing or duplicate prefix or cookie name, an unknown authentication method, a
 * malformed attribute map or a certificate the caller says is PEM but is not (`isCertificate`).
 */
function validatedVirtualProxy(
  repository: QrsRepository,
  body: QrsEntity,
  base: QrsEntity,
  isCertificate: (pem: string) => boolean,
): QrsEntity {
  const known = Object.fromEntries(Object.entries(body).filter(([key]) => Object.hasOwn(VIRTUAL_PROXY_DEFAULTS, key)));
  const entity: QrsEntity = { ...base, ...known };
  const prefix = text(entity['prefix'], 'prefix');
  if (!PREFIX.test(prefix) && !(entity['defaultVirtualProxy'] === true && prefix === '')) {
    throw new QrsWriteError(
      400,
      `prefix "${prefix.slice(0, 80)}" must be lowercase letters, digits, "-" or "_" (1-64)`,
    );
  }
  const cookie = text(entity['sessionCookieHeaderName'], 'sessionCookieHeaderName');
  if (!COOKIE_NAME.test(cookie))
    throw new QrsWriteError(400, 'sessionCookieHeaderName must be a non-empty HTTP header name');
  for (const other of repository.virtualProxies.values()) {
    if (other['id'] === entity['id']) continue;
    if (other['prefix'] === prefix)
      throw new QrsWriteError(400, `Duplicate prefix: a virtual proxy with prefix "${prefix}" exists`);
    if (other['sessionCookieHeaderName'] === cookie)
      throw new QrsWriteError(400, `Duplicate session cookie header name "${cookie}"`);
  }
  const method = entity['authenticationMethod'];
  if (typeof method !== 'number' || !Number.isInteger(method) || method < 0 || method > 5)
    throw new QrsWriteError(400, 'authenticationMethod must be 0 to 5');
  for (const field of [
    'jwtPublicKeyCertificate',
    'jwtAttributeUserId',
    'jwtAttributeUserDirectory',
    'jwtAudience',
    'description',
  ])
    text(entity[field], field);
  entity['jwtAttributeMap'] = attributeMap(entity['jwtAttributeMap']);
  const whiteList = entity['websocketCrossOriginWhiteList'];
  if (!Array.isArray(whiteList) || whiteList.some((item) => typeof item !== 'string'))
    throw new QrsWriteError(400, 'websocketCrossOriginWhiteList must be an array of strings');
  const pem = entity['jwtPublicKeyCertificate'] as string;
  if (pem.trim() !== '' && !isCertificate(pem))
    throw new QrsWriteError(400, 'jwtPublicKeyCertificate is not a PEM certificate');
  const timeout = entity['sessionInactivityTimeout'];
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1)
    throw new QrsWriteError(400, 'sessionInactivityTimeout must be whole minutes, at least 1');
  return entity;
}

export function createVirtualProxyEntity(
  repository: QrsRepository,
  body: QrsEntity,
  user: string,
  now: number,
  isCertificate: (pem: string) => boolean,
): QrsEntity {
  const stamp = isoNow(repository, now);
  const base = {
    ...VIRTUAL_PROXY_DEFAULTS,
    id: randomUUID(),
    createdDate: stamp,
    modifiedDate: stamp,
    modifiedByUserName: user,
  };
  const entity = validatedVirtualProxy(
    repository,
    { ...body, id: base.id, createdDate: stamp, modifiedDate: stamp, modifiedByUserName: user },
    base,
    isCertificate,
  );
  repository.virtualProxies.set(entity['id'] as string, entity);
  repository.generation += 1;
  return entity;
}

/** Qlik's conflict rule (P7): refused when the stored entity is newer than the one the client read. */
function checkNotStale(stored: QrsEntity, body: QrsEntity, id: string): void {
  if (body['id'] !== undefined && body['id'] !== id)
    throw new QrsWriteError(400, 'the id in the body differs from the id in the URL');
  const sent = body['modifiedDate'];
  // No modifiedDate in the body: nothing to compare, so the write goes ahead [choice; Qlik documents
  // only the newer-than case].
  if (sent === undefined) return;
  const sentTime = typeof sent === 'string' ? Date.parse(sent) : Number.NaN;
  if (Number.isNaN(sentTime)) throw new QrsWriteError(400, 'modifiedDate is not a date');
  if (Date.parse(stored['modifiedDate'] as string) > sentTime) {
    throw new QrsWriteError(
      409,
      'Conflict: the entity was modified after the modifiedDate sent; read it again and retry',
    );
  }
}

export function updateVirtualProxyEntity(
  repository: QrsRepository,
  id: string,
  body: QrsEntity,
  user: string,
  now: number,
  isCertificate: (pem: string) => boolean,
): QrsEntity {
  const stored = repository.virtualProxies.get(id);
  if (!stored) throw new QrsWriteError(404, `no virtual proxy with id ${id}`);
  checkNotStale(stored, body, id);
  const base = { ...VIRTUAL_PROXY_DEFAULTS, id, createdDate: stored['createdDate'] };
  const entity = validatedVirtualProxy(
    repository,
    { ...body, id, createdDate: stored['createdDate'] },
    base,
    isCertificate,
  );
  entity['modifiedDate'] = isoNow(repository, now);
  entity['modifiedByUserName'] = user;
  repository.virtualProxies.set(id, entity);
  repository.generation += 1;
  return entity;
}

export function deleteVirtualProxyEntity(repository: QrsRepository, id: string): void {
  const stored = repository.virtualProxies.get(id);
  if (!stored) throw new QrsWriteError(404, `no virtual proxy with id ${id}`);
  if (stored['defaultVirtualProxy'] === true)
    throw new QrsWriteError(400, 'the default virtual proxy cannot be deleted');
  repository.virtualProxies.delete(id);
  for (const service of repository.proxyServices.values()) {
    const settings = service['settings'] as QrsEntity;
    settings['virtualProxies'] = (settings['virtualProxies'] as { id: string }[]).filter((item) => item.id !== id);
  }
  repository.generation += 1;
}

/**
 * PUT /qrs/proxyservice/{id}: the whole entity back, with `settings.virtualProxies` as objects that
 * carry at least an id (Qlik's Link procedure, P6). Linked ids must exist. The node a service
 * belongs to cannot be changed.
 */
export function updateProxyServiceEntity(
  repository: QrsRepository,
  id: string,
  body: QrsEntity,
  user: string,
  now: number,
): QrsEntity {
  const stored = repository.proxyServices.get(id);
  if (!stored) throw new QrsWriteError(404, `no proxy service with id ${id}`);
  checkNotStale(stored, body, id);
  const settings = body['settings'];
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings))
    throw new QrsWriteError(400, 'settings must be an object');
  const links = (settings as QrsEntity)['virtualProxies'];
  if (!Array.isArray(links)) throw new QrsWriteError(400, 'settings.virtualProxies must be an array');
  const ids = links.map((item: unknown) => {
    const linkId = (item as QrsEntity | null)?.['id'];
    if (typeof linkId !== 'string' || !repository.virtualProxies.has(linkId))
      throw new QrsWriteError(400, `settings.virtualProxies: no virtual proxy with id ${String(linkId).slice(0, 80)}`);
    return linkId;
  });
  const entity: QrsEntity = {
    ...stored,
    ...body,
    id,
    createdDate: stored['createdDate'],
    serverNodeConfiguration: stored['serverNodeConfiguration'],
    settings: {
      ...(stored['settings'] as QrsEntity),
      ...(settings as QrsEntity),
      virtualProxies: [...new Set(ids)].map((item) => ({ id: item })),
    },
    modifiedDate: isoNow(repository, now),
    modifiedByUserName: user,
  };
  repository.proxyServices.set(id, entity);
  repository.generation += 1;
  repository.restarts += 1;
  return entity;
}
