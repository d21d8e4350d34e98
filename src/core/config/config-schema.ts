import { RSA_ALGORITHMS } from '../jose/algorithms.js';
import { QsJwtError } from '../errors.js';
import { parseSignedDuration } from '../time/duration.js';
import { parseAbsoluteTime } from '../time/instant.js';

/** One target's settings: a virtual proxy or a Qlik Cloud identity provider. */
export interface Profile {
  platform?: 'qseow' | 'cloud';
  audience?: string;
  useridAttr?: string;
  userdirAttr?: string;
  groupsAttr?: string;
  issuer?: string;
  kid?: string;
  /** Private key for create and batch; relative to the config file's folder. */
  keyFile?: string;
  /** Certificate or public key for verify; relative to the config file's folder. */
  certFile?: string;
  expires?: string;
  alg?: (typeof RSA_ALGORITHMS)[number];
  clockTolerance?: string;
}

export interface QsJwtConfig {
  profiles: Record<string, Profile>;
}

export const PROFILE_FIELDS = [
  'platform',
  'audience',
  'useridAttr',
  'userdirAttr',
  'groupsAttr',
  'issuer',
  'kid',
  'keyFile',
  'certFile',
  'expires',
  'alg',
  'clockTolerance',
] as const satisfies readonly (keyof Profile)[];

export class ConfigError extends QsJwtError {}

const RESERVED_PROFILE_NAMES = ['__proto__', 'constructor', 'prototype'];

/** Whether `check` accepts the value; a parser that throws (a year past 9999) is a no, not a crash. */
function passes(check: (value: string) => boolean): (value: string) => boolean {
  return (value) => {
    try {
      return check(value);
    } catch {
      return false;
    }
  };
}

const isExpiry = passes((value) => {
  const duration = parseSignedDuration(value);
  return duration === undefined ? parseAbsoluteTime(value) !== undefined : duration > 0;
});

const isTolerance = passes((value) => (parseSignedDuration(value) ?? -1) >= 0);

/**
 * Parses and validates a config file's text. Errors name the file, profile, field and expected shape,
 * so a typo in CI is a one-line fix.
 */
export async function parseConfig(text: string, label: string): Promise<QsJwtConfig> {
  // valibot loads only when a config file is actually used: create without --profile stays lean.
  const v = await import('valibot');
  const text1 = (what: string) =>
    v.pipe(v.string(`expected ${what} as a string`), v.trim(), v.nonEmpty(`expected a non-empty ${what}`));
  const profileSchema = v.strictObject(
    {
      platform: v.optional(v.picklist(['qseow', 'cloud'], 'expected "qseow" or "cloud"')),
      audience: v.optional(text1('audience')),
      useridAttr: v.optional(text1('claim name')),
      userdirAttr: v.optional(text1('claim name')),
      groupsAttr: v.optional(text1('claim name')),
      issuer: v.optional(text1('issuer')),
      kid: v.optional(text1('key ID')),
      keyFile: v.optional(text1('file path')),
      certFile: v.optional(text1('file path')),
      expires: v.optional(
        v.pipe(
          text1('duration'),
          v.check(
            isExpiry,
            'expected a positive duration such as "5m" or "8h" (at most 100 years), or an absolute time before the year 10000',
          ),
        ),
      ),
      alg: v.optional(v.picklist(RSA_ALGORITHMS, `expected one of ${RSA_ALGORITHMS.join(', ')}`)),
      clockTolerance: v.optional(
        v.pipe(
          text1('duration'),
          v.check(isTolerance, 'expected a duration of zero or more such as "30s" (at most 100 years)'),
        ),
      ),
    },
    `unknown field; a profile takes ${PROFILE_FIELDS.join(', ')}`,
  );
  const schema = v.strictObject(
    { profiles: v.record(v.string(), profileSchema, 'expected an object of named profiles') },
    'expected {"profiles": {...}} and nothing else at the top level',
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('CONFIG_INVALID', `${label}: not valid JSON (${(error as Error).message})`);
  }
  // valibot leaves out record keys that could reach an object's prototype: say so, instead of a
  // profile that silently disappears.
  const profiles = (json as { profiles?: unknown } | null)?.profiles;
  if (profiles !== null && typeof profiles === 'object') {
    const reserved = Object.keys(profiles).find((name) => RESERVED_PROFILE_NAMES.includes(name));
    if (reserved !== undefined)
      throw new ConfigError(
        'CONFIG_INVALID',
        `${label}: profile "${reserved}": this name is reserved in JavaScript objects; rename the profile`,
      );
  }
  const result = v.safeParse(schema, json);
  if (result.success) return result.output as QsJwtConfig;
  const issue = result.issues[0];
  const path = (issue.path ?? []).map((item) => String(item.key));
  const where =
    path[0] === 'profiles' && path[1] !== undefined
      ? `profile "${path[1]}"${path[2] !== undefined ? `, field "${path[2]}"` : ''}`
      : path.length > 0
        ? `field "${path.join('.')}"`
        : 'top level';
  throw new ConfigError('CONFIG_INVALID', `${label}: ${where}: ${issue.message}`);
}
