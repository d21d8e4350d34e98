// Synchronous fs: a CLI reads one small file once, and node:fs/promises alone costs ~2 ms to load.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, parseConfig, type Profile } from '../../core/config/config-schema.js';
import { CliError } from '../cli-error.js';
import { fileError, MAX_INPUT_BYTES } from '../io/input-file.js';

export const CONFIG_FILE_NAME = 'qs-jwt.config.json';

export interface LoadedProfile {
  name: string;
  profile: Profile;
  /** The config file it came from; relative paths in the profile resolve against its folder. */
  file: string;
}

/** The nearest qs-jwt.config.json from `start` upwards, as git finds .git. */
export function findConfigFile(start: string): string | undefined {
  let folder = resolve(start);
  for (;;) {
    const candidate = join(folder, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

export async function readConfig(file: string): Promise<Record<string, Profile>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fileError(error, file, 'config file');
  }
  if (text.length > MAX_INPUT_BYTES) throw new CliError(`config file ${file} is over ${MAX_INPUT_BYTES} bytes: that is not a qs-jwt config`);
  try {
    return (await parseConfig(text, file)).profiles;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

/** Finds the config file (--config, else the nearest one) and the named profile in it. */
export async function loadProfile(name: string, configFlag: string | undefined): Promise<LoadedProfile> {
  const file = configFlag === undefined ? findConfigFile(process.cwd()) : resolve(configFlag);
  if (file === undefined) {
    throw new CliError(`--profile ${name}: no ${CONFIG_FILE_NAME} in ${process.cwd()} or any folder above it: create one, or pass --config FILE`);
  }
  const profiles = await readConfig(file);
  const profile = profiles[name];
  if (!profile) {
    const known = Object.keys(profiles);
    throw new CliError(`--profile ${name}: ${file} has no profile "${name}"${known.length ? ` (it has ${known.join(', ')})` : ' (it has none)'}`);
  }
  return { name, profile, file };
}

export function profilePath(loaded: LoadedProfile, path: string): string {
  return resolve(dirname(loaded.file), path);
}
