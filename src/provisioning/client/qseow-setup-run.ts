import { NetworkError, send, type TlsSettings } from '../../probe/client/http-client.js';
import { ProvisioningError } from '../provisioning-error.js';
import {
  planLink,
  planVirtualProxy,
  type DesiredVirtualProxy,
  type FieldChange,
  type QrsEntity,
} from '../qseow-plan.js';
import { qrs, type QrsConnection } from './qrs-client.js';

/**
 * `setup qseow` against a live QRS: find the virtual proxy by prefix, create it or update it by
 * GET-modify-PUT (one re-read and retry on 409, P7), then link it to the chosen proxy services
 * without dropping their links (P6), and wait (bounded) until the proxy serves the prefix.
 */

export type LinkTarget = { kind: 'central' } | { kind: 'all' } | { kind: 'ids'; ids: string[] };

export interface SetupQseowRequest {
  connection: QrsConnection;
  desired: DesiredVirtualProxy;
  link: LinkTarget;
  dryRun: boolean;
  /** The proxy's base URL (https://host): after a change, wait until /<prefix>/ answers. */
  wait?: { url: URL; tls: TlsSettings; timeoutMs: number } | undefined;
  /** Runs before each write; tests make concurrent changes here. */
  beforeWrite?: ((what: 'virtualproxy' | 'proxyservice') => Promise<void>) | undefined;
}

export interface SetupQseowResult {
  changed: boolean;
  dryRun: boolean;
  virtualProxy: { id: string | undefined; prefix: string; action: 'create' | 'update' | 'none' };
  changes: FieldChange[];
  linked: { id: string; name: string }[];
  warnings: string[];
  /** Whether the prefix answered after the change; undefined when not waited for. */
  serving: boolean | undefined;
}

function quoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export async function findVirtualProxy(connection: QrsConnection, prefix: string): Promise<QrsEntity | undefined> {
  const { json } = await qrs(connection, 'virtualproxyconfig/full', {
    query: { filter: `prefix eq ${quoted(prefix)}` },
  });
  if (!Array.isArray(json))
    throw new ProvisioningError(`${connection.baseUrl.host}: the virtual proxy list is not a JSON array`);
  return (json as QrsEntity[]).find((item) => String(item['prefix']).toLowerCase() === prefix.toLowerCase());
}

export async function centralNodeId(connection: QrsConnection): Promise<string | undefined> {
  const { json } = await qrs(connection, 'servernodeconfiguration/full', { query: { filter: 'isCentral eq true' } });
  const first = Array.isArray(json) ? (json[0] as QrsEntity | undefined) : undefined;
  return typeof first?.['id'] === 'string' ? first['id'] : undefined;
}

/** The proxy services a link target names; the central one is found by its node. */
export async function targetServices(
  connection: QrsConnection,
  link: LinkTarget,
  centralNode: string | undefined,
): Promise<QrsEntity[]> {
  const { json } = await qrs(connection, 'proxyservice/full');
  const services = Array.isArray(json) ? (json as QrsEntity[]) : [];
  if (link.kind === 'all') return services;
  if (link.kind === 'central') {
    const central = services.filter(
      (service) => ((service['serverNodeConfiguration'] ?? {}) as QrsEntity)['id'] === centralNode,
    );
    if (central.length === 0)
      throw new ProvisioningError(
        `${connection.baseUrl.host}: no proxy service runs on the central node; name the services with --link ID`,
      );
    return central;
  }
  return link.ids.map((id) => {
    const found = services.find((service) => String(service['id']).toLowerCase() === id.toLowerCase());
    if (!found)
      throw new ProvisioningError(`--link ${id}: no proxy service with this id (GET /qrs/proxyservice lists them)`);
    return found;
  });
}

async function writeVirtualProxy(
  request: SetupQseowRequest,
  template: QrsEntity,
  centralNode: string | undefined,
  current: QrsEntity | undefined,
): Promise<{ entity: QrsEntity; changes: FieldChange[]; action: 'create' | 'update' | 'none' }> {
  const { connection, desired } = request;
  let existing = current;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const plan = planVirtualProxy(existing, template, desired, centralNode);
    if (plan.action === 'none' || request.dryRun)
      return { entity: plan.body, changes: plan.changes, action: plan.action };
    await request.beforeWrite?.('virtualproxy');
    if (plan.action === 'create') {
      const { json } = await qrs(connection, 'virtualproxyconfig/', { method: 'POST', body: plan.body });
      return { entity: json as QrsEntity, changes: plan.changes, action: 'create' };
    }
    const id = String(plan.body['id']);
    const result = await qrs(connection, `virtualproxyconfig/${id}`, { method: 'PUT', body: plan.body, allow: [409] });
    if (result.status !== 409) return { entity: result.json as QrsEntity, changes: plan.changes, action: 'update' };
    // Someone changed it since we read it: read again, plan again, try once more.
    existing = (await qrs(connection, `virtualproxyconfig/${id}`)).json as QrsEntity;
  }
  throw new ProvisioningError(
    `the virtual proxy /${desired.prefix} changed twice while being updated (409 Conflict each time): run setup again`,
    409,
  );
}

async function link(
  request: SetupQseowRequest,
  services: QrsEntity[],
  virtualProxyId: string,
): Promise<{ id: string; name: string }[]> {
  const linked: { id: string; name: string }[] = [];
  for (const service of services) {
    let current = service;
    for (let attempt = 0; ; attempt += 1) {
      const plan = planLink(current, virtualProxyId);
      if (!plan) break;
      if (request.dryRun) {
        linked.push({ id: plan.serviceId, name: plan.serviceName });
        break;
      }
      await request.beforeWrite?.('proxyservice');
      const result = await qrs(request.connection, `proxyservice/${plan.serviceId}`, {
        method: 'PUT',
        body: plan.body,
        allow: [409],
      });
      if (result.status !== 409) {
        linked.push({ id: plan.serviceId, name: plan.serviceName });
        break;
      }
      if (attempt >= 1)
        throw new ProvisioningError(
          `proxy service ${plan.serviceName} changed twice while being linked (409 Conflict each time): run setup again`,
          409,
        );
      current = (await qrs(request.connection, `proxyservice/${plan.serviceId}`)).json as QrsEntity;
    }
  }
  return linked;
}

/** Polls /<prefix>/qps/user until the proxy serves the prefix (any answer but 400/404/502/503), bounded. */
async function waitUntilServing(url: URL, prefix: string, tls: TlsSettings, timeoutMs: number): Promise<boolean> {
  const target = new URL(`${url.href.replace(/\/+$/, '')}/${prefix}/qps/user`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const answer = await send(target, { timeoutMs: Math.max(500, Math.min(5000, deadline - Date.now())), tls });
      if (![400, 404, 502, 503].includes(answer.status)) return true;
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

export async function runSetupQseow(request: SetupQseowRequest): Promise<SetupQseowResult> {
  const { connection, desired } = request;
  const warnings: string[] = [];
  const template = (await qrs(connection, 'about/api/default/virtualproxyconfig', { query: { listentries: 'false' } }))
    .json as QrsEntity;
  if (!Object.hasOwn(template ?? {}, 'jwtAudience') && desired.audience !== undefined) {
    warnings.push(
      'this Qlik Sense release has no JWT audience field (jwtAudience): --audience was not set on the virtual proxy',
    );
  }
  const centralNode = await centralNodeId(connection);
  const current = await findVirtualProxy(connection, desired.prefix);
  const written = await writeVirtualProxy(request, template ?? {}, centralNode, current);
  const id = typeof written.entity['id'] === 'string' ? written.entity['id'] : undefined;
  const services = await targetServices(connection, request.link, centralNode);
  // In a dry run a new proxy has no id yet: every target would get the link.
  const linked =
    id === undefined
      ? services.map((service) => ({
          id: String(service['id']),
          name: String(((service['serverNodeConfiguration'] ?? {}) as QrsEntity)['name'] ?? service['id']),
        }))
      : await link(request, services, id);
  if (linked.length > 0) {
    warnings.push(
      `linking restarts the proxy on ${linked.map((item) => item.name).join(', ')}: users there lose their sessions and log in again`,
    );
  }
  const changed = written.action !== 'none' || linked.length > 0;
  let serving: boolean | undefined;
  if (changed && !request.dryRun && request.wait) {
    serving = await waitUntilServing(request.wait.url, desired.prefix, request.wait.tls, request.wait.timeoutMs);
    if (!serving)
      warnings.push(
        `/${desired.prefix} did not answer within ${Math.round(request.wait.timeoutMs / 1000)} s: the proxy may still be restarting`,
      );
  }
  return {
    changed,
    dryRun: request.dryRun,
    virtualProxy: { id, prefix: desired.prefix, action: written.action },
    changes: written.changes,
    linked,
    warnings,
    serving,
  };
}
