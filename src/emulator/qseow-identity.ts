import type { AttributeMapping } from './emulator-config.js';
import { refusal, type Refusal } from './refusal-codes.js';

/** The user a QSEoW session belongs to, with the attributes its virtual proxy mapped from the token. */
export interface QseowUser {
  userId: string;
  userDirectory: string;
  /** The `name` claim when present, else the user ID: what /qps/user reports as userName. */
  userName: string;
  /** One entry per value: a JSON array claim becomes several entries with the same name [choice]. */
  attributes: { name: string; value: string }[];
}

/** Qlik treats user directory and user ID case-insensitively when it matches users. */
export function sameUser(a: QseowUser, b: QseowUser): boolean {
  return (
    a.userId.toLowerCase() === b.userId.toLowerCase() && a.userDirectory.toLowerCase() === b.userDirectory.toLowerCase()
  );
}

export function describeUser(user: QseowUser): string {
  return `${user.userDirectory}\\${user.userId}`;
}

function attributeValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list
    .filter((item) => item !== null && item !== undefined)
    .map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

/**
 * The session user from a verified token's claims. verifyToken has already checked that the user ID and
 * directory claims are non-empty strings; this applies the attribute map, refusing a token that lacks a
 * mandatory mapped claim (401) [choice in the facts].
 */
export function userFromClaims(
  payload: Readonly<Record<string, unknown>>,
  userIdAttribute: string,
  userDirectoryAttribute: string,
  attributeMap: readonly AttributeMapping[],
): QseowUser | Refusal {
  const userId = String(payload[userIdAttribute]);
  const userDirectory = String(payload[userDirectoryAttribute]);
  const attributes: QseowUser['attributes'] = [];
  for (const mapping of attributeMap) {
    // Own claims only: a mapping to "constructor" must not read Object.prototype's.
    const values = Object.hasOwn(payload, mapping.jwtAttribute) ? attributeValues(payload[mapping.jwtAttribute]) : [];
    if (values.length === 0 && mapping.isMandatory)
      return refusal('EMU003', `no "${mapping.jwtAttribute}" claim for the attribute ${mapping.senseAttribute}`);
    for (const value of values) attributes.push({ name: mapping.senseAttribute, value });
  }
  const name = payload['name'];
  return { userId, userDirectory, userName: typeof name === 'string' && name !== '' ? name : userId, attributes };
}

/** `X-Qlik-User`, as Qlik's proxy sends it to its services; values URL-encoded so `;` cannot split them. */
export function qlikUserHeader(user: QseowUser): string {
  return `UserDirectory=${encodeURIComponent(user.userDirectory)}; UserId=${encodeURIComponent(user.userId)}`;
}

/** `X-Qlik-Security`: one `key=value;` per mapped attribute value, both URL-encoded. */
export function qlikSecurityHeader(user: QseowUser): string {
  return user.attributes.map(({ name, value }) => `${encodeURIComponent(name)}=${encodeURIComponent(value)};`).join('');
}

/** What the engine's GetAuthenticatedUser returns: `UserDirectory=<dir>; UserId=<id>`, unencoded. */
export function authenticatedUserText(user: QseowUser): string {
  return `UserDirectory=${user.userDirectory}; UserId=${user.userId}`;
}
