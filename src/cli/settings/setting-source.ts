import { CliError, EXIT } from '../cli-error.js';

/** Where a setting's value came from, so an error can point at the one place to fix. */
export type SettingSource =
  | { readonly kind: 'flag'; readonly flag: string }
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'profile'; readonly file: string; readonly profile: string; readonly field: string }
  | { readonly kind: 'default' };

/** Text quoted, so that an empty value or stray spaces show. */
function quoted(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** `--expires "9x"`, `QSJWT_EXPIRES="9x"`, `/srv/qs-jwt.config.json, profile "prod", field "expires" ("9x")`. */
export function describeSource(source: SettingSource, value?: unknown): string {
  const shown = value === undefined ? '' : quoted(value);
  switch (source.kind) {
    case 'flag':
      return value === undefined ? source.flag : `${source.flag} ${shown}`;
    case 'env':
      return value === undefined ? source.variable : `${source.variable}=${shown}`;
    case 'profile':
      return `${source.file}, profile ${JSON.stringify(source.profile)}, field ${JSON.stringify(source.field)}${value === undefined ? '' : ` (${shown})`}`;
    case 'default':
      return value === undefined ? 'the default' : `the default ${shown}`;
  }
}

/**
 * A setting's value was refused. The fields say which setting, where its value came from and why, so
 * nothing downstream has to parse the message.
 */
export class SettingError extends CliError {
  readonly setting: string;
  readonly source: SettingSource;
  readonly value: unknown;
  readonly reason: string;

  constructor(setting: string, source: SettingSource, value: unknown, reason: string, exitCode: number = EXIT.usage) {
    super(`${describeSource(source, value)}: ${reason}`, exitCode);
    this.name = 'SettingError';
    this.setting = setting;
    this.source = source;
    this.value = value;
    this.reason = reason;
  }
}
