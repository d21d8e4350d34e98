import { randomUUID, type KeyObject } from 'node:crypto';
import { loadPublicKey } from '../core/keys/key-input.js';
import { reflowPem } from '../core/keys/pem-blocks.js';
import { cloudErrorBody } from './cloud-error-status.js';
import { jsonResponse, type RequestFacts, type ResponseDescription } from './http-response.js';

/**
 * A tenant's JWT identity providers and the part of `/api/v1/identity-providers` that manages them
 * (../shared/qlik-provisioning.md B.1-B.3): list, get, create (201), PATCH of `/description` only
 * (204), delete (204). Only `jwtAuth` IdPs are emulated. One static key per IdP, as Qlik limits it.
 * Qlik documents statuses but not the error codes of these answers: `HTTP-<status>` in Qlik's
 * `{errors:[…]}` shape is the emulator's choice. Several JWT IdPs may exist at once, also with the
 * same issuer: nothing public forbids it [inferred, B.3], and rotation needs two at a time.
 */

export interface CloudIdentityProvider {
  id: string;
  issuer: string;
  keyId: string;
  /** The PEM as it was sent (often on one line); `publicKey` is parsed from it. */
  pem: string;
  publicKey: KeyObject;
  /** Seconds, whole (Qlik rounds decimals off). */
  clockToleranceSec: number;
  description: string;
  created: string;
  lastUpdated: string;
}

export function apiError(status: number, title: string, detail: string): ResponseDescription {
  return jsonResponse(status, cloudErrorBody({ code: `HTTP-${status}`, title, status }, detail));
}

/** An IdP as the API shows it: `IDPJWTAuth` of @qlik/api (BaseIDP + options). */
export function identityProviderResource(idp: CloudIdentityProvider, tenantId: string): Record<string, unknown> {
  return {
    id: idp.id,
    tenantIds: [tenantId],
    protocol: 'jwtAuth',
    provider: 'external',
    interactive: false,
    active: true,
    description: idp.description,
    clockToleranceSec: idp.clockToleranceSec,
    created: idp.created,
    lastUpdated: idp.lastUpdated,
    meta: {},
    options: { issuer: idp.issuer, staticKeys: [{ kid: idp.keyId, pem: idp.pem }] },
  };
}

export function newIdentityProvider(
  fields: {
    issuer: string;
    keyId: string;
    pem: string;
    publicKey: KeyObject;
    clockToleranceSec: number;
    description?: string;
  },
  now: number,
): CloudIdentityProvider {
  const stamp = new Date(now).toISOString();
  return {
    id: randomUUID().replace(/-/g, '').slice(0, 24),
    description: '',
    ...fields,
    created: stamp,
    lastUpdated: stamp,
  };
}

type Parsed = { ok: true; idp: CloudIdentityProvider } | { ok: false; response: ResponseDescription };

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** A POST body (`CreateJWTAuthPayload`, or qlik.dev's example with its extra fields) as a new IdP. */
export function parseCreateBody(body: Buffer, tenantId: string, defaultTolerance: number, now: number): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, response: apiError(400, 'Bad Request', 'the body is not valid JSON') };
  }
  const bad = (detail: string): Parsed => ({ ok: false, response: apiError(400, 'Bad Request', detail) });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad('the body must be a JSON object');
  const payload = value as Record<string, unknown>;
  if (payload['protocol'] !== 'jwtAuth') return bad('only protocol "jwtAuth" is emulated');
  if (payload['provider'] !== 'external') return bad('provider must be "external" for jwtAuth');
  const tenantIds = payload['tenantIds'];
  // A tenant list that does not name the caller's tenant is a 403 (older qlik-cli reference, P33).
  if (tenantIds !== undefined && (!Array.isArray(tenantIds) || !tenantIds.includes(tenantId))) {
    return { ok: false, response: apiError(403, 'Forbidden', `tenantIds does not include this tenant (${tenantId})`) };
  }
  const options = (payload['options'] ?? {}) as Record<string, unknown>;
  if (!nonEmpty(options['issuer'])) return bad('options.issuer is required');
  const keys = options['staticKeys'];
  if (!Array.isArray(keys) || keys.length !== 1)
    return bad('options.staticKeys must hold exactly one key (limited to 1 key per identity provider)');
  const key = (keys[0] ?? {}) as Record<string, unknown>;
  if (!nonEmpty(key['kid'])) return bad('options.staticKeys[0].kid is required');
  if (!nonEmpty(key['pem'])) return bad('options.staticKeys[0].pem is required');
  let publicKey: KeyObject;
  try {
    publicKey = loadPublicKey(reflowPem(key['pem'].trim()));
  } catch (error) {
    return bad(`options.staticKeys[0].pem is not a usable certificate or public key: ${(error as Error).message}`);
  }
  const tolerance = payload['clockToleranceSec'];
  if (
    tolerance !== undefined &&
    (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0 || tolerance > 3600)
  ) {
    return bad('clockToleranceSec must be a number of seconds from 0 to 3600');
  }
  const description = payload['description'];
  if (description !== undefined && typeof description !== 'string') return bad('description must be a string');
  return {
    ok: true,
    idp: newIdentityProvider(
      {
        issuer: options['issuer'].trim(),
        keyId: key['kid'].trim(),
        pem: key['pem'],
        publicKey,
        clockToleranceSec: tolerance === undefined ? defaultTolerance : Math.round(tolerance as number),
        description: (description as string | undefined) ?? '',
      },
      now,
    ),
  };
}

/** PATCH: a JSON array of `{op: "replace", path: "/description", value}`; anything else is a 400 (B.3). */
export function applyPatch(idp: CloudIdentityProvider, body: Buffer, now: number): ResponseDescription | undefined {
  let operations: unknown;
  try {
    operations = JSON.parse(body.toString('utf8'));
  } catch {
    return apiError(400, 'Bad Request', 'the body is not valid JSON');
  }
  if (!Array.isArray(operations) || operations.length === 0)
    return apiError(400, 'Bad Request', 'the body must be a non-empty JSON Patch array');
  for (const operation of operations as Record<string, unknown>[]) {
    if (
      operation?.['op'] !== 'replace' ||
      operation['path'] !== '/description' ||
      typeof operation['value'] !== 'string'
    ) {
      return apiError(
        400,
        'Bad Request',
        'a jwtAuth identity provider allows only {"op":"replace","path":"/description","value":"…"}',
      );
    }
  }
  // All or nothing: a partial failure is a complete failure (P33); nothing is changed before here.
  for (const operation of operations as Record<string, unknown>[]) idp.description = operation['value'] as string;
  idp.lastUpdated = new Date(now).toISOString();
  return undefined;
}

export interface IdentityProviderStore {
  providers: CloudIdentityProvider[];
  tenantId: string;
  defaultTolerance: number;
}

/** `/api/v1/identity-providers[/id]` for a caller already known to be a TenantAdmin. */
export function decideIdentityProviderApi(
  store: IdentityProviderStore,
  facts: RequestFacts,
  path: string,
  body: Buffer,
): ResponseDescription {
  const method = facts.method.toUpperCase();
  const rest = path.slice('/api/v1/identity-providers'.length).replace(/^\/+/, '');
  const show = (idp: CloudIdentityProvider): Record<string, unknown> => identityProviderResource(idp, store.tenantId);
  if (rest === '') {
    if (method === 'GET') {
      const onlyActive = facts.query.get('active');
      const listed = onlyActive === 'false' ? [] : store.providers;
      return jsonResponse(200, { data: listed.map(show), links: { self: { href: '/api/v1/identity-providers' } } });
    }
    if (method === 'POST') {
      const parsed = parseCreateBody(body, store.tenantId, store.defaultTolerance, facts.now);
      if (!parsed.ok) return parsed.response;
      store.providers.push(parsed.idp);
      return jsonResponse(201, show(parsed.idp));
    }
    return apiError(405, 'Method Not Allowed', `${method} is not allowed here`);
  }
  const idp = store.providers.find((candidate) => candidate.id.toLowerCase() === rest.toLowerCase());
  if (!idp || rest.includes('/')) return apiError(404, 'Not Found', `no identity provider ${rest.slice(0, 80)}`);
  if (method === 'GET') return jsonResponse(200, show(idp));
  if (method === 'PATCH') return applyPatch(idp, body, facts.now) ?? { status: 204, headers: {}, body: '' };
  if (method === 'DELETE') {
    store.providers.splice(store.providers.indexOf(idp), 1);
    return { status: 204, headers: {}, body: '' };
  }
  return apiError(405, 'Method Not Allowed', `${method} is not allowed here`);
}

/**
 * Which IdPs a login token is checked against, in order: those whose key ID and issuer equal the
 * token's (each is tried; the first that accepts wins), else one with the same key ID, else one with
 * the same issuer, else the first. The fallbacks exist so a refusal names the mismatch (QJ209/QJ210)
 * [choice: Qlik does not say how it picks an IdP].
 */
export function candidateIdentityProviders(
  providers: readonly CloudIdentityProvider[],
  keyId: unknown,
  issuer: unknown,
): CloudIdentityProvider[] {
  const exact = providers.filter((idp) => idp.keyId === keyId && idp.issuer === issuer);
  if (exact.length > 0) return exact;
  const fallback =
    providers.find((idp) => idp.keyId === keyId) ?? providers.find((idp) => idp.issuer === issuer) ?? providers[0];
  return fallback ? [fallback] : [];
}
