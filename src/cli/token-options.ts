import type { Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import type { RsaAlgorithm } from '../core/jose/algorithms.js';
import { setClaim } from '../core/qlik/registered-claims.js';
import type { TokenOptionsBase } from '../core/qlik/token-common.js';
import { CliError } from './cli-error.js';
import { PRIVATE_KEY_SETTINGS, resolvePrivateKey } from './io/private-key-options.js';
import { addSettings } from './settings/add-settings.js';
import { resolveCommandSettings } from './settings/command-settings.js';
import type { ResolvedSettings } from './settings/resolve-settings.js';
import { SETTINGS } from './settings/setting-table.js';
import { stderrMayBeTerminal } from './io/standard-streams.js';

export const TOKEN_FORMATS = ['token', 'json', 'header', 'env'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

/** Flags both `create qseow` and `create cloud` take, as resolveTokenInputs leaves them. */
export interface TokenFlags {
  alg: RsaAlgorithm;
  expires?: string;
  notBefore?: string;
  issuedAt?: string;
  jti?: string;
  claim?: string[];
  format: TokenFormat;
  verbose?: boolean;
}

export function addTokenOptions(command: Command, defaultExpires: string): Command {
  return addSettings(command, [
    SETTINGS.profile,
    SETTINGS.config,
    ...PRIVATE_KEY_SETTINGS,
    SETTINGS.alg,
    { setting: SETTINGS.expires, default: defaultExpires },
    SETTINGS.notBefore,
    SETTINGS.issuedAt,
    SETTINGS.jti,
    SETTINGS.claim,
    {
      setting: SETTINGS.format,
      choices: TOKEN_FORMATS,
      default: 'token',
      note: 'the token, JSON {token, header, payload, expiresAt}, an Authorization header line, or QLIK_JWT=',
    },
    { setting: SETTINGS.verbose, note: 'even when stderr is not a terminal' },
  ]);
}

/** A JSON number that JSON cannot carry back exactly (1e999, 12345678901234567890) is a mistake, not a claim. */
function exactJsonValue(name: string, raw: string, value: unknown): unknown {
  if (typeof value !== 'number') return value;
  if (!Number.isFinite(value))
    throw new CliError(
      `--claim ${name}=${raw}: the number is out of range (JSON would send null): quote it to send text, e.g. --claim '${name}="${raw}"'`,
    );
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new CliError(
      `--claim ${name}=${raw}: the integer is too large to survive JSON exactly (it would become ${value}): quote it to send text, e.g. --claim '${name}="${raw}"'`,
    );
  }
  return value;
}

/** `--claim key=value`: JSON values stay typed (numbers, booleans, arrays), anything else is a string. */
export function parseClaimArguments(pairs: readonly string[] | undefined): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const separator = pair.indexOf('=');
    if (separator <= 0)
      throw new CliError(
        `--claim "${pair}" must be key=value, e.g. --claim department=sales or --claim 'roles=["a","b"]'`,
      );
    const name = pair.slice(0, separator);
    if (Object.hasOwn(claims, name)) throw new CliError(`--claim ${name} is given twice: give each claim once`);
    const raw = pair.slice(separator + 1);
    let value: unknown = raw;
    try {
      value = exactJsonValue(name, raw, JSON.parse(raw));
    } catch (error) {
      if (error instanceof CliError) throw error;
      // not JSON: keep the text
    }
    setClaim(claims, name, value);
  }
  return claims;
}

/**
 * What every create command resolves before minting: the settings (flag > environment > profile >
 * default, the profile checked against the platform), the extra claims and the key.
 */
export async function resolveTokenInputs<Flags extends TokenFlags>(
  command: Command,
  platform: 'qseow' | 'cloud',
): Promise<{
  flags: Flags;
  settings: ResolvedSettings;
  /** The options every token builder takes, ready to spread into createQseowToken/createCloudToken. */
  common: Pick<TokenOptionsBase, 'algorithm' | 'jwtId' | 'issuedAt' | 'notBefore' | 'expires'> & {
    privateKey: KeyObject;
    claims: Record<string, unknown>;
  };
  /** A summary goes to stderr on a terminal or with --verbose. */
  showSummary: boolean;
}> {
  const settings = await resolveCommandSettings(command, platform);
  const flags = command.opts<Flags>();
  const claims = parseClaimArguments(flags.claim);
  const privateKey = await resolvePrivateKey(settings);
  return {
    flags,
    settings,
    common: {
      privateKey,
      algorithm: flags.alg,
      claims,
      jwtId: flags.jti,
      issuedAt: flags.issuedAt,
      notBefore: flags.notBefore,
      expires: flags.expires,
    },
    showSummary: Boolean(flags.verbose) || stderrMayBeTerminal(),
  };
}
