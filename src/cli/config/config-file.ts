// Synchronous fs: a CLI reads one small file once, and node:fs/promises alone costs ~2 ms to load.
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, parseConfig, type Profile } from '../../core/config/config-schema.js';
import { CliError } from '../cli-error.js';
import { fileError, MAX_INPUT_BYTES } from '../io/input-file.js';

export const CONFIG_FILE_NAME = 'qs-jwt.config.json';

/** Which config file applies, and whether the user named it (--config, QSJWT_CONFIG) or it was found. */
export interface ConfigLocation {
  file: string;
  explicit: boolean;
}

export interface LoadedProfile {
  name: string;
  profile: Profile;
  /** The config file it came from; relative paths in the profile resolve against its folder. */
  file: string;
  /** Named with --config or QSJWT_CONFIG, rather than found by searching upwards. */
  explicit: boolean;
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

/**
 * Why a config file found by searching upwards must not be trusted, or undefined when it may be. The
 * search crosses folders such as /tmp where anyone can plant a file, and a profile picks the certificate
 * verify trusts: so the file must belong to the user running qs-jwt (or root) and be writable by nobody
 * else, as ssh demands of its config. Windows has no such mode bits or uids in Node: there the check
 * is skipped (docs/settings.md says so).
 */
export function untrustedReason(
  stats: Pick<Stats, 'uid' | 'gid' | 'mode'>,
  user: { uid: number; gid: number } | undefined,
): string | undefined {
  if (user === undefined) return undefined;
  if (stats.uid !== user.uid && stats.uid !== 0) return `it belongs to another user (uid ${stats.uid})`;
  if ((stats.mode & 0o002) !== 0) return 'anyone can write to it';
  if ((stats.mode & 0o020) !== 0 && stats.gid !== user.gid) return `its group (gid ${stats.gid}) can write to it`;
  return undefined;
}

function currentUser(): { uid: number; gid: number } | undefined {
  return typeof process.getuid === 'function' && typeof process.getgid === 'function'
    ? { uid: process.getuid(), gid: process.getgid() }
    : undefined;
}

/** The config file to use: the one named explicitly, else the nearest one upwards, if it is safe. */
export function locateConfig(explicitPath: string | undefined, start = process.cwd()): ConfigLocation | undefined {
  if (explicitPath !== undefined) return { file: resolve(explicitPath), explicit: true };
  const file = findConfigFile(start);
  if (file === undefined) return undefined;
  const reason = untrustedReason(statSync(file), currentUser());
  if (reason !== undefined) {
    throw new CliError(
      `${file} is not used: ${reason}. A config file found by searching upwards must be yours and writable only by you: fix its owner or mode (chmod go-w), or name it with --config FILE if you trust it`,
    );
  }
  return { file, explicit: false };
}

export async function readConfig(file: string): Promise<Record<string, Profile>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fileError(error, file, 'config file');
  }
  if (text.length > MAX_INPUT_BYTES)
    throw new CliError(`config file ${file} is over ${MAX_INPUT_BYTES} bytes: that is not a qs-jwt config`);
  try {
    // Editors on Windows save UTF-8 with a byte order mark, which JSON.parse refuses.
    return (await parseConfig(text.replace(/^\uFEFF/, ''), file)).profiles;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

/** The named profile of the config file (--config, else the nearest one). */
export async function loadProfile(name: string, configPath: string | undefined): Promise<LoadedProfile> {
  const location = locateConfig(configPath);
  if (location === undefined) {
    throw new CliError(
      `--profile ${name}: no ${CONFIG_FILE_NAME} in ${process.cwd()} or any folder above it: create one, or pass --config FILE`,
    );
  }
  const profiles = await readConfig(location.file);
  // Own properties only: a profile named "constructor" or "__proto__" is just a name.
  const profile = Object.hasOwn(profiles, name) ? profiles[name] : undefined;
  if (!profile) {
    const known = Object.keys(profiles);
    throw new CliError(
      `--profile ${name}: ${location.file} has no profile "${name}"${known.length ? ` (it has ${known.join(', ')})` : ' (it has none)'}`,
    );
  }
  return { name, profile, file: location.file, explicit: location.explicit };
}

export function profilePath(loaded: LoadedProfile, path: string): string {
  return resolve(dirname(loaded.file), path);
}
