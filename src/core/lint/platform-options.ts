import { VerifierSetupError } from '../errors.js';

export type Platform = 'qseow' | 'cloud' | 'none';
export const PLATFORMS: readonly Platform[] = ['qseow', 'cloud', 'none'];

/**
 * The verifier settings that only one platform's rules read. Given with another platform they would be
 * silently left unchecked, and a caller who asked for a check must never get an unchecked "accepted".
 */
export const PLATFORM_OPTIONS = {
  audience: 'qseow',
  userIdAttribute: 'qseow',
  userDirectoryAttribute: 'qseow',
  issuer: 'cloud',
  keyId: 'cloud',
} as const;

export type PlatformOption = keyof typeof PLATFORM_OPTIONS;

// Once, not per call: every token batch mints and every request the emulator verifies passes through here.
const OPTION_NAMES = Object.keys(PLATFORM_OPTIONS) as PlatformOption[];

const PLATFORM_NAMES: Readonly<Record<Platform, string>> = { qseow: 'QSEoW', cloud: 'Qlik Cloud', none: 'no platform' };

/** The platform whose rules check a verifier option, or undefined for options every platform reads. */
export function platformForOption(option: string): Exclude<Platform, 'none'> | undefined {
  return Object.hasOwn(PLATFORM_OPTIONS, option) ? PLATFORM_OPTIONS[option as PlatformOption] : undefined;
}

/** The platform-specific options that are set (not undefined) but that `platform`'s rules never check. */
export function uncheckedOptions(
  platform: Platform,
  options: Readonly<Partial<Record<PlatformOption, unknown>>>,
): PlatformOption[] {
  const unchecked: PlatformOption[] = [];
  for (const option of OPTION_NAMES) {
    if (options[option] !== undefined && PLATFORM_OPTIONS[option] !== platform) unchecked.push(option);
  }
  return unchecked;
}

/**
 * The options without those `platform` never checks, for callers that hold settings of both platforms
 * (a form with every field) and want the checks that apply, not an error.
 */
export function forPlatform<T extends Partial<Record<PlatformOption, unknown>>>(platform: Platform, options: T): T {
  const kept = { ...options };
  for (const option of uncheckedOptions(platform, options)) delete kept[option];
  return kept;
}

export function isPlatform(value: unknown): value is Platform {
  return typeof value === 'string' && (PLATFORMS as readonly string[]).includes(value);
}

/** The platform, or an error naming the accepted ones (JavaScript callers bypass the type). */
export function requirePlatform(platform: unknown): Platform {
  if (isPlatform(platform)) return platform;
  const named = typeof platform === 'string' ? `"${platform.slice(0, 40)}"` : String(typeof platform);
  const hint =
    typeof platform === 'string' && isPlatform(platform.toLowerCase())
      ? ` (names are lowercase: "${platform.toLowerCase()}")`
      : '';
  throw new VerifierSetupError('PLATFORM_UNKNOWN', `platform ${named} is not one of ${PLATFORMS.join(', ')}${hint}`, {
    option: 'platform',
    value: platform,
    reason: `is not one of ${PLATFORMS.join(', ')}${hint}`,
  });
}

/**
 * Checks a verifier's platform and settings before any token is looked at: an unknown platform, or a
 * setting that platform does not check (issuer with QSEoW, audience with none), is an error rather than
 * a check silently skipped.
 */
export function requireVerifierSetup(
  platform: unknown,
  options: Readonly<Partial<Record<PlatformOption, unknown>>>,
): Platform {
  const checked = requirePlatform(platform);
  const [first] = uncheckedOptions(checked, options);
  if (first !== undefined) {
    const owner = PLATFORM_OPTIONS[first];
    const reason = `is checked only by the ${PLATFORM_NAMES[owner]} rules, but the platform is "${checked}": use platform "${owner}", or leave ${first} out`;
    throw new VerifierSetupError('OPTION_WRONG_PLATFORM', `${first} ${reason}`, {
      option: first,
      value: options[first],
      reason,
    });
  }
  return checked;
}
