import { Option, type Command } from 'commander';
import type { RsaAlgorithm } from '../core/jose/algorithms.js';
import type { TokenOptionsBase } from '../core/qlik/token-common.js';
import { requireRsaAlgorithm, RSA_ALGORITHMS } from '../core/jose/algorithms.js';
import { setClaim } from '../core/qlik/registered-claims.js';
import { collect, offerValues } from './command-setup.js';
import { blameFlag, CliError } from './cli-error.js';
import type { KeyObject } from 'node:crypto';
import { profilePath } from './config/config-file.js';
import { addProfileOptions, useProfile } from './config/profile-options.js';
import { addPrivateKeyOptions, resolvePrivateKey, type PrivateKeyFlags } from './io/private-key-options.js';

export const TOKEN_FORMATS = ['token', 'json', 'header', 'env'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

/** Flags both `create qseow` and `create cloud` take. */
export interface TokenFlags extends PrivateKeyFlags {
  alg: string;
  expires?: string;
  notBefore?: string;
  issuedAt?: string;
  jti?: string;
  claim?: string[];
  format: TokenFormat;
  verbose?: boolean;
  profile?: string;
  config?: string;
}

export function addTokenOptions(command: Command, defaultExpires: string): Command {
  addPrivateKeyOptions(command);
  addProfileOptions(command);
  return command
    .addOption(offerValues(new Option('--alg <alg>', 'signature algorithm; HS*, none and others are refused'), RSA_ALGORITHMS).default('RS256').env('QSJWT_ALG'))
    .addOption(new Option('--expires <when>', `lifetime from iat (30s, 5m, 8h, 7d, 1y) or an absolute time (RFC 3339 or Unix seconds) (default: "${defaultExpires}")`).env('QSJWT_EXPIRES'))
    .option('--not-before <when>', 'nbf: absolute time, or a duration from iat (-30s backdates for clock skew) (default: iat)')
    .option('--issued-at <when>', 'iat: RFC 3339, Unix seconds or "now" (default: now)')
    .option('--jti <id>', 'jti claim (default: 128 random bits)')
    .option('--claim <key=value>', 'extra claim; the value is JSON when it parses as JSON, else a string (repeatable)', collect)
    .addOption(new Option('--format <format>', 'output: the token, JSON {token, header, payload, expiresAt}, an Authorization header line, or QLIK_JWT=').choices(TOKEN_FORMATS).default('token'))
    .option('--verbose', 'print a summary of the token to stderr even when stderr is not a terminal');
}

/** The `--alg` value, refused with the core's reason when Qlik would not accept it. */
export function algorithmFlag(alg: string): RsaAlgorithm {
  return blameFlag(`--alg ${alg}`, () => requireRsaAlgorithm(alg));
}

/** `--claim key=value`: JSON values stay typed (numbers, booleans, arrays), anything else is a string. */
export function parseClaimArguments(pairs: readonly string[] | undefined): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const separator = pair.indexOf('=');
    if (separator <= 0) throw new CliError(`--claim "${pair}" must be key=value, e.g. --claim department=sales or --claim 'roles=["a","b"]'`);
    const name = pair.slice(0, separator);
    if (Object.hasOwn(claims, name)) throw new CliError(`--claim ${name} is given twice: give each claim once`);
    const raw = pair.slice(separator + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the text
    }
    setClaim(claims, name, value);
  }
  return claims;
}

/**
 * What every create command resolves before minting, in this order: the profile (which fills unset
 * flags), the algorithm, the extra claims, then the key (flags, environment, the profile's keyFile).
 */
export async function resolveTokenInputs<Flags extends TokenFlags>(command: Command, platform: 'qseow' | 'cloud'): Promise<{
  flags: Flags;
  /** The options every token builder takes, ready to spread into createQseowToken/createCloudToken. */
  common: Pick<TokenOptionsBase, 'algorithm' | 'jwtId' | 'issuedAt' | 'notBefore' | 'expires'> & { privateKey: KeyObject; claims: Record<string, unknown> };
  /** A summary goes to stderr on a terminal or with --verbose. */
  showSummary: boolean;
}> {
  const loaded = await useProfile(command, platform);
  const flags = command.opts<Flags>();
  const algorithm = algorithmFlag(flags.alg);
  const claims = parseClaimArguments(flags.claim);
  const privateKey = await resolvePrivateKey(flags, { profileKeyFile: loaded?.profile.keyFile && profilePath(loaded, loaded.profile.keyFile) });
  return {
    flags,
    common: { privateKey, algorithm, claims, jwtId: flags.jti, issuedAt: flags.issuedAt, notBefore: flags.notBefore, expires: flags.expires },
    showSummary: Boolean(flags.verbose) || process.stderr.isTTY === true,
  };
}
