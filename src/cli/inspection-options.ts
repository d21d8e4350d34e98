import { Option, type Command } from 'commander';
import { PLATFORMS, type LintOptions, type Platform } from '../core/lint/claim-rules.js';
import { parseSignedDuration } from '../core/time/duration.js';
import { parseInstant } from '../core/time/instant.js';
import { CliError } from './cli-error.js';
import { loadProfile, type LoadedProfile } from './config/config-file.js';
import { applyProfile, configOption } from './config/profile-options.js';

/** Flags that describe the verifier: which platform, how it is configured, and when it checks. */
export interface InspectionFlags {
  profile?: string;
  config?: string;
  audience?: string;
  issuer?: string;
  kid?: string;
  useridAttr?: string;
  userdirAttr?: string;
  clockTolerance?: string;
  at?: string;
  format: 'text' | 'json';
}

export function addInspectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--profile <name>', `platform rules to apply (${PLATFORMS.join(', ')}; default none), or a qs-jwt.config.json profile whose platform and settings apply`).env('QSJWT_PROFILE'))
    .addOption(configOption())
    .addOption(new Option('--audience <aud>', "QSEoW: the virtual proxy's JWT audience (checked only when given)").env('QSJWT_AUDIENCE'))
    .addOption(new Option('--issuer <iss>', "Qlik Cloud: the identity provider's issuer").env('QSJWT_ISSUER'))
    .addOption(new Option('--kid <id>', "Qlik Cloud: the identity provider's key ID").env('QSJWT_KID'))
    .addOption(new Option('--userid-attr <claim>', "QSEoW: the virtual proxy's JWT attribute for user ID (default: userId)").env('QSJWT_USERID_ATTR'))
    .addOption(new Option('--userdir-attr <claim>', "QSEoW: the virtual proxy's JWT attribute for user directory (default: userDirectory)").env('QSJWT_USERDIR_ATTR'))
    .addOption(new Option('--clock-tolerance <duration>', 'leeway for exp, nbf and iat, e.g. 30s (default: 0)').env('QSJWT_CLOCK_TOLERANCE'))
    .option('--at <time>', 'evaluate time claims at this instant: RFC 3339 or Unix seconds (default: now)')
    .addOption(new Option('--format <format>', 'report as text or JSON {accepted, header, payload, findings}').choices(['text', 'json']).default('text'));
}

export function toLintOptions(flags: InspectionFlags): LintOptions {
  const now = Math.floor(Date.now() / 1000);
  let clockTolerance: number | undefined;
  if (flags.clockTolerance !== undefined) {
    clockTolerance = parseSignedDuration(flags.clockTolerance);
    if (clockTolerance === undefined || clockTolerance < 0) {
      throw new CliError(`--clock-tolerance "${flags.clockTolerance}" is not a duration of zero or more: write a number and a unit, e.g. 30s, 2m, or 0s for none`);
    }
  }
  let at: number | undefined;
  if (flags.at !== undefined) {
    try {
      at = parseInstant(flags.at, now, 'time');
    } catch (error) {
      throw new CliError(`--at: ${(error as Error).message}`);
    }
  }
  return {
    at,
    clockTolerance,
    audience: flags.audience,
    issuer: flags.issuer,
    keyId: flags.kid,
    userIdAttribute: flags.useridAttr,
    userDirectoryAttribute: flags.userdirAttr,
  };
}

/**
 * `--profile` names a platform (qseow, cloud, none) or a config profile; a config profile's platform
 * picks the rules and its settings fill what flags and environment left open.
 */
export async function resolveInspectionProfile(command: Command): Promise<{ platform: Platform; loaded?: LoadedProfile }> {
  const { profile, config } = command.opts<InspectionFlags>();
  if (profile === undefined) return { platform: 'none' };
  if ((PLATFORMS as readonly string[]).includes(profile)) return { platform: profile as Platform };
  const loaded = await loadProfile(profile, config);
  applyProfile(command, loaded);
  return { platform: loaded.profile.platform ?? 'none', loaded };
}
