import { checkXrfkey, XRF_REFUSAL_TEXT } from '../core/qlik/xrfkey.js';
import {
  headerValue,
  jsonResponse,
  textResponse,
  type RequestFacts,
  type ResponseDescription,
} from './http-response.js';
import {
  condensedVirtualProxy,
  createVirtualProxyEntity,
  deleteVirtualProxyEntity,
  expandedProxyService,
  QrsWriteError,
  updateProxyServiceEntity,
  updateVirtualProxyEntity,
  VIRTUAL_PROXY_DEFAULTS,
  type QrsEntity,
  type QrsRepository,
} from './qrs-repository.js';
import { QRS_ABOUT } from './qseow-routes.js';

/**
 * The QRS endpoints provisioning uses (../shared/qlik-provisioning.md A.2), answered from the
 * in-memory repository. Every call needs the xrfkey (Qlik's 403 text otherwise). Error bodies are
 * plain text: Qlik documents the statuses but no body for them [choice].
 */

/** One `path eq value` (or `ne`) term; terms are joined by `and`. Enough for the filters tools send. */
interface FilterTerm {
  path: string[];
  negate: boolean;
  value: string | boolean | number;
}

const TERM = /^\s*([A-Za-z][\w.]*)\s+(eq|ne)\s+('(?:[^']|'')*'|true|false|-?\d+(?:\.\d+)?|[0-9a-fA-F-]{36})\s*$/i;

/** `undefined` when the filter is not understood: the caller answers 400, as QRS does for a bad filter. */
export function parseQrsFilter(filter: string): FilterTerm[] | undefined {
  if (filter.length > 1000) return undefined;
  const terms: FilterTerm[] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const match = TERM.exec(part);
    if (!match) return undefined;
    const raw = match[3] ?? '';
    const value = raw.startsWith("'")
      ? raw.slice(1, -1).replace(/''/g, "'")
      : /^(true|false)$/i.test(raw)
        ? raw.toLowerCase() === 'true'
        : /^-?\d+(\.\d+)?$/.test(raw)
          ? Number(raw)
          : raw;
    terms.push({ path: (match[1] ?? '').split('.'), negate: (match[2] ?? '').toLowerCase() === 'ne', value });
  }
  return terms;
}

function fieldValue(entity: QrsEntity, path: readonly string[]): unknown {
  let current: unknown = entity;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    // QRS field names in filters are case-insensitive.
    const found = Object.keys(current).find((name) => name.toLowerCase() === key.toLowerCase());
    current = found === undefined ? undefined : (current as QrsEntity)[found];
  }
  return current;
}

export function matchesFilter(entity: QrsEntity, terms: readonly FilterTerm[]): boolean {
  return terms.every((term) => {
    const actual = fieldValue(entity, term.path);
    const equal =
      typeof actual === 'string' && typeof term.value === 'string'
        ? actual.toLowerCase() === term.value.toLowerCase()
        : actual === term.value;
    return equal !== term.negate;
  });
}

/** `UserDirectory=INTERNAL; UserId=sa_repository` → `INTERNAL\sa_repository`, the modifiedByUserName form. */
export function qrsUserName(header: string | undefined): string {
  const directory = /UserDirectory=([^;]*)/i.exec(header ?? '')?.[1]?.trim();
  const id = /UserId=([^;]*)/i.exec(header ?? '')?.[1]?.trim();
  return directory && id ? `${directory}\\${id}`.slice(0, 200) : 'INTERNAL\\sa_repository';
}

export interface QrsRequestOptions {
  /** Whether a text is a PEM certificate the proxy can verify tokens with. */
  isCertificate: (pem: string) => boolean;
  /** Who is asking, for modifiedByUserName: the X-Qlik-User of a certificate call, or the JWT user. */
  user: string;
}

function qrsError(status: number, message: string): ResponseDescription {
  return textResponse(status, message);
}

function parseBody(body: Buffer): { value: QrsEntity } | { response: ResponseDescription } {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { response: qrsError(400, 'the body must be a JSON object') };
    return { value: value as QrsEntity };
  } catch {
    return { response: qrsError(400, 'the body is not valid JSON') };
  }
}

function listing(
  entities: Iterable<QrsEntity>,
  query: URLSearchParams,
  condense: ((entity: QrsEntity) => QrsEntity) | undefined,
): ResponseDescription {
  const filter = query.get('filter');
  const terms = filter === null ? [] : parseQrsFilter(filter);
  if (terms === undefined) return qrsError(400, `the filter "${(filter ?? '').slice(0, 100)}" is not understood`);
  const selected = [...entities].filter((entity) => matchesFilter(entity, terms));
  return jsonResponse(200, condense ? selected.map(condense) : selected);
}

function write(action: () => QrsEntity | undefined, status: number): ResponseDescription {
  try {
    const entity = action();
    return entity === undefined ? { status: 204, headers: {}, body: '' } : jsonResponse(status, entity);
  } catch (error) {
    if (error instanceof QrsWriteError) return qrsError(error.status, error.message);
    throw error;
  }
}

/** Answers one request below /qrs. `path` is the request path with the /qrs start, any case. */
export function decideQrsRequest(
  repository: QrsRepository,
  facts: RequestFacts,
  path: string,
  body: Buffer,
  options: QrsRequestOptions,
): ResponseDescription {
  const xrf = checkXrfkey(facts.query, facts.headers, 'required');
  if (!xrf.ok)
    return textResponse(403, XRF_REFUSAL_TEXT, { 'x-qs-jwt-reason': `EMU005 xrfkey check failed: ${xrf.reason}` });
  const method = facts.method.toUpperCase();
  const parts = path.toLowerCase().replace(/\/+$/, '').split('/').slice(2);
  const [type, second, third] = parts;
  const now = facts.now;
  const { user, isCertificate } = options;
  const notAllowed = (allow: string): ResponseDescription => textResponse(405, 'Method Not Allowed', { allow });

  if (type === 'about' && second === undefined)
    return method === 'GET' ? jsonResponse(200, QRS_ABOUT) : notAllowed('GET');
  if (
    type === 'about' &&
    second === 'api' &&
    third === 'default' &&
    parts[3] === 'virtualproxyconfig' &&
    parts.length === 4
  ) {
    return method === 'GET' ? jsonResponse(200, VIRTUAL_PROXY_DEFAULTS) : notAllowed('GET');
  }
  if (type === 'virtualproxyconfig' && parts.length <= 2) {
    if (second === undefined || second === 'full') {
      if (method === 'GET')
        return listing(
          repository.virtualProxies.values(),
          facts.query,
          second === 'full' ? undefined : condensedVirtualProxy,
        );
      if (method === 'POST' && second === undefined) {
        const parsed = parseBody(body);
        if ('response' in parsed) return parsed.response;
        return write(() => createVirtualProxyEntity(repository, parsed.value, user, now, isCertificate), 201);
      }
      return notAllowed(second === undefined ? 'GET, POST' : 'GET');
    }
    const id = second;
    if (method === 'GET') {
      const entity = findById(repository.virtualProxies, id);
      return entity ? jsonResponse(200, entity) : qrsError(404, `no virtual proxy with id ${id}`);
    }
    if (method === 'PUT') {
      const parsed = parseBody(body);
      if ('response' in parsed) return parsed.response;
      return write(
        () =>
          updateVirtualProxyEntity(
            repository,
            canonicalId(repository.virtualProxies, id),
            parsed.value,
            user,
            now,
            isCertificate,
          ),
        200,
      );
    }
    if (method === 'DELETE')
      return write(() => {
        deleteVirtualProxyEntity(repository, canonicalId(repository.virtualProxies, id));
        return undefined;
      }, 204);
    return notAllowed('GET, PUT, DELETE');
  }
  if (type === 'proxyservice' && parts.length <= 2) {
    const expand = (entity: QrsEntity): QrsEntity => expandedProxyService(repository, entity);
    if (second === undefined || second === 'full') {
      if (method !== 'GET') return notAllowed('GET');
      const condensed = (entity: QrsEntity): QrsEntity => ({
        id: entity['id'],
        serverNodeConfiguration: entity['serverNodeConfiguration'],
        privileges: null,
      });
      return listing(
        [...repository.proxyServices.values()].map(expand),
        facts.query,
        second === 'full' ? undefined : condensed,
      );
    }
    if (method === 'GET') {
      const entity = findById(repository.proxyServices, second);
      return entity ? jsonResponse(200, expand(entity)) : qrsError(404, `no proxy service with id ${second}`);
    }
    if (method === 'PUT') {
      const parsed = parseBody(body);
      if ('response' in parsed) return parsed.response;
      return write(
        () =>
          expand(
            updateProxyServiceEntity(
              repository,
              canonicalId(repository.proxyServices, second),
              parsed.value,
              user,
              now,
            ),
          ),
        200,
      );
    }
    return notAllowed('GET, PUT');
  }
  if (type === 'servernodeconfiguration' && parts.length <= 2) {
    if (method !== 'GET') return notAllowed('GET');
    if (second === undefined || second === 'full') {
      const condensed = (entity: QrsEntity): QrsEntity => ({
        id: entity['id'],
        name: entity['name'],
        hostName: entity['hostName'],
        privileges: null,
      });
      return listing(repository.nodes.values(), facts.query, second === 'full' ? undefined : condensed);
    }
    const entity = findById(repository.nodes, second);
    return entity ? jsonResponse(200, entity) : qrsError(404, `no server node with id ${second}`);
  }
  return qrsError(404, `${method} ${path.slice(0, 200)} is not emulated`);
}

/** Ids arrive lower-cased from the path; QRS ids are GUIDs, compared case-insensitively. */
function findById(map: ReadonlyMap<string, QrsEntity>, id: string): QrsEntity | undefined {
  return map.get(canonicalId(map, id));
}

function canonicalId(map: ReadonlyMap<string, QrsEntity>, id: string): string {
  for (const key of map.keys()) if (key.toLowerCase() === id) return key;
  return id;
}

/** The X-Qlik-User header of a request, for modifiedByUserName. */
export function qrsCallerFromHeaders(facts: RequestFacts): string {
  return qrsUserName(headerValue(facts.headers, 'x-qlik-user'));
}
