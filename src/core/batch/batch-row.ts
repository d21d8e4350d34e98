import { ClaimError } from '../errors.js';
import type { CloudSharedOptions, CloudTokenOptions, CloudUserOptions } from '../qlik/cloud-token.js';
import type { QseowSharedOptions, QseowTokenOptions, QseowUserOptions } from '../qlik/qseow-token.js';
import { setClaim } from '../qlik/registered-claims.js';

/** One input record: CSV cells are strings, JSON Lines values keep their JSON types. */
export type BatchRecord = Readonly<Record<string, unknown>>;

/** Record fields each platform reads (case-insensitive); any other field becomes an extra claim. */
export const QSEOW_ROW_FIELDS = ['userid', 'userdir', 'name', 'email', 'groups', 'subject', 'jti'] as const;
export const CLOUD_ROW_FIELDS = ['sub', 'name', 'email', 'email_verified', 'groups', 'jti'] as const;

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function split(
  record: BatchRecord,
  known: readonly string[],
): { fields: Record<string, unknown>; extra: Record<string, unknown> } {
  const fields: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    if (!present(value)) continue;
    const lower = name.toLowerCase();
    if (known.includes(lower)) fields[lower] = value;
    else setClaim(extra, name, value);
  }
  return { fields, extra };
}

function text(fields: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = fields[name];
  if (value === undefined) {
    if (required) throw new ClaimError('CLAIM_INVALID', `missing field "${name}"`);
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new ClaimError('CLAIM_INVALID', `field "${name}" must be text, not ${JSON.stringify(value)}`);
  return String(value);
}

/** groups: a JSON array, or text separated by ";" (CSV cells cannot hold arrays). */
function groups(fields: Record<string, unknown>): string[] | undefined {
  const value = fields['groups'];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (!value.every((group) => typeof group === 'string'))
      throw new ClaimError('CLAIM_INVALID', 'field "groups" must be an array of strings');
    return value as string[];
  }
  if (typeof value !== 'string')
    throw new ClaimError('CLAIM_INVALID', 'field "groups" must be text separated by ";" or an array of strings');
  const list: string[] = [];
  for (const group of value.split(';')) {
    const trimmed = group.trim();
    if (trimmed !== '') list.push(trimmed);
  }
  return list;
}

function booleanField(fields: Record<string, unknown>, name: string): boolean | undefined {
  const value = fields[name];
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ClaimError('CLAIM_INVALID', `field "${name}" must be true or false, not ${JSON.stringify(value)}`);
}

/** The user a QSEoW row names, for a QseowTokenMinter. */
export function qseowRowUser(record: BatchRecord): QseowUserOptions {
  const { fields, extra } = split(record, QSEOW_ROW_FIELDS);
  return {
    userId: text(fields, 'userid', true) as string,
    userDirectory: text(fields, 'userdir', true) as string,
    name: text(fields, 'name', false),
    email: text(fields, 'email', false),
    groups: groups(fields),
    subject: text(fields, 'subject', false),
    jwtId: text(fields, 'jti', false),
    claims: extra,
  };
}

/** The user a Qlik Cloud row names, for a CloudTokenMinter. */
export function cloudRowUser(record: BatchRecord): CloudUserOptions {
  const { fields, extra } = split(record, CLOUD_ROW_FIELDS);
  return {
    subject: text(fields, 'sub', true) as string,
    name: text(fields, 'name', true) as string,
    email: text(fields, 'email', true) as string,
    emailVerified: booleanField(fields, 'email_verified'),
    groups: groups(fields),
    jwtId: text(fields, 'jti', false),
    claims: extra,
  };
}

/** A row's complete options for createQseowToken. */
export function qseowRowOptions(record: BatchRecord, shared: QseowSharedOptions): QseowTokenOptions {
  return Object.assign({}, shared, qseowRowUser(record));
}

/** A row's complete options for createCloudToken. */
export function cloudRowOptions(record: BatchRecord, shared: CloudSharedOptions): CloudTokenOptions {
  return Object.assign({}, shared, cloudRowUser(record));
}
