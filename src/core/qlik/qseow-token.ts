import { ClaimError } from '../errors.js';
import type { JwtPayload } from '../jose/compact-jws.js';
import { resolveTimeWindow } from '../time/token-window.js';
import { QSEOW_DEFAULTS, QSEOW_LONG_LIFETIME_SECONDS } from './qlik-limits.js';
import { addExtraClaims, requireAttributeName, setClaim } from './registered-claims.js';
import { refuseRejected } from './self-check.js';
import {
  buildHeader, currentTime, randomJwtId, requireGroups, requireText, resolveSigningKey, signedToken, unsignedToken,
  type CreatedToken, type TokenOptionsBase, type UnsignedToken,
} from './token-common.js';

export { QSEOW_DEFAULTS, QSEOW_LONG_LIFETIME_SECONDS };

export interface QseowTokenOptions extends TokenOptionsBase {
  userId: string;
  userDirectory: string;
  /** Must equal the virtual proxy's "JWT attribute for user ID"; default `userId`. */
  userIdAttribute?: string | undefined;
  /** Must equal the virtual proxy's "JWT attribute for user directory"; default `userDirectory`. */
  userDirectoryAttribute?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  /** Sent as a JSON array, which the proxy's attribute map turns into one value per group. */
  groups?: readonly string[] | undefined;
  /** Claim name for groups; default `groups`. Map it in the virtual proxy's attribute mapping. */
  groupsAttribute?: string | undefined;
  /** Checked by the proxy only when its JWT audience is set; must then match exactly. */
  audience?: string | undefined;
  issuer?: string | undefined;
  subject?: string | undefined;
  /** Further claims; may not repeat one set above. */
  claims?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A token for a client-managed Qlik Sense (QSEoW) JWT virtual proxy. The proxy reads the user from
 * two configurable claims and checks `exp`/`nbf`, plus `aud` when configured.
 */
export function createQseowToken(options: QseowTokenOptions): CreatedToken {
  return signedToken(prepareQseowToken(options));
}

/** Everything createQseowToken does except signing: checks, claims, the self-check and the signing input. */
export function prepareQseowToken(options: QseowTokenOptions): UnsignedToken {
  const key = resolveSigningKey(options);
  const header = buildHeader(options);
  const userIdAttribute = requireAttributeName(options.userIdAttribute ?? QSEOW_DEFAULTS.userIdAttribute, 'user ID attribute');
  const userDirectoryAttribute = requireAttributeName(options.userDirectoryAttribute ?? QSEOW_DEFAULTS.userDirectoryAttribute, 'user directory attribute');
  if (userIdAttribute === userDirectoryAttribute) {
    throw new ClaimError('CLAIM_CONFLICT', `the user ID and user directory attributes are both "${userIdAttribute}": the virtual proxy needs two different claims`);
  }
  const groups = requireGroups(options.groups);
  const groupsAttribute = groups ? requireAttributeName(options.groupsAttribute ?? QSEOW_DEFAULTS.groupsAttribute, 'groups attribute') : undefined;
  const window = resolveTimeWindow(options, QSEOW_DEFAULTS.expires, currentTime(options));

  const payload: JwtPayload = {};
  setClaim(payload, userIdAttribute, requireText(options.userId, 'user ID'));
  setClaim(payload, userDirectoryAttribute, requireText(options.userDirectory, 'user directory'));
  if (options.name !== undefined) payload['name'] = requireText(options.name, 'name');
  if (options.email !== undefined) payload['email'] = requireText(options.email, 'email');
  if (groups && groupsAttribute) {
    if (Object.hasOwn(payload, groupsAttribute)) throw new ClaimError('CLAIM_CONFLICT', `the groups attribute "${groupsAttribute}" repeats another claim name: choose a distinct name`);
    setClaim(payload, groupsAttribute, groups);
  }
  if (options.issuer !== undefined) payload['iss'] = requireText(options.issuer, 'issuer');
  if (options.subject !== undefined) payload['sub'] = requireText(options.subject, 'subject');
  if (options.audience !== undefined) payload['aud'] = requireText(options.audience, 'audience');
  payload['iat'] = window.iat;
  payload['nbf'] = window.nbf;
  payload['exp'] = window.exp;
  payload['jti'] = options.jwtId === undefined ? randomJwtId() : requireText(options.jwtId, 'JWT ID (jti)');
  addExtraClaims(payload, options.claims);

  const warnings = refuseRejected(header, payload, 'qseow', { userIdAttribute, userDirectoryAttribute }, window);
  return unsignedToken(header, payload, key, warnings);
}
