import { ProvisioningError } from '../provisioning-error.js';
import {
  createIdpBody,
  describeIdp,
  jwtIdentityProviders,
  planCloudIdp,
  type CloudIdp,
  type DesiredIdp,
} from '../cloud-plan.js';
import { cloudApi, type CloudConnection } from './cloud-client.js';

/**
 * `setup cloud` against a live tenant: check the API key's user is a TenantAdmin, list the JWT IdPs,
 * and create, or with `replace` rotate: create the new IdP, prove a token signed with the new key
 * logs in, and only then delete the IdPs it replaces, so one of the two keys logs in at every moment.
 */

export interface ApiUser {
  tenantId: string | undefined;
  name: string;
  roles: string[];
}

export async function requireTenantAdmin(connection: CloudConnection): Promise<ApiUser> {
  const { json } = await cloudApi(connection, '/api/v1/users/me');
  const user = (json ?? {}) as {
    tenantId?: string;
    name?: string;
    subject?: string;
    assignedRoles?: { name?: string }[];
  };
  const roles = (user.assignedRoles ?? []).map((role) => String(role.name));
  const name = user.name ?? user.subject ?? "the API key's user";
  if (!roles.includes('TenantAdmin')) {
    throw new ProvisioningError(
      `${name} (the API key's user) is not a TenantAdmin (roles: ${roles.length > 0 ? roles.join(', ') : 'none'}): identity providers need the TenantAdmin role; use an API key of a tenant admin`,
      403,
    );
  }
  return { tenantId: user.tenantId, name, roles };
}

/** Every IdP, following `links.next` (bounded: a tenant has a handful). */
export async function listIdentityProviders(connection: CloudConnection): Promise<CloudIdp[]> {
  const all: Record<string, unknown>[] = [];
  let path: string | undefined = '/api/v1/identity-providers';
  for (let page = 0; path !== undefined && page < 20; page += 1) {
    const { json } = await cloudApi(connection, path);
    const body = (json ?? {}) as { data?: Record<string, unknown>[]; links?: { next?: { href?: string } } };
    if (!Array.isArray(body.data))
      throw new ProvisioningError(`${connection.tenant.host}: the identity-provider list has no data array`);
    all.push(...body.data);
    const next = body.links?.next?.href;
    path =
      next !== undefined && next !== ''
        ? new URL(next, connection.tenant).pathname + new URL(next, connection.tenant).search
        : undefined;
  }
  return jwtIdentityProviders(all);
}

export interface SetupCloudRequest {
  connection: CloudConnection;
  desired: DesiredIdp;
  replace: boolean;
  dryRun: boolean;
  /** Mints a login token with the new key (required with replace). */
  mintProof?: (() => string) | undefined;
}

export interface SetupCloudResult {
  changed: boolean;
  dryRun: boolean;
  identityProvider: { id: string | undefined; issuer: string; keyId: string; action: 'none' | 'create' | 'rotate' };
  deleted: string[];
  /** What happened, in order: created, proved, deleted. */
  steps: string[];
  warnings: string[];
}

export async function runSetupCloud(request: SetupCloudRequest): Promise<SetupCloudResult> {
  const { connection, desired } = request;
  const user = await requireTenantAdmin(connection);
  const idps = await listIdentityProviders(connection);
  const plan = planCloudIdp(idps, desired);
  const base = { issuer: desired.issuer, keyId: desired.keyId };
  const warnings: string[] = [];
  if (plan.match && plan.conflicts.length === 0) {
    if (!plan.match.active) warnings.push(`identity provider ${plan.match.id} exists but is not active`);
    return {
      changed: false,
      dryRun: request.dryRun,
      identityProvider: { id: plan.match.id, ...base, action: 'none' },
      deleted: [],
      steps: [],
      warnings,
    };
  }
  if (plan.conflicts.length > 0 && !request.replace) {
    throw new ProvisioningError(
      `identity provider ${plan.conflicts.map(describeIdp).join(', ')} has the same issuer or key ID with another key; a JWT IdP cannot be changed in place: pass --replace (with --key) to rotate, or choose another --kid`,
    );
  }
  const action = plan.conflicts.length > 0 ? 'rotate' : 'create';
  if (plan.match) {
    // The wanted IdP exists beside stale ones: only the deletions are left.
    plan.conflicts = plan.conflicts.filter((idp) => idp.id !== plan.match?.id);
  }
  if (request.dryRun) {
    const steps = [
      ...(plan.match ? [] : ['create']),
      ...(action === 'rotate' ? ['prove', ...plan.conflicts.map((idp) => `delete ${idp.id}`)] : []),
    ];
    return {
      changed: true,
      dryRun: true,
      identityProvider: { id: plan.match?.id, ...base, action },
      deleted: plan.conflicts.map((idp) => idp.id),
      steps,
      warnings,
    };
  }
  const steps: string[] = [];
  let id = plan.match?.id;
  if (!plan.match) {
    const { json } = await cloudApi(connection, '/api/v1/identity-providers', {
      method: 'POST',
      body: createIdpBody(desired, user.tenantId),
    });
    id = String((json as { id?: unknown } | undefined)?.id ?? '');
    steps.push(`created ${id}`);
  }
  const deleted: string[] = [];
  if (action === 'rotate') {
    if (!request.mintProof)
      throw new ProvisioningError(
        'rotation needs the new private key to prove the new identity provider before the old one is deleted',
      );
    try {
      await cloudApi(connection, '/login/jwt-session', { method: 'POST', bearer: request.mintProof() });
    } catch (error) {
      if (!(error instanceof ProvisioningError)) throw error;
      // The new IdP does not work: remove it again, so the tenant is as it was.
      if (!plan.match && id)
        await cloudApi(connection, `/api/v1/identity-providers/${id}`, { method: 'DELETE' }).catch(() => undefined);
      throw new ProvisioningError(
        `a token signed with the new key did not log in (${error.message}); the old identity provider was kept${plan.match ? '' : ' and the new one removed'}`,
      );
    }
    steps.push('proved: a token signed with the new key logged in');
    for (const idp of plan.conflicts) {
      await cloudApi(connection, `/api/v1/identity-providers/${idp.id}`, { method: 'DELETE' });
      deleted.push(idp.id);
      steps.push(`deleted ${idp.id}`);
    }
    warnings.push('tokens signed with the old key no longer log in: switch every signer to the new key');
  }
  return { changed: true, dryRun: false, identityProvider: { id, ...base, action }, deleted, steps, warnings };
}
