import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { QsJwtError } from '../../core/errors.js';
import { CliError } from '../cli-error.js';
import type { LoadedProfile } from '../config/config-file.js';
import { settingUses } from './add-settings.js';
import { SettingValueError, type Setting, type SettingUse } from './setting.js';
import { describeSource, SettingError, type SettingSource } from './setting-source.js';
import { ALL_SETTINGS } from './setting-table.js';

interface ResolvedValue {
  readonly setting: Setting;
  readonly value: unknown;
  /** As written (flag, environment, profile or default), for messages. */
  readonly text: unknown;
  readonly source: SettingSource;
}

/** Why a value was refused, without the subject: the caller says where the value came from. */
function reasonOf(error: unknown): string | undefined {
  if (error instanceof SettingValueError) return error.message;
  if (error instanceof QsJwtError) return error.subject?.reason ?? error.message;
  return undefined;
}

function parseOne(
  setting: Setting,
  text: string,
  source: SettingSource,
  choices: readonly string[] | undefined,
): unknown {
  try {
    // Commander checks choices of flags and environment variables; profiles and defaults are checked here.
    if (choices !== undefined && !choices.includes(text))
      throw new SettingValueError(`is not one of ${choices.join(', ')}`);
    return setting.parse ? setting.parse(text) : text;
  } catch (error) {
    const reason = reasonOf(error);
    if (reason === undefined) throw error;
    throw new SettingError(setting.name, source, text, reason);
  }
}

/** Checks and converts one setting's value as resolveSettings would, naming its source in any error. */
export function parseSettingValue(setting: Setting, raw: string, source: SettingSource): unknown {
  return parseValue({ setting }, raw, source);
}

function parseValue(use: SettingUse, raw: unknown, source: SettingSource): unknown {
  const { setting } = use;
  const choices = use.choices ?? setting.choices;
  if (typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) return raw.map((item) => parseOne(setting, String(item), source, choices));
  const value = parseOne(setting, String(raw), source, choices);
  // A profile or default for a repeatable setting is one value in a list, as if given once.
  return (setting.repeatable || use.repeatable) && !Array.isArray(value) ? [value] : value;
}

/**
 * The values of one command's settings, each with where it came from, after one precedence rule:
 * flag > environment variable > profile > default.
 */
export class ResolvedSettings {
  readonly #values: ReadonlyMap<string, ResolvedValue>;
  /** The profile the values were resolved with, if any. */
  readonly profile: LoadedProfile | undefined;

  constructor(values: ReadonlyMap<string, ResolvedValue>, profile: LoadedProfile | undefined) {
    this.#values = values;
    this.profile = profile;
  }

  get<T>(name: string): T | undefined {
    return this.#values.get(name)?.value as T | undefined;
  }

  source(name: string): SettingSource | undefined {
    return this.#values.get(name)?.source;
  }

  /** Set by the user (flag, environment or profile), not by a default. */
  given(name: string): boolean {
    const source = this.source(name);
    return source !== undefined && source.kind !== 'default';
  }

  /** `--userid-attr "uid"` or `QSJWT_ISSUER="x"`: where the value came from, as the user would look for it. */
  describe(name: string): string | undefined {
    const resolved = this.#values.get(name);
    return resolved && describeSource(resolved.source, resolved.text);
  }

  /** `--key`, `QSJWT_KEY_FILE` or the profile field: where the value came from, without the value. */
  origin(name: string): string | undefined {
    const source = this.source(name);
    return source && describeSource(source);
  }

  entries(): IterableIterator<[string, ResolvedValue]> {
    return this.#values.entries();
  }

  /**
   * Runs a core call; when the core refuses the value of one of its options, the error is re-thrown
   * as a SettingError naming the flag, environment variable or profile field that gave the value.
   */
  blame<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw this.#blamed(error);
    }
  }

  /** As blame, for an error already caught. */
  #blamed(error: unknown): unknown {
    if (!(error instanceof QsJwtError) || error.subject === undefined) return error;
    const { option, value, reason, instead } = error.subject;
    const resolved = [...this.#values.values()].find((item) => item.setting.libraryOptions?.includes(option));
    if (resolved === undefined) return error;
    const insteadSetting =
      instead === undefined ? undefined : ALL_SETTINGS.find((setting) => setting.libraryOptions?.includes(instead));
    const insteadText = insteadSetting?.flag
      ? `: use ${insteadSetting.flag}`
      : instead === undefined
        ? ''
        : `: use ${instead}`;
    // A repeatable setting (--claim, --groups) holds many values: show the one refused.
    const shown = Array.isArray(resolved.text) ? value : resolved.text;
    return new SettingError(resolved.setting.name, resolved.source, shown, `${reason}${insteadText}`);
  }
}

function sourceOf(command: Command, setting: Setting): SettingSource | undefined {
  const origin = command.getOptionValueSource(setting.name);
  if (origin === 'cli' && setting.flag !== undefined) return { kind: 'flag', flag: setting.flag };
  if (origin === 'env' && setting.env !== undefined) return { kind: 'env', variable: setting.env };
  return undefined;
}

export function fromProfile(
  setting: Setting,
  profile: LoadedProfile | undefined,
): { raw: string; source: SettingSource } | undefined {
  const field = setting.profileField;
  if (profile === undefined || field === undefined || !Object.hasOwn(profile.profile, field)) return undefined;
  const text = profile.profile[field];
  if (text === undefined) return undefined;
  const raw = setting.file ? resolve(dirname(profile.file), text) : text;
  return { raw, source: { kind: 'profile', file: profile.file, profile: profile.name, field } };
}

/** Settings read from the environment only (no flag): commander never sees them. */
function fromEnvironmentOnly(setting: Setting): { raw: string; source: SettingSource } | undefined {
  if (setting.flag !== undefined || setting.env === undefined) return undefined;
  const raw = process.env[setting.env];
  return raw === undefined || raw === '' ? undefined : { raw, source: { kind: 'env', variable: setting.env } };
}

function requiredMessage(use: SettingUse): string {
  const { setting } = use;
  const elsewhere = [setting.env, setting.profileField && `a profile with ${setting.profileField}`].filter(Boolean);
  return `${setting.flag ?? setting.env} is required: ${use.required}${elsewhere.length ? ` (or set ${elsewhere.join(', or use ')})` : ''}`;
}

/**
 * Resolves every setting the command declared: the flag or environment variable commander read, else
 * the profile's field, else the default; each value parsed by the setting's parser, and written back
 * into the command's option values so `command.opts()` holds the checked values.
 */
export function resolveSettings(command: Command, profile?: LoadedProfile): ResolvedSettings {
  const values = new Map<string, ResolvedValue>();
  for (const use of settingUses(command)) {
    const { setting } = use;
    let raw: unknown;
    let source = sourceOf(command, setting);
    if (source !== undefined) raw = command.getOptionValue(setting.name);
    else {
      const found = fromProfile(setting, profile) ?? fromEnvironmentOnly(setting);
      // A required setting has no default: the table's would make it never missing.
      const fallback = use.default ?? (use.required === undefined ? setting.default : undefined);
      if (found !== undefined) ({ raw, source } = found);
      else if (fallback !== undefined) [raw, source] = [fallback, { kind: 'default' }];
    }
    if (source === undefined) {
      if (use.required !== undefined) throw new CliError(requiredMessage(use));
      continue;
    }
    const value = parseValue(use, raw, source);
    values.set(setting.name, { setting, value, text: raw, source });
    if (setting.flag !== undefined)
      command.setOptionValueWithSource(
        setting.name,
        value,
        source.kind === 'flag' ? 'cli' : source.kind === 'env' ? 'env' : 'config',
      );
  }
  return new ResolvedSettings(values, profile);
}
