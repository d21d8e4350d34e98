import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { loadProfile, locateConfig, readConfig, type LoadedProfile } from '../config/config-file.js';
import { resolveSettings, type ResolvedSettings } from './resolve-settings.js';
import { writeStderr } from '../io/standard-streams.js';

/** `create qseow` for `qs-jwt create qseow`: the words users type, for messages. */
export function commandWords(command: Command): string {
  const own = command.name().replace(/^qs-jwt /, '');
  const parent = command.parent?.name().replace(/^qs-jwt /, '');
  return parent === undefined || own.startsWith(`${parent} `) ? own : `${parent} ${own}`;
}

function describeProfile(loaded: LoadedProfile): string {
  return `profile "${loaded.name}" of ${loaded.file} (${loaded.explicit ? 'named with --config or QSJWT_CONFIG' : 'found from the working folder upwards'})`;
}

/**
 * The profile named by --profile/QSJWT_PROFILE, if any, from the config file named by --config/
 * QSJWT_CONFIG or found upwards. A profile for another platform is refused by a platform's command.
 * A --config given without a profile is still read, so a broken file never passes silently.
 */
export async function selectProfile(
  command: Command,
  platform: 'qseow' | 'cloud' | undefined,
): Promise<LoadedProfile | undefined> {
  const { profile: name, config } = command.opts<{ profile?: string; config?: string }>();
  if (name === undefined) {
    if (config !== undefined) {
      const location = locateConfig(config);
      const known = Object.keys(await readConfig(location?.file ?? config));
      if (command.getOptionValueSource('config') === 'cli') {
        writeStderr(
          `qs-jwt: warning: --config ${config} is given without --profile, so none of its profiles applies${known.length ? ` (it has ${known.join(', ')})` : ''}\n`,
        );
      }
    }
    return undefined;
  }
  const loaded = await loadProfile(name, config);
  const profilePlatform = loaded.profile.platform;
  if (platform !== undefined && profilePlatform !== undefined && profilePlatform !== platform) {
    const words = commandWords(command).replace(/ (qseow|cloud)$/, '');
    throw new CliError(
      `--profile ${name} is for ${profilePlatform} (${loaded.file}): use it with qs-jwt ${words} ${profilePlatform}`,
    );
  }
  return loaded;
}

/**
 * Everything a command does before its work: picks the profile, resolves every declared setting (flag >
 * environment > profile > default) and, with --verbose, says which config file and profile apply.
 */
export async function resolveCommandSettings(
  command: Command,
  platform?: 'qseow' | 'cloud',
): Promise<ResolvedSettings> {
  const loaded = await selectProfile(command, platform);
  const settings = resolveSettings(command, loaded);
  if (loaded !== undefined && settings.get<boolean>('verbose'))
    writeStderr(`qs-jwt: using ${describeProfile(loaded)}\n`);
  return settings;
}

export { describeProfile };
