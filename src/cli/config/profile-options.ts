import { Option, type Command } from 'commander';
import type { Profile } from '../../core/config/config-schema.js';
import { CliError } from '../cli-error.js';
import { loadProfile, type LoadedProfile } from './config-file.js';

/** Profile fields that are not plain option values: they pick the platform or a key file. */
const SPECIAL_FIELDS = new Set<keyof Profile>(['platform', 'keyFile', 'certFile']);

export function profileOption(): Option {
  return new Option('--profile <name>', 'take settings from this profile of qs-jwt.config.json').env('QSJWT_PROFILE');
}

export function configOption(): Option {
  return new Option('--config <file>', 'config file (default: the nearest qs-jwt.config.json from this folder upwards)').env('QSJWT_CONFIG');
}

export function addProfileOptions(command: Command): Command {
  return command.addOption(profileOption()).addOption(configOption());
}

/**
 * Fills every option the user left at its default from the profile. Commander already ranks flags over
 * environment variables over defaults; a profile value replaces only a default, which gives
 * flags > environment > profile > defaults.
 */
export function applyProfile(command: Command, loaded: LoadedProfile): void {
  for (const [field, value] of Object.entries(loaded.profile) as [keyof Profile, string][]) {
    if (SPECIAL_FIELDS.has(field)) continue;
    const option = command.options.find((candidate) => candidate.attributeName() === field);
    if (!option) continue;
    const source = command.getOptionValueSource(field);
    if (source === undefined || source === 'default') command.setOptionValueWithSource(field, value, 'config');
  }
}

/** Loads the profile named by --profile/QSJWT_PROFILE, if any, checks its platform, and applies it. */
export async function useProfile(command: Command, platform: 'qseow' | 'cloud' | undefined): Promise<LoadedProfile | undefined> {
  const { profile: name, config } = command.opts<{ profile?: string; config?: string }>();
  if (name === undefined) return undefined;
  const loaded = await loadProfile(name, config);
  const profilePlatform = loaded.profile.platform;
  if (platform !== undefined && profilePlatform !== undefined && profilePlatform !== platform) {
    const words = command.name().replace(/^qs-jwt /, '').replace(/ (qseow|cloud)$/, '');
    throw new CliError(`--profile ${name} is for ${profilePlatform} (${loaded.file}): use it with qs-jwt ${words} ${profilePlatform}`);
  }
  applyProfile(command, loaded);
  return loaded;
}
