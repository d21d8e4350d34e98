/**
 * GetAuthenticatedUser answers `UserDirectory=ACME; UserId=anna` (QSEoW): the engine's view of who the
 * proxy authenticated, unencoded. A ";" or "=" inside a value makes that string mean two things, so it
 * is read strictly: each key exactly once, no other key, no stray separator, no "=" or edge space in a
 * value. Anything else is reported, never resolved by letting a later piece win, as that is exactly how
 * a user ID such as "anna; UserId=admin" would pass for another user.
 */

export interface EngineUser {
  userDirectory: string;
  userId: string;
}

export type EngineUserReading =
  | ({ ok: true } & EngineUser)
  /** ambiguous: the text has the pieces of an identity string but cannot be read one way only. */
  | { ok: false; ambiguous: boolean; problem: string };

/** Far above any directory and user ID; bounds the work on a hostile answer. */
export const MAX_ENGINE_USER_LENGTH = 4096;

const KEYS: Readonly<Record<string, keyof EngineUser>> = { userdirectory: 'userDirectory', userid: 'userId' };
const KEY_NAMES: Readonly<Record<keyof EngineUser, string>> = { userDirectory: 'UserDirectory', userId: 'UserId' };

function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function ambiguous(problem: string): EngineUserReading {
  return { ok: false, ambiguous: true, problem };
}

/** Why a value cannot be told apart from its neighbours, or undefined when it is plain. */
function valueProblem(key: string, value: string): string | undefined {
  if (value === '') return `${key} is empty`;
  if (value.includes('=')) return `${key} ${quoted(value)} contains "="`;
  if (/\p{Cc}/u.test(value)) return `${key} ${quoted(value)} contains a control character`;
  if (value.trim() !== value) return `${key} ${quoted(value)} has leading or trailing whitespace`;
  return undefined;
}

export function parseAuthenticatedUser(text: string): EngineUserReading {
  if (text.length > MAX_ENGINE_USER_LENGTH)
    return { ok: false, ambiguous: false, problem: `${text.length} characters, far more than a user` };
  if (!text.includes('=')) return { ok: false, ambiguous: false, problem: 'not UserDirectory=…; UserId=…' };
  const found: Partial<EngineUser> = {};
  const pieces = text.split(';');
  for (const [index, raw] of pieces.entries()) {
    // The separator is "; "; only the space that follows it is not part of the next piece.
    const piece = index === 0 ? raw : raw.replace(/^ /, '');
    if (piece.trim() === '') return ambiguous(`a stray ";" (piece ${index + 1} of ${pieces.length} is empty)`);
    const equals = piece.indexOf('=');
    if (equals === -1) return ambiguous(`${quoted(piece)} is not key=value: a ";" inside a value splits it`);
    const key = piece.slice(0, equals);
    const field = Object.hasOwn(KEYS, key.toLowerCase()) ? KEYS[key.toLowerCase()] : undefined;
    if (field === undefined) return ambiguous(`unknown key ${quoted(key)}`);
    if (found[field] !== undefined) return ambiguous(`${KEY_NAMES[field]} is given twice`);
    const value = piece.slice(equals + 1);
    const problem = valueProblem(KEY_NAMES[field], value);
    if (problem !== undefined) return ambiguous(problem);
    found[field] = value;
  }
  const { userDirectory, userId } = found;
  if (userDirectory === undefined || userId === undefined) {
    return { ok: false, ambiguous: false, problem: `no ${userDirectory === undefined ? 'UserDirectory' : 'UserId'}` };
  }
  return { ok: true, userDirectory, userId };
}
