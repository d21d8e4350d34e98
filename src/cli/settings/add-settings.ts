import { Option, type Command } from 'commander';
import { offerValues } from '../command-setup.js';
import { flagSignature, type Setting, type SettingUse } from './setting.js';

/** The settings each command declared, in order, for the resolver, `config show` and completions. */
const USES = new WeakMap<Command, SettingUse[]>();

function asUse(item: Setting | SettingUse): SettingUse {
  return 'setting' in item ? item : { setting: item };
}

function helpText(use: SettingUse): string {
  const { setting } = use;
  const parts = [setting.help];
  if (use.note !== undefined) parts.push(`; ${use.note}`);
  if (use.required !== undefined) parts.push(' (required)');
  const fallback = use.default ?? setting.default;
  if (fallback !== undefined && setting.valueName !== undefined) parts.push(` (default: ${JSON.stringify(fallback)})`);
  if (setting.profileField !== undefined) parts.push(` (profile: ${setting.profileField})`);
  return parts.join('');
}

function collect(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? (previous as string[]) : []), value];
}

/**
 * Declares settings from the table on a command. Commander only reads flags and environment variables
 * here (no defaults, no parsing): resolveSettings then applies the profile, the defaults and the parsers
 * in one place, so every value is checked the same way whatever its source.
 */
export function addSettings(command: Command, items: readonly (Setting | SettingUse)[]): Command {
  const uses = USES.get(command) ?? [];
  for (const use of items.map(asUse)) {
    const { setting } = use;
    uses.push(use);
    if (setting.flag === undefined) continue;
    const option = new Option(flagSignature(setting), helpText(use));
    if (setting.env !== undefined) option.env(setting.env);
    const choices = use.choices ?? setting.choices;
    if (choices !== undefined) option.choices(choices);
    else if (setting.offered !== undefined) offerValues(option, setting.offered);
    if (setting.variadic) option.argParser(collect);
    else if (setting.repeatable || use.repeatable) option.argParser(collect);
    command.addOption(option);
  }
  USES.set(command, uses);
  return command;
}

export function settingUses(command: Command): readonly SettingUse[] {
  return USES.get(command) ?? [];
}
