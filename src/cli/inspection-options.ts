import type { Command } from 'commander';
import { PLATFORMS, type LintOptions, type Platform } from '../core/lint/claim-rules.js';
import { platformForOption } from '../core/lint/platform-options.js';
import { CliError } from './cli-error.js';
import { locateConfig, readConfig, type LoadedProfile } from './config/config-file.js';
import { addSettings } from './settings/add-settings.js';
import { resolveCommandSettings } from './settings/command-settings.js';
import type { ResolvedSettings } from './settings/resolve-settings.js';
import { SETTINGS } from './settings/setting-table.js';
import type { Setting } from './settings/setting.js';
import { writeStderr } from './io/standard-streams.js';

/** Flags that describe the verifier: which platform, how it is configured, and when it checks. */
export interface InspectionFlags {
  format: 'text' | 'json';
}

/** Settings that only one platform's verifier checks (the core says which: platformForOption). */
const PLATFORM_SETTINGS: readonly Setting[] = [
  SETTINGS.audience,
  SETTINGS.useridAttr,
  SETTINGS.userdirAttr,
  SETTINGS.issuer,
  SETTINGS.kid,
];

const PLATFORM_NAMES: Record<Platform, string> = { qseow: 'QSEoW', cloud: 'Qlik Cloud', none: 'no platform' };

export function addInspectionOptions(command: Command): Command {
  return addSettings(command, [
    SETTINGS.profile,
    SETTINGS.config,
    SETTINGS.platform,
    ...PLATFORM_SETTINGS.map((setting) => ({ setting, note: 'checked when given' })),
    SETTINGS.clockTolerance,
    SETTINGS.at,
    {
      setting: SETTINGS.format,
      choices: ['text', 'json'],
      note: 'report as text or JSON {accepted, header, payload, findings, unchecked, profile}',
    },
    SETTINGS.verbose,
  ]);
}

/**
 * The old spelling `--profile qseow|cloud|none` named a platform. It still works, with a warning, when no
 * config profile has that name; a config profile of that name is always the profile.
 */
async function platformFromOldSpelling(command: Command): Promise<void> {
  const { profile, config } = command.opts<{ profile?: string; config?: string }>();
  if (profile === undefined || !(PLATFORMS as readonly string[]).includes(profile)) return;
  const location = locateConfig(config);
  if (location !== undefined && Object.hasOwn(await readConfig(location.file), profile)) return;
  const fromFlag = command.getOptionValueSource('profile') === 'cli';
  if (command.getOptionValueSource('platform') === 'cli') {
    throw new CliError(
      `--profile ${profile} and --platform given: --profile names a config profile; give the platform with --platform only`,
    );
  }
  writeStderr(
    `qs-jwt: warning: ${fromFlag ? `--profile ${profile}` : `QSJWT_PROFILE=${profile}`} names a platform: write --platform ${profile} (the old spelling will be removed)\n`,
  );
  command.setOptionValueWithSource('platform', profile, fromFlag ? 'cli' : 'env');
  command.setOptionValueWithSource('profile', undefined, 'default');
}

function platformOf(setting: Setting): Platform {
  const [option] = setting.libraryOptions ?? [];
  return (option !== undefined && platformForOption(option)) || 'none';
}

/**
 * The platform whose rules apply: --platform (or QSJWT_PLATFORM, or the profile's platform), else the one
 * that the verifier settings given imply. A check the user asked for is always made: a flag that the
 * platform cannot check is a usage error; an environment variable or profile field for another
 * platform is ignored with a warning (it may be meant for other commands).
 */
function decidePlatform(settings: ResolvedSettings): { platform: Platform; ignored: Set<string> } {
  const given = PLATFORM_SETTINGS.filter((setting) => settings.given(setting.name));
  const ignored = new Set<string>();
  if (settings.given('platform')) {
    const platform = settings.get<Platform>('platform') ?? 'none';
    for (const setting of given.filter((item) => platformOf(item) !== platform)) {
      const checker = PLATFORM_NAMES[platformOf(setting)];
      if (settings.source(setting.name)?.kind === 'flag') {
        throw new CliError(
          `${setting.flag} is checked by ${checker} only, and the platform is ${platform} (${settings.origin('platform')}): drop ${setting.flag}, or use --platform ${platformOf(setting)}`,
        );
      }
      writeStderr(
        `qs-jwt: warning: ${settings.describe(setting.name)} is ignored: ${checker} checks it, and the platform is ${platform}\n`,
      );
      ignored.add(setting.name);
    }
    return { platform, ignored };
  }
  const implied = [...new Set(given.map(platformOf))];
  if (implied.length > 1) {
    const list = given.map((setting) => settings.describe(setting.name)).join(', ');
    throw new CliError(`${list} are checked by different platforms: give --platform qseow or --platform cloud`);
  }
  return { platform: implied[0] ?? 'none', ignored };
}

/** What the chosen platform checks only when told: said in the report, so an unchecked claim is not mistaken for a checked one. */
function uncheckedNotes(platform: Platform, settings: ResolvedSettings): string[] {
  if (platform !== 'cloud') return [];
  const notes: string[] = [];
  if (!settings.given('issuer')) notes.push("iss: give --issuer (the identity provider's issuer) to check it");
  if (!settings.given('kid')) notes.push("kid: give --kid (the identity provider's key ID) to check it");
  return notes;
}

export interface Inspection {
  platform: Platform;
  settings: ResolvedSettings;
  options: LintOptions & { at: number };
  /** What the platform's verifier would check but was not told (Qlik Cloud's issuer and key ID). */
  unchecked: string[];
  profile: LoadedProfile | undefined;
}

/** Resolves the verifier's settings, platform and options for verify and lint. */
export async function resolveInspection(command: Command): Promise<Inspection> {
  await platformFromOldSpelling(command);
  const settings = await resolveCommandSettings(command);
  const { platform, ignored } = decidePlatform(settings);
  const value = (name: string): string | undefined => (ignored.has(name) ? undefined : settings.get<string>(name));
  const options = {
    at: settings.get<number>('at') ?? Math.floor(Date.now() / 1000),
    clockTolerance: settings.get<number>('clockTolerance'),
    ...(platform === 'qseow'
      ? {
          audience: value('audience'),
          userIdAttribute: value('useridAttr'),
          userDirectoryAttribute: value('userdirAttr'),
        }
      : {}),
    ...(platform === 'cloud' ? { issuer: value('issuer'), keyId: value('kid') } : {}),
  };
  return { platform, settings, options, unchecked: uncheckedNotes(platform, settings), profile: settings.profile };
}
