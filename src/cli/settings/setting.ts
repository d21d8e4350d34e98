import type { Profile } from '../../core/config/config-schema.js';

/**
 * One setting of the CLI, declared once: its flag, environment variable, profile field, parser and help.
 * Commands pick settings from the table (setting-table.ts) instead of declaring their own options, so a
 * flag means the same everywhere and config, environment and flags resolve by one rule
 * (resolve-settings.ts): flag > environment variable > profile > default.
 */
export interface Setting {
  /** camelCase: the option's attribute name in commander, and the key of the resolved value. */
  readonly name: string;
  /** `--userid-attr`; absent for settings read from the environment only (QSJWT_KEY). */
  readonly flag?: string;
  /** Placeholder in help (`claim` gives `--userid-attr <claim>`); absent for a switch such as --force. */
  readonly valueName?: string;
  readonly env?: `QSJWT_${string}`;
  /** The qs-jwt.config.json profile field that may give it. */
  readonly profileField?: keyof Profile;
  /** One help text for every command that takes the setting. */
  readonly help: string;
  /** Default as the user would write it; a command may give its own (expires differs by platform). */
  readonly default?: string;
  readonly choices?: readonly string[];
  /**
   * Values shown in help and offered by shell completion, without refusing others: the parser gives
   * its own, better reason (`--alg HS256`: HMAC is refused because…).
   */
  readonly offered?: readonly string[];
  /**
   * Checks and converts the text (from a flag, the environment, a profile or the default). Throws
   * SettingValueError, or a core QsJwtError, with the reason only: the caller adds where it came from.
   */
  readonly parse?: (text: string) => unknown;
  /** `--claim a=1 --claim b=2`: each occurrence adds one value. */
  readonly repeatable?: boolean;
  /** `--groups Sales Finance`: one flag takes several values (and may repeat). */
  readonly variadic?: boolean;
  /** Masked by `config show`. */
  readonly secret?: boolean;
  /** The value is a file path: profile values resolve against the config file's folder; shells complete files. */
  readonly file?: boolean;
  /**
   * The core's option names this setting feeds (createQseowToken's `userIdAttribute`, LintOptions'
   * `clockTolerance`…): a core error about such an option is reported as being about this setting.
   */
  readonly libraryOptions?: readonly string[];
}

/** How one command uses a setting: the table's declaration plus what is particular to the command. */
export interface SettingUse {
  readonly setting: Setting;
  /** Replaces the table's default for this command. */
  readonly default?: string;
  /** A value must come from somewhere (flag, environment or profile); the text says what it is for. */
  readonly required?: string;
  /** Replaces the table's choices (`--format` differs by command). */
  readonly choices?: readonly string[];
  /** Added after the table's help text, for what only this command does with the value. */
  readonly note?: string;
  /** This command takes several values (`ui --key a --key b`) where others take one. */
  readonly repeatable?: boolean;
}

/** A setting's value is wrong; the message is only the reason (the resolver says where the value came from). */
export class SettingValueError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SettingValueError';
  }
}

/** `--userid-attr <claim>` or `--force`: the flag as help shows it. */
export function flagSignature(setting: Setting): string {
  if (setting.flag === undefined) throw new Error(`setting ${setting.name} has no flag`);
  if (setting.valueName === undefined) return setting.flag;
  return `${setting.flag} <${setting.valueName}${setting.variadic ? '...' : ''}>`;
}
