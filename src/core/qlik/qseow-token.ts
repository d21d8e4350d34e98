import { ClaimError } from '../errors.js';
import type { JwtPayload } from '../jose/compact-jws.js';
import { QSEOW_DEFAULTS, QSEOW_LONG_LIFETIME_SECONDS } from './qlik-limits.js';
import { addExtraClaims, requireAttributeName, setClaim } from './registered-claims.js';
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

/** The options that name the user; everything else is shared by every token a minter makes. */
export type QseowUserOptions = Pick<
  QseowTokenOptions,
  'userId' | 'userDirectory' | 'name' | 'email' | 'groups' | 'subject' | 'jwtId' | 'claims'
>;
export type QseowSharedOptions = Omit<QseowTokenOptions, keyof QseowUserOptions>;

/** Makes many QSEoW tokens with the same settings, checking and encoding those settings once. */
export type QseowTokenMinter = MintingSteps<QseowUserOptions>;

/**
 * A token for a client-managed Qlik Sense (QSEoW) JWT virtual proxy. The proxy reads the user from
 * two configurable claims and checks `exp`/`nbf`, plus `aud` when configured.
 */
export function createQseowToken(options: QseowTokenOptions): CreatedToken {
  return qseowTokenMinter(options).create(options);
}

/** createQseowToken, signed on libuv's thread pool (for servers: the event loop stays free meanwhile). */
export async function createQseowTokenAsync(options: QseowTokenOptions): Promise<CreatedToken> {
  return qseowTokenMinter(options).createAsync(options);
}

export function qseowTokenMinter(shared: QseowSharedOptions): QseowTokenMinter {
  const basis = signingBasis(shared);
  const userIdAttribute = requireAttributeName(
    shared.userIdAttribute ?? QSEOW_DEFAULTS.userIdAttribute,
    'userIdAttribute',
  );
  const userDirectoryAttribute = requireAttributeName(
    shared.userDirectoryAttribute ?? QSEOW_DEFAULTS.userDirectoryAttribute,
    'userDirectoryAttribute',
  );
  if (userIdAttribute === userDirectoryAttribute) {
    throw new ClaimError(
      'CLAIM_CONFLICT',
      `the user ID and user directory attributes are both "${userIdAttribute}": the virtual proxy needs two different claims`,
    );
  }
  // Checked only when a token has groups, as a groups attribute is irrelevant to one without.
  const groupsAttribute = (): string =>
    requireAttributeName(shared.groupsAttribute ?? QSEOW_DEFAULTS.groupsAttribute, 'groupsAttribute');
  const currentWindow = windowPerSecond(shared, QSEOW_DEFAULTS.expires);
  const issuer = shared.issuer === undefined ? undefined : requireText(shared.issuer, 'issuer');
  const audience = shared.audience === undefined ? undefined : requireText(shared.audience, 'audience');
  const lintOptions = { userIdAttribute, userDirectoryAttribute };

  const prepare = (user: QseowUserOptions): UnsignedToken => {
    const groups = requireGroups(user.groups);
    const window = currentWindow();
    const payload: JwtPayload = {};
    setClaim(payload, userIdAttribute, requireText(user.userId, 'userId'));
    setClaim(payload, userDirectoryAttribute, requireText(user.userDirectory, 'userDirectory'));
    if (user.name !== undefined) payload['name'] = requireText(user.name, 'name');
    if (user.email !== undefined) payload['email'] = requireText(user.email, 'email');
    if (groups) {
      const attribute = groupsAttribute();
      if (Object.hasOwn(payload, attribute))
        throw new ClaimError(
          'CLAIM_CONFLICT',
          `the groups attribute "${attribute}" repeats another claim name: choose a distinct name`,
        );
      setClaim(payload, attribute, groups);
    }
    if (issuer !== undefined) payload['iss'] = issuer;
    if (user.subject !== undefined) payload['sub'] = requireText(user.subject, 'subject');
    if (audience !== undefined) payload['aud'] = audience;
    payload['iat'] = window.iat;
    payload['nbf'] = window.nbf;
    payload['exp'] = window.exp;
    payload['jti'] = user.jwtId === undefined ? randomJwtId() : requireText(user.jwtId, 'jwtId');
    addExtraClaims(payload, user.claims);
    return unsignedToken(basis, payload, refuseRejected(basis.header, payload, 'qseow', lintOptions, window));
  };
  return mintingSteps(prepare);
}
