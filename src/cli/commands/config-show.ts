import type { Command } from 'commander';
import { newCommand } from '../command-setup.js';
import {
  CONFIG_FILE_NAME,
  loadProfile,
  locateConfig,
  readConfig,
  type ConfigLocation,
  type LoadedProfile,
} from '../config/config-file.js';
import { addSettings } from '../settings/add-settings.js';
import { fromProfile, parseSettingValue, resolveSettings } from '../settings/resolve-settings.js';
import { ALL_SETTINGS, SETTINGS } from '../settings/setting-table.js';
import type { Setting } from '../settings/setting.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { writeStdout } from '../io/standard-streams.js';

interface ShownSetting {
  value: string;
  source: 'environment' | 'profile';
  from: string;
}

const MASKED = '(set, masked)';

/** Settings that a profile or an environment variable can give: what `config show` reports on. */
const CONFIGURABLE = ALL_SETTINGS.filter((setting) => setting.env !== undefined || setting.profileField !== undefined);

/** The name a setting is shown under: its profile field where it has one (keyFile), else its own. */
function shownName(setting: Setting): string {
  return setting.profileField ?? setting.name;
}

function environmentValue(setting: Setting): string | undefined {
  const value = setting.env === undefined ? undefined : process.env[setting.env];
  return value === undefined || value === '' ? undefined : value;
}

/** Environment beats profile (flags, which beat both, belong to the command run later). */
function effective(setting: Setting, loaded: LoadedProfile | undefined): ShownSetting | undefined {
  const fromEnvironment = environmentValue(setting);
  if (fromEnvironment !== undefined && setting.env !== undefined) {
    return { value: setting.secret ? MASKED : fromEnvironment, source: 'environment', from: setting.env };
  }
  const found = fromProfile(setting, loaded);
  if (found === undefined || loaded === undefined) return undefined;
  // The profile's value goes through the same parser as when a command uses it: a bad one is reported here too.
  parseSettingValue(setting, found.raw, found.source);
  return { value: found.raw, source: 'profile', from: `${loaded.file} profile "${loaded.name}"` };
}

function foundBy(location: ConfigLocation | undefined, command: Command): string {
  if (location === undefined) return 'none';
  if (!location.explicit) return 'found from the working folder upwards';
  return command.getOptionValueSource('config') === 'env' ? 'QSJWT_CONFIG' : '--config';
}

export function buildCommand(): Command {
  const command = newCommand(
    'config show',
    'Show the settings a command would use: profile values overridden by QSJWT_* environment variables, secrets masked. Flags override both.',
    ['qs-jwt config show', 'qs-jwt config show --profile prod', 'QSJWT_PROFILE=prod qs-jwt config show --format json'],
  );
  addSettings(command, [SETTINGS.profile, SETTINGS.config, { setting: SETTINGS.format, choices: ['text', 'json'] }]);
  return command.action(async (_flags: unknown, self: Command) => {
    const { profile: name, config } = self.opts<{ profile?: string; config?: string }>();
    const location = locateConfig(config);
    const loaded = name === undefined ? undefined : await loadProfile(name, config);
    resolveSettings(self, loaded);
    const { format } = self.opts<{ format: 'text' | 'json' }>();
    const profiles = location === undefined ? [] : Object.keys(await readConfig(location.file));
    const shown: Record<string, ShownSetting> = Object.create(null) as Record<string, ShownSetting>;
    for (const setting of CONFIGURABLE) {
      if (setting.name === 'profile' || setting.name === 'config') continue;
      const value = effective(setting, loaded);
      if (value !== undefined) shown[shownName(setting)] = value;
    }
    if (environmentValue(SETTINGS.keyText) !== undefined) {
      shown['keyFile'] = {
        value: '(QSJWT_KEY is set: it wins over any key file)',
        source: 'environment',
        from: 'QSJWT_KEY',
      };
    }
    const environment: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const setting of CONFIGURABLE) {
      const value = environmentValue(setting);
      if (value !== undefined && setting.env !== undefined) environment[setting.env] = setting.secret ? MASKED : value;
    }
    const configFile = location?.file ?? null;
    if (format === 'json') {
      writeStdout(
        `${JSON.stringify({ configFile, foundBy: foundBy(location, self), profiles, profile: name ?? null, settings: shown, environment }, null, 2)}\n`,
      );
      return;
    }
    const shownByVariable = new Set(Object.values(shown).map((item) => item.from));
    const lines = [
      `config file  ${configFile ?? `none (no ${CONFIG_FILE_NAME} here or above)`}${location ? ` (${foundBy(location, self)})` : ''}`,
      `profiles     ${profiles.length ? profiles.join(', ') : 'none'}`,
      `profile      ${name ?? 'none selected (use --profile NAME or QSJWT_PROFILE)'}`,
      'settings (flags given to a command override these)',
      ...Object.entries(shown).map(
        ([field, setting]) => `  ${field.padEnd(15)} ${setting.value}   [${setting.source}: ${setting.from}]`,
      ),
      ...(Object.keys(shown).length === 0 ? ['  (none: built-in defaults apply)'] : []),
      ...Object.entries(environment)
        .filter(([variable]) => !shownByVariable.has(variable))
        .map(([variable, value]) => `  ${variable.padEnd(15)} ${value}`),
    ];
    writeStdout(`${lines.join('\n')}\n`);
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
