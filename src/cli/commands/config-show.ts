import { Option, type Command } from 'commander';
import { PROFILE_FIELDS, type Profile } from '../../core/config/config-schema.js';
import { newCommand } from '../command-setup.js';
import { CONFIG_FILE_NAME, findConfigFile, loadProfile, profilePath, readConfig } from '../config/config-file.js';
import { configOption, profileOption } from '../config/profile-options.js';
import { resolve } from 'node:path';
import { runCommand, type RunCommand } from '../command-runner.js';

/** Environment variables qs-jwt reads, and whether their value is a secret to mask. */
export const ENVIRONMENT_SETTINGS: readonly { name: string; field?: keyof Profile; secret: boolean; meaning: string }[] = [
  { name: 'QSJWT_KEY', secret: true, meaning: 'private key text (PEM or JWK)' },
  { name: 'QSJWT_KEY_FILE', field: 'keyFile', secret: false, meaning: 'private key file' },
  { name: 'QSJWT_PASSPHRASE', secret: true, meaning: 'passphrase of an encrypted private key' },
  { name: 'QSJWT_PROFILE', secret: false, meaning: 'profile name (as --profile)' },
  { name: 'QSJWT_CONFIG', secret: false, meaning: 'config file (as --config)' },
  { name: 'QSJWT_AUDIENCE', field: 'audience', secret: false, meaning: '--audience' },
  { name: 'QSJWT_ISSUER', field: 'issuer', secret: false, meaning: '--issuer' },
  { name: 'QSJWT_KID', field: 'kid', secret: false, meaning: '--kid' },
  { name: 'QSJWT_USERID_ATTR', field: 'useridAttr', secret: false, meaning: '--userid-attr' },
  { name: 'QSJWT_USERDIR_ATTR', field: 'userdirAttr', secret: false, meaning: '--userdir-attr' },
  { name: 'QSJWT_GROUPS_ATTR', field: 'groupsAttr', secret: false, meaning: '--groups-attr' },
  { name: 'QSJWT_EXPIRES', field: 'expires', secret: false, meaning: '--expires' },
  { name: 'QSJWT_ALG', field: 'alg', secret: false, meaning: '--alg' },
  { name: 'QSJWT_CLOCK_TOLERANCE', field: 'clockTolerance', secret: false, meaning: '--clock-tolerance (verify)' },
];

interface Setting {
  value: string;
  source: 'environment' | 'profile';
  from: string;
}

function mask(): string {
  return `(set, masked)`;
}

export function buildCommand(): Command {
  return newCommand('config show', 'Show the settings a command would use: profile values overridden by QSJWT_* environment variables, secrets masked. Flags override both.', [
    'qs-jwt config show',
    'qs-jwt config show --profile prod',
    'QSJWT_PROFILE=prod qs-jwt config show --format json',
  ])
    .addOption(profileOption())
    .addOption(configOption())
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (flags: { profile?: string; config?: string; format: 'text' | 'json' }) => {
      const settings: Record<string, Setting> = {};
      let file = flags.config === undefined ? findConfigFile(process.cwd()) : resolve(flags.config);
      let profiles: string[] = [];
      if (flags.profile !== undefined) {
        const loaded = await loadProfile(flags.profile, flags.config);
        file = loaded.file;
        for (const field of PROFILE_FIELDS) {
          const value = loaded.profile[field];
          if (value === undefined) continue;
          const shown = field === 'keyFile' || field === 'certFile' ? profilePath(loaded, value) : value;
          settings[field] = { value: shown, source: 'profile', from: `${loaded.file} profile "${loaded.name}"` };
        }
      }
      if (file !== undefined) profiles = Object.keys(await readConfig(file));
      const environment: Record<string, string> = {};
      for (const variable of ENVIRONMENT_SETTINGS) {
        const value = process.env[variable.name];
        if (value === undefined || value === '') continue;
        const shown = variable.secret ? mask() : value;
        environment[variable.name] = shown;
        if (variable.field) settings[variable.field] = { value: shown, source: 'environment', from: variable.name };
      }
      if (process.env['QSJWT_KEY']) settings['keyFile'] = { value: '(QSJWT_KEY is set: it wins over any key file)', source: 'environment', from: 'QSJWT_KEY' };
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify({ configFile: file ?? null, profiles, profile: flags.profile ?? null, settings, environment }, null, 2)}\n`);
        return;
      }
      const lines = [
        `config file  ${file ?? `none (no ${CONFIG_FILE_NAME} here or above)`}`,
        `profiles     ${profiles.length ? profiles.join(', ') : 'none'}`,
        `profile      ${flags.profile ?? 'none selected (use --profile NAME or QSJWT_PROFILE)'}`,
        'settings (flags given to a command override these)',
        ...Object.entries(settings).map(([name, setting]) => `  ${name.padEnd(15)} ${setting.value}   [${setting.source}: ${setting.from}]`),
        ...(Object.keys(settings).length === 0 ? ['  (none: built-in defaults apply)'] : []),
        ...Object.entries(environment).filter(([name]) => !ENVIRONMENT_SETTINGS.find((item) => item.name === name)?.field).map(([name, value]) => `  ${name.padEnd(15)} ${value}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
