import { Option, type Command } from 'commander';
import { PLATFORMS, type LintOptions, type Platform } from '../core/lint/claim-rules.js';
import { PLATFORM_OPTIONS, uncheckedOptions, type PlatformOption } from '../core/lint/platform-options.js';
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

/** The flag (and its option attribute) that carries each platform-specific library option. */
const FLAG_FOR_OPTION: Readonly<Record<PlatformOption, { flag: string; attribute: keyof InspectionFlags }>> = {
  audience: { flag: '--audience', attribute: 'audience' },
  userIdAttribute: { flag: '--userid-attr', attribute: 'useridAttr' },
  userDirectoryAttribute: { flag: '--userdir-attr', attribute: 'userdirAttr' },
  issuer: { flag: '--issuer', attribute: 'issuer' },
  keyId: { flag: '--kid', attribute: 'kid' },
};

/**
 * The library refuses a setting its platform's rules do not check, rather than skip the check. A
 * profile field meant for minting (an issuer in a QSEoW profile) is left out here; a flag or
 * environment variable the user gave is a usage error that names the platform which checks it.
 */
export function platformLintOptions(command: Command, platform: Platform, options: LintOptions): LintOptions {
  const result: LintOptions = { ...options };
  for (const option of uncheckedOptions(platform, options)) {
    const { flag, attribute } = FLAG_FOR_OPTION[option];
    const source = command.getOptionValueSource(attribute);
    if (source === 'config') {
      result[option] = undefined;
      continue;
    }
    const envVar = command.options.find((candidate) => candidate.attributeName() === attribute)?.envVar;
    const given = source === 'env' && envVar !== undefined ? `${envVar} (${flag})` : flag;
    const owner = PLATFORM_OPTIONS[option];
    throw new CliError(`${given} is checked only by the ${owner === 'qseow' ? 'QSEoW' : 'Qlik Cloud'} rules, `
      + `but the platform is ${platform}: add --profile ${owner}, or leave ${flag} out`);
  }
  return result;
}
