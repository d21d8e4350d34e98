import type { JWTPayload } from 'jose';
import type { QseowUserOptions } from '../core/qlik/qseow-token.js';
import { refusal, type Refusal } from './refusal-reasons.js';

/**
 * How an identity provider's verified claims become the QSEoW user of the minted token: the user ID
 * from one claim, the user directory from a claim or a constant, groups and further attributes from
 * other claims. A claim the mapping needs but the token lacks is a refusal, never a guess.
 */
export interface ClaimMapping {
  userIdClaim: string;
  userDirectory: { claim: string } | { value: string };
  groupsClaim?: string | undefined;
  /** IdP claim → claim name in the QSEoW token (map it in the virtual proxy's attribute mapping). */
  attributes: readonly { claim: string; name: string }[];
}

/** Longest claim value copied into a QSEoW token; an IdP claim larger than this is refused. */
export const MAX_CLAIM_TEXT = 1024;
/** Most groups or values of one attribute copied into one token. */
export const MAX_CLAIM_VALUES = 200;

export type MappedUser = Required<Pick<QseowUserOptions, 'userId' | 'userDirectory'>> &
  Pick<QseowUserOptions, 'groups' | 'claims'>;

/** A claim by name; a dotted name (`realm_access.roles`) walks into objects, as Keycloak nests roles. */
export function claimAt(payload: JWTPayload, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function text(payload: JWTPayload, claim: string): string | Refusal {
  const value = claimAt(payload, claim);
  if (value === undefined || value === null || value === '') {
    return refusal('missing_claim', `the token has no "${claim}" claim, which the bridge maps to the Qlik user`);
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    return refusal('invalid_claim', `the "${claim}" claim is not a string`);
  }
  const result = String(value);
  if (result.length > MAX_CLAIM_TEXT) {
    return refusal('invalid_claim', `the "${claim}" claim is longer than ${MAX_CLAIM_TEXT} characters`);
  }
  return result;
}

/** A string or an array of strings (numbers taken as text); one value per element. */
function texts(payload: JWTPayload, claim: string): string[] | Refusal | undefined {
  const value = claimAt(payload, claim);
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_CLAIM_VALUES) {
    return refusal('invalid_claim', `the "${claim}" claim has more than ${MAX_CLAIM_VALUES} values`);
  }
  const result: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string' && typeof item !== 'number') {
      return refusal('invalid_claim', `the "${claim}" claim is not a string or a list of strings`);
    }
    const itemText = String(item);
    if (itemText.length > MAX_CLAIM_TEXT) {
      return refusal('invalid_claim', `a value of the "${claim}" claim is longer than ${MAX_CLAIM_TEXT} characters`);
    }
    result.push(itemText);
  }
  return result;
}

const isRefusal = (value: unknown): value is Refusal => typeof value === 'object' && value !== null && 'code' in value;

export function mapClaims(payload: JWTPayload, mapping: ClaimMapping): MappedUser | Refusal {
  const userId = text(payload, mapping.userIdClaim);
  if (isRefusal(userId)) return userId;
  const { userDirectory: directory } = mapping;
  const userDirectory = 'value' in directory ? directory.value : text(payload, directory.claim);
  if (isRefusal(userDirectory)) return userDirectory;
  const user: MappedUser = { userId, userDirectory };
  if (mapping.groupsClaim !== undefined) {
    // A user in no group is common (the IdP leaves the claim out): no groups, not a refusal.
    const groups = texts(payload, mapping.groupsClaim);
    if (isRefusal(groups)) return groups;
    if (groups !== undefined && groups.length > 0) user.groups = groups;
  }
  if (mapping.attributes.length > 0) {
    const claims: Record<string, string | string[]> = {};
    for (const { claim, name } of mapping.attributes) {
      const values = texts(payload, claim);
      if (values === undefined) {
        const why = `the token has no "${claim}" claim, which the bridge maps to the attribute ${name}`;
        return refusal('missing_claim', why);
      }
      if (isRefusal(values)) return values;
      claims[name] = Array.isArray(claimAt(payload, claim)) ? values : (values[0] ?? '');
    }
    user.claims = claims;
  }
  return user;
}

export function isMappedUser(value: MappedUser | Refusal): value is MappedUser {
  return !isRefusal(value);
}

/** One text per identity, for the minted-token cache and the access log. */
export function identityKey(user: MappedUser): string {
  return JSON.stringify([user.userDirectory, user.userId, user.groups ?? null, user.claims ?? null]);
}

export function describeMappedUser(user: Pick<MappedUser, 'userId' | 'userDirectory'>): string {
  return `${user.userDirectory}\\${user.userId}`;
}
