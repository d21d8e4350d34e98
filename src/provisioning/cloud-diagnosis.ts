import type { CloudIdp } from './cloud-plan.js';
import { doctorFinding, type DoctorFinding } from './doctor-rules.js';
import { samePublicKey } from './qseow-plan.js';

/**
 * `doctor cloud` without the network: the tenant's JWT identity providers checked against the
 * tokens' issuer and key ID (flags, or a given token) and the local key or certificate.
 */

export interface CloudDoctorInput {
  idps: readonly CloudIdp[];
  issuer: string | undefined;
  keyId: string | undefined;
  localKeyPem?: string | undefined;
  localKeyLabel?: string | undefined;
}

export function diagnoseIdentityProviders(input: CloudDoctorInput): {
  findings: DoctorFinding[];
  idp: CloudIdp | undefined;
} {
  const { idps, issuer, keyId } = input;
  if (idps.length === 0) return { findings: [doctorFinding('QD201')], idp: undefined };
  const exact = idps.find((idp) => idp.issuer === issuer && idp.keyId === keyId);
  if (!exact) {
    const sameKid = idps.find((idp) => idp.keyId === keyId);
    if (sameKid)
      return {
        findings: [doctorFinding('QD203', `IdP ${sameKid.id} has "${sameKid.issuer}", tokens "${String(issuer)}"`)],
        idp: sameKid,
      };
    const sameIssuer = idps.find((idp) => idp.issuer === issuer);
    if (sameIssuer)
      return {
        findings: [doctorFinding('QD204', `IdP ${sameIssuer.id} has "${sameIssuer.keyId}", tokens "${String(keyId)}"`)],
        idp: sameIssuer,
      };
    const known = idps.map((idp) => `${idp.issuer} / ${idp.keyId}`).join('; ');
    return {
      findings: [doctorFinding('QD202', `tokens: ${String(issuer)} / ${String(keyId)}; IdPs: ${known}`)],
      idp: undefined,
    };
  }
  const findings: DoctorFinding[] = [];
  if (input.localKeyPem !== undefined && !samePublicKey(exact.pem, input.localKeyPem)) {
    findings.push(
      doctorFinding('QD205', `IdP ${exact.id} compared by public key with ${input.localKeyLabel ?? 'the local key'}`),
    );
  }
  if (!exact.active) findings.push(doctorFinding('QD206', `IdP ${exact.id}`));
  if (exact.clockToleranceSec === 0) findings.push(doctorFinding('QD207', `IdP ${exact.id} has clockToleranceSec 0`));
  return { findings, idp: exact };
}
