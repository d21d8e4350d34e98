import { doctorFinding, type DoctorFinding } from './doctor-rules.js';
import { JWT_AUTHENTICATION_METHOD, samePublicKey, type QrsEntity } from './qseow-plan.js';

/**
 * `doctor qseow` without the network: the virtual proxy as QRS shows it, checked against the local
 * key or certificate and the token settings (flags, or the claims of a given token).
 */

export interface QseowDoctorInput {
  prefix: string;
  proxy: QrsEntity | undefined;
  /** Every virtual proxy, for the cookie-name check. */
  allProxies: readonly QrsEntity[];
  linkedToCentral: boolean;
  /** The certificate, public key or private key the tokens are verified with or signed by (PEM). */
  localKeyPem?: string | undefined;
  localKeyLabel?: string | undefined;
  /** Claim names the tokens use (flags or defaults). */
  userIdAttribute: string;
  userDirectoryAttribute: string;
  /** The tokens' aud: from the token when given, else the --audience flag (undefined: none). */
  audience: string | undefined;
  /** Claims of a real token, when one was given: the attribute map is checked against them. */
  tokenClaims?: Readonly<Record<string, unknown>> | undefined;
  /** The host users open (https://<host>/<prefix>/…), for the websocket allow list. */
  host?: string | undefined;
}

function allowListHas(list: readonly string[], host: string): boolean {
  const wanted = host.toLowerCase();
  return list.some((entry) => {
    const item = entry.trim().toLowerCase();
    // Entries are hosts (P24) or origins; an origin's host counts.
    try {
      if (item.includes('://')) return new URL(item).hostname === wanted;
    } catch {
      return false;
    }
    return item.replace(/:\d+$/, '') === wanted;
  });
}

export function diagnoseVirtualProxy(input: QseowDoctorInput): DoctorFinding[] {
  const { proxy } = input;
  if (!proxy) return [doctorFinding('QD101', `/${input.prefix}`)];
  const findings: DoctorFinding[] = [];
  if (proxy['authenticationMethod'] !== JWT_AUTHENTICATION_METHOD)
    findings.push(doctorFinding('QD102', `authenticationMethod is ${String(proxy['authenticationMethod'])}, JWT is 4`));
  const pem = typeof proxy['jwtPublicKeyCertificate'] === 'string' ? proxy['jwtPublicKeyCertificate'].trim() : '';
  if (pem === '') findings.push(doctorFinding('QD103', 'the field is empty'));
  else if (input.localKeyPem !== undefined && !samePublicKey(pem, input.localKeyPem)) {
    findings.push(doctorFinding('QD104', `compared by public key with ${input.localKeyLabel ?? 'the local key'}`));
  }
  const claims = input.tokenClaims;
  const userIdAttribute = String(proxy['jwtAttributeUserId'] ?? '');
  const userDirectoryAttribute = String(proxy['jwtAttributeUserDirectory'] ?? '');
  if (claims) {
    if (typeof claims[userIdAttribute] !== 'string')
      findings.push(doctorFinding('QD105', `the proxy reads "${userIdAttribute}", the token has no such string claim`));
    if (typeof claims[userDirectoryAttribute] !== 'string')
      findings.push(
        doctorFinding('QD106', `the proxy reads "${userDirectoryAttribute}", the token has no such string claim`),
      );
  } else {
    if (userIdAttribute !== input.userIdAttribute)
      findings.push(doctorFinding('QD105', `proxy "${userIdAttribute}", tokens "${input.userIdAttribute}"`));
    if (userDirectoryAttribute !== input.userDirectoryAttribute)
      findings.push(
        doctorFinding('QD106', `proxy "${userDirectoryAttribute}", tokens "${input.userDirectoryAttribute}"`),
      );
  }
  const proxyAudience =
    typeof proxy['jwtAudience'] === 'string' && proxy['jwtAudience'] !== '' ? proxy['jwtAudience'] : undefined;
  if (proxyAudience !== undefined && proxyAudience !== input.audience) {
    findings.push(
      doctorFinding(
        'QD107',
        `proxy "${proxyAudience}", tokens ${input.audience === undefined ? 'carry no aud' : `"${input.audience}"`}`,
      ),
    );
  }
  if (claims && Array.isArray(proxy['jwtAttributeMap'])) {
    for (const item of proxy['jwtAttributeMap'] as QrsEntity[]) {
      const claim = String(item['jwtAttribute']);
      if (Object.hasOwn(claims, claim)) continue;
      findings.push(
        doctorFinding(
          item['isMandatory'] === true ? 'QD108' : 'QD109',
          `"${claim}" (Sense attribute ${String(item['senseAttribute'])})`,
        ),
      );
    }
  }
  if (!input.linkedToCentral) findings.push(doctorFinding('QD110'));
  const allowList = Array.isArray(proxy['websocketCrossOriginWhiteList'])
    ? (proxy['websocketCrossOriginWhiteList'] as string[])
    : [];
  if (input.host !== undefined && !allowListHas(allowList, input.host)) {
    findings.push(
      doctorFinding('QD111', `"${input.host}" (the list: ${allowList.length === 0 ? 'empty' : allowList.join(', ')})`),
    );
  }
  const cookie = String(proxy['sessionCookieHeaderName'] ?? '');
  const sharing = input.allProxies.filter(
    (other) => other['id'] !== proxy['id'] && String(other['sessionCookieHeaderName'] ?? '') === cookie,
  );
  if (sharing.length > 0)
    findings.push(
      doctorFinding('QD112', `"${cookie}" also on /${sharing.map((other) => String(other['prefix'])).join(', /')}`),
    );
  const nodes = proxy['loadBalancingServerNodes'];
  if (!Array.isArray(nodes) || nodes.length === 0) findings.push(doctorFinding('QD113'));
  return findings;
}
