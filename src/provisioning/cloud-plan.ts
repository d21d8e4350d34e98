import { toSingleLinePem } from '../core/keys/pem-blocks.js';
import { samePublicKey } from './qseow-plan.js';

/**
 * What `setup cloud` does with a tenant's identity providers, decided without the network. A JWT IdP
 * cannot change its issuer, key or key ID in place (PATCH allows only /description, B.3), so the only
 * moves are: nothing (an IdP with the same issuer, key ID and key exists), create, or rotate (create
 * the new one, prove it, delete the ones it replaces).
 */

export interface CloudIdp {
  id: string;
  issuer: string;
  keyId: string;
  pem: string;
  active: boolean;
  clockToleranceSec: number | undefined;
  description: string;
}

export interface DesiredIdp {
  issuer: string;
  keyId: string;
  certificatePem: string;
  description: string;
  clockToleranceSec: number | undefined;
}

/** The JWT IdPs of a list answer (`{data: [...]}`), in a form the checks use. */
export function jwtIdentityProviders(data: readonly Record<string, unknown>[]): CloudIdp[] {
  return data
    .filter((item) => item['protocol'] === 'jwtAuth')
    .map((item) => {
      const options = (item['options'] ?? {}) as Record<string, unknown>;
      const keys = Array.isArray(options['staticKeys']) ? (options['staticKeys'] as Record<string, unknown>[]) : [];
      const tolerance = item['clockToleranceSec'];
      return {
        id: String(item['id']),
        issuer: String(options['issuer'] ?? ''),
        keyId: String(keys[0]?.['kid'] ?? ''),
        pem: String(keys[0]?.['pem'] ?? ''),
        active: item['active'] !== false,
        clockToleranceSec: typeof tolerance === 'number' ? tolerance : undefined,
        description: String(item['description'] ?? ''),
      };
    });
}

export interface CloudPlan {
  /** An IdP that already does what is wanted. */
  match: CloudIdp | undefined;
  /** IdPs with the same issuer or key ID but another key or partner: replaced with --replace, else reported. */
  conflicts: CloudIdp[];
}

export function planCloudIdp(idps: readonly CloudIdp[], desired: DesiredIdp): CloudPlan {
  const match = idps.find(
    (idp) =>
      idp.issuer === desired.issuer && idp.keyId === desired.keyId && samePublicKey(idp.pem, desired.certificatePem),
  );
  const conflicts = idps.filter(
    (idp) => idp !== match && (idp.issuer === desired.issuer || idp.keyId === desired.keyId),
  );
  return { match, conflicts };
}

/** The create body: qlik.dev's published example shape (B.2), the certificate on one line. */
export function createIdpBody(desired: DesiredIdp, tenantId: string | undefined): Record<string, unknown> {
  return {
    ...(tenantId !== undefined ? { tenantIds: [tenantId] } : {}),
    provider: 'external',
    protocol: 'jwtAuth',
    interactive: false,
    active: true,
    description: desired.description,
    ...(desired.clockToleranceSec !== undefined ? { clockToleranceSec: desired.clockToleranceSec } : {}),
    options: {
      jwtLoginEnabled: true,
      issuer: desired.issuer,
      staticKeys: [{ kid: desired.keyId, pem: toSingleLinePem(desired.certificatePem) }],
    },
  };
}

export function describeIdp(idp: CloudIdp): string {
  return `${idp.id} (issuer ${idp.issuer}, kid ${idp.keyId})`;
}
