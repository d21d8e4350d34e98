import { ClaimError } from '../errors.js';
import type { JwtPayload } from '../jose/compact-jws.js';
import { formatDuration } from '../time/duration.js';
import { isoTime, resolveTimeWindow } from '../time/token-window.js';
import { CLOUD_DEFAULTS, QLIK_CLOUD_AUDIENCE, QLIK_CLOUD_MAX_LIFETIME_SECONDS } from './qlik-limits.js';
import { addExtraClaims } from './registered-claims.js';
import { refuseRejected } from './self-check.js';
import {
  buildHeader, currentTime, randomJwtId, requireGroups, requireText, resolveSigningKey, signedToken, unsignedToken,
  type CreatedToken, type TokenOptionsBase, type UnsignedToken,
} from './token-common.js';

export { QLIK_CLOUD_AUDIENCE, QLIK_CLOUD_MAX_LIFETIME_SECONDS, CLOUD_DEFAULTS };

export interface CloudTokenOptions extends TokenOptionsBase {
  /** `sub`: stable per user; Qlik Cloud keys the user on it. */
  subject: string;
  name: string;
  email: string;
  /** Must equal the identity provider's issuer. */
  issuer: string;
  /** Must equal the identity provider's key ID. */
  keyId: string;
  /** Sent as a JSON boolean; default true. */
  emailVerified?: boolean | undefined;
  groups?: readonly string[] | undefined;
  /** Default and only value Qlik Cloud accepts: `qlik.api/login/jwt-session`. */
  audience?: string | undefined;
  claims?: Readonly<Record<string, unknown>> | undefined;
}

/** A token for Qlik Cloud's JWT identity provider (`POST /login/jwt-session`). */
export function createCloudToken(options: CloudTokenOptions): CreatedToken {
  return signedToken(prepareCloudToken(options));
}

/** Everything createCloudToken does except signing: checks, claims, the self-check and the signing input. */
export function prepareCloudToken(options: CloudTokenOptions): UnsignedToken {
  const key = resolveSigningKey(options);
  const header = buildHeader(Object.assign({}, options, { keyId: requireText(options.keyId, 'key ID (kid)') }));
  const window = resolveTimeWindow(options, CLOUD_DEFAULTS.expires, currentTime(options));
  const lifetime = window.exp - window.nbf;
  if (lifetime > QLIK_CLOUD_MAX_LIFETIME_SECONDS) {
    throw new ClaimError(
      'CLOUD_LIFETIME_TOO_LONG',
      `the token would be valid for ${formatDuration(lifetime)} (not-before ${isoTime(window.nbf)} to expiry ${isoTime(window.exp)}): Qlik Cloud refuses tokens whose exp − nbf is over 60 minutes; mint a fresh short-lived token per login instead (e.g. --expires 5m)`,
    );
  }
  if (options.emailVerified !== undefined && typeof options.emailVerified !== 'boolean') {
    throw new ClaimError('CLAIM_INVALID', 'emailVerified must be a boolean: Qlik Cloud reads email_verified as a JSON true/false, not a string');
  }
  const payload: JwtPayload = {
    iss: requireText(options.issuer, 'issuer'),
    sub: requireText(options.subject, 'subject (sub)'),
    subType: 'user',
    name: requireText(options.name, 'name'),
    email: requireText(options.email, 'email'),
    email_verified: options.emailVerified ?? true,
  };
  const groups = requireGroups(options.groups);
  if (groups) payload['groups'] = groups;
  const audience = options.audience ?? QLIK_CLOUD_AUDIENCE;
  payload['aud'] = requireText(audience, 'audience');
  payload['iat'] = window.iat;
  payload['nbf'] = window.nbf;
  payload['exp'] = window.exp;
  payload['jti'] = options.jwtId === undefined ? randomJwtId() : requireText(options.jwtId, 'JWT ID (jti)');
  addExtraClaims(payload, options.claims);

  const warnings = refuseRejected(header, payload, 'cloud', { issuer: options.issuer, keyId: options.keyId }, window);
  if (window.nbf > window.iat) {
    warnings.push(`the token becomes valid only at ${isoTime(window.nbf)}: Qlik Cloud refuses it until then`);
  }
  return unsignedToken(header, payload, key, warnings);
}
