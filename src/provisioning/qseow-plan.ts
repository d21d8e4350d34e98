import { loadPublicKey } from '../core/keys/key-input.js';
import { reflowPem } from '../core/keys/pem-blocks.js';

/**
 * What `setup qseow` changes, decided without the network: the virtual proxy body to POST (create)
 * or PUT (update: the entity as read, with only the fields qs-jwt owns changed, `modifiedDate` kept,
 * P7), the field-by-field changes to show, and which proxy services need the new link (P6). Pure, so
 * `--dry-run` prints exactly what a run would send.
 */

export type QrsEntity = Record<string, unknown>;

export interface AttributeMapping {
  senseAttribute: string;
  jwtAttribute: string;
  isMandatory: boolean;
}

export interface DesiredVirtualProxy {
  prefix: string;
  description: string;
  certificatePem: string;
  userIdAttribute: string;
  userDirectoryAttribute: string;
  attributeMap: AttributeMapping[];
  /** undefined: no audience (a set one is cleared, as tokens minted without --audience carry none). */
  audience: string | undefined;
  /** undefined: keep the current name, or X-Qlik-Session-<prefix> for a new proxy. */
  sessionCookieHeaderName: string | undefined;
  /** Hosts added to the websocket allow list; existing entries are kept. */
  allowHosts: string[];
}

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

export interface VirtualProxyPlan {
  action: 'create' | 'update' | 'none';
  body: QrsEntity;
  changes: FieldChange[];
}

export const JWT_AUTHENTICATION_METHOD = 4;

/** Whether two PEM texts hold the same public key: a re-exported or re-wrapped certificate is no change. */
export function samePublicKey(left: string, right: string): boolean {
  try {
    const a = loadPublicKey(reflowPem(left.trim()), { unchecked: true }).export({ type: 'spki', format: 'der' });
    const b = loadPublicKey(reflowPem(right.trim()), { unchecked: true }).export({ type: 'spki', format: 'der' });
    return a.equals(b);
  } catch {
    return left.trim() === right.trim();
  }
}

function mapText(map: unknown): string {
  if (!Array.isArray(map) || map.length === 0) return '(none)';
  return map
    .map(
      (item: QrsEntity) =>
        `${String(item['senseAttribute'])}=${String(item['jwtAttribute'])}${item['isMandatory'] === true ? '!' : ''}`,
    )
    .sort()
    .join(', ');
}

function certificateText(pem: unknown): string {
  if (typeof pem !== 'string' || pem.trim() === '') return '(none)';
  const body = pem.replace(/-----[^-]+-----|\s/g, '');
  return `certificate …${body.slice(-16)}`;
}

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(none)';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(String).join(', ');
  return String(value);
}

/**
 * The plan for the virtual proxy with the desired prefix. `template` is the server's defaults
 * template: `jwtAudience` is sent only when the server has the field (older releases lack it, D).
 */
export function planVirtualProxy(
  current: QrsEntity | undefined,
  template: QrsEntity,
  desired: DesiredVirtualProxy,
  centralNodeId: string | undefined,
): VirtualProxyPlan {
  const hasAudience = Object.hasOwn(template, 'jwtAudience');
  const changes: FieldChange[] = [];
  const body: QrsEntity = current
    ? structuredClone(current)
    : {
        prefix: desired.prefix,
        description: desired.description,
        sessionCookieHeaderName: desired.sessionCookieHeaderName ?? `X-Qlik-Session-${desired.prefix}`,
      };
  if (!current)
    changes.push(
      { field: 'prefix', from: '(none)', to: desired.prefix },
      { field: 'sessionCookieHeaderName', from: '(none)', to: body['sessionCookieHeaderName'] as string },
    );
  const set = (field: string, value: unknown, same: boolean, shown: (item: unknown) => string = show): void => {
    if (same) return;
    changes.push({ field, from: shown(body[field]), to: shown(value) });
    body[field] = value;
  };
  set(
    'authenticationMethod',
    JWT_AUTHENTICATION_METHOD,
    body['authenticationMethod'] === JWT_AUTHENTICATION_METHOD,
    (item) => (item === 4 ? 'JWT (4)' : item === undefined ? '(none)' : String(item)),
  );
  const pem = typeof body['jwtPublicKeyCertificate'] === 'string' ? body['jwtPublicKeyCertificate'] : '';
  set(
    'jwtPublicKeyCertificate',
    desired.certificatePem,
    pem !== '' && samePublicKey(pem, desired.certificatePem),
    certificateText,
  );
  set('jwtAttributeUserId', desired.userIdAttribute, body['jwtAttributeUserId'] === desired.userIdAttribute);
  set(
    'jwtAttributeUserDirectory',
    desired.userDirectoryAttribute,
    body['jwtAttributeUserDirectory'] === desired.userDirectoryAttribute,
  );
  set(
    'jwtAttributeMap',
    desired.attributeMap,
    mapText(body['jwtAttributeMap'] ?? []) === mapText(desired.attributeMap),
    mapText,
  );
  if (hasAudience) set('jwtAudience', desired.audience ?? '', (body['jwtAudience'] ?? '') === (desired.audience ?? ''));
  if (current && desired.sessionCookieHeaderName !== undefined) {
    set(
      'sessionCookieHeaderName',
      desired.sessionCookieHeaderName,
      body['sessionCookieHeaderName'] === desired.sessionCookieHeaderName,
    );
  }
  const allowed = Array.isArray(body['websocketCrossOriginWhiteList'])
    ? (body['websocketCrossOriginWhiteList'] as string[])
    : [];
  const missingHosts = desired.allowHosts.filter(
    (host) => !allowed.some((item) => item.toLowerCase() === host.toLowerCase()),
  );
  set('websocketCrossOriginWhiteList', [...allowed, ...missingHosts], missingHosts.length === 0);
  const nodes = Array.isArray(body['loadBalancingServerNodes'])
    ? (body['loadBalancingServerNodes'] as QrsEntity[])
    : [];
  // A virtual proxy without an engine node has nowhere to send users: give it the central node.
  if (nodes.length === 0 && centralNodeId !== undefined) {
    set('loadBalancingServerNodes', [{ id: centralNodeId }], false, (item) =>
      Array.isArray(item) && item.length > 0 ? 'central node' : '(none)',
    );
  }
  if (!current) return { action: 'create', body, changes };
  return { action: changes.length === 0 ? 'none' : 'update', body, changes };
}

export interface LinkPlan {
  serviceId: string;
  /** The node's name or host, for messages. */
  serviceName: string;
  body: QrsEntity;
}

/** A proxy service whose `settings.virtualProxies` lacks the virtual proxy, with the link appended. */
export function planLink(service: QrsEntity, virtualProxyId: string): LinkPlan | undefined {
  const settings = (service['settings'] ?? {}) as QrsEntity;
  const links = Array.isArray(settings['virtualProxies']) ? (settings['virtualProxies'] as QrsEntity[]) : [];
  if (links.some((item) => item['id'] === virtualProxyId)) return undefined;
  const node = (service['serverNodeConfiguration'] ?? {}) as QrsEntity;
  return {
    serviceId: service['id'] as string,
    serviceName: String(node['name'] ?? node['hostName'] ?? service['id']),
    // Existing links stay as QRS gave them; the new one is {id}, as in Qlik's Link example (P6).
    body: { ...service, settings: { ...settings, virtualProxies: [...links, { id: virtualProxyId }] } },
  };
}

export function describeChanges(changes: readonly FieldChange[]): string[] {
  return changes.map((change) => `${change.field}: ${change.from} → ${change.to}`);
}
