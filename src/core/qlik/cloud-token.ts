import { ClaimError, optionError } from '../errors.js';
import type { JwtPayload } from '../jose/compact-jws.js';
import { formatDuration } from '../time/duration.js';
import { isoTime } from '../time/token-window.js';
import { CLOUD_DEFAULTS, QLIK_CLOUD_AUDIENCE, QLIK_CLOUD_MAX_LIFETIME_SECONDS } from './qlik-limits.js';
import { addExtraClaims } from './registered-claims.js';
import { refuseRejected } from './self-check.js';
import {
  mintingSteps,
  signingBasis,
  unsignedToken,
  windowPerSecond,
  type MintingSteps,
  type UnsignedToken,
} from './prepared-token.js';
import { randomJwtId, requireGroups, requireText, type CreatedToken, type TokenOptionsBase } from './token-common.js';

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

/** The options that name the user; everything else is shared by every token a minter makes. */
export type CloudUserOptions = Pick<
  CloudTokenOptions,
  'subject' | 'name' | 'email' | 'emailVerified' | 'groups' | 'jwtId' | 'claims'
>;
export type CloudSharedOptions = Omit<CloudTokenOptions, keyof CloudUserOptions>;

/** Makes many Qlik Cloud tokens with the same settings, checking and encoding those settings once. */
export type CloudTokenMinter = MintingSteps<CloudUserOptions>;

/** A token for Qlik Cloud's JWT identity provider (`POST /login/jwt-session`). */
export function createCloudToken(options: CloudTokenOptions): CreatedToken {
  return cloudTokenMinter(options).create(options);
}

/** createCloudToken, signed on libuv's thread pool (for servers: the event loop stays free meanwhile). */
export async function createCloudTokenAsync(options: CloudTokenOptions): Promise<CreatedToken> {
  return cloudTokenMinter(options).createAsync(options);
}

export function cloudTokenMinter(shared: CloudSharedOptions): CloudTokenMinter {
  const basis = signingBasis(Object.assign({}, shared, { keyId: requireText(shared.keyId, 'keyId') }));
  const issuer = requireText(shared.issuer, 'issuer');
  const audience = requireText(shared.audience ?? QLIK_CLOUD_AUDIENCE, 'audience');
  const currentWindow = windowPerSecond(shared, CLOUD_DEFAULTS.expires);
  const lintOptions = { issuer: shared.issuer, keyId: shared.keyId };

  const prepare = (user: CloudUserOptions): UnsignedToken => {
    const window = currentWindow();
    const lifetime = window.exp - window.nbf;
    if (lifetime > QLIK_CLOUD_MAX_LIFETIME_SECONDS) {
      throw optionError(ClaimError, 'CLOUD_LIFETIME_TOO_LONG', {
        option: 'expires',
        value: shared.expires,
        reason: `makes the token valid for ${formatDuration(lifetime)} (not-before ${isoTime(window.nbf)} to expiry ${isoTime(window.exp)}): Qlik Cloud refuses tokens whose exp − nbf is over 60 minutes; mint a fresh short-lived token per login instead (e.g. a lifetime of 5m)`,
      });
    }
    if (user.emailVerified !== undefined && typeof user.emailVerified !== 'boolean') {
      throw optionError(ClaimError, 'CLAIM_INVALID', {
        option: 'emailVerified',
        value: user.emailVerified,
        reason: 'must be a boolean: Qlik Cloud reads email_verified as a JSON true/false, not a string',
      });
    }
    const payload: JwtPayload = {
      iss: issuer,
      sub: requireText(user.subject, 'subject'),
      subType: 'user',
      name: requireText(user.name, 'name'),
      email: requireText(user.email, 'email'),
      email_verified: user.emailVerified ?? true,
    };
    const groups = requireGroups(user.groups);
    if (groups) payload['groups'] = groups;
    payload['aud'] = audience;
    payload['iat'] = window.iat;
    payload['nbf'] = window.nbf;
    payload['exp'] = window.exp;
    payload['jti'] = user.jwtId === undefined ? randomJwtId() : requireText(user.jwtId, 'jwtId');
    addExtraClaims(payload, user.claims);

    const warnings = refuseRejected(basis.header, payload, 'cloud', lintOptions, window);
    if (window.nbf > window.iat) {
      warnings.push(`the token becomes valid only at ${isoTime(window.nbf)}: Qlik Cloud refuses it until then`);
    }
    return unsignedToken(basis, payload, warnings);
  };
  return mintingSteps(prepare);
}
