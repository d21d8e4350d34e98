// The settings table and its resolver, without subprocesses: each setting declared once, every command
// drawing shared flags from the table, one precedence rule, and errors that carry their source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, type Option } from 'commander';
import { PROFILE_FIELDS } from '../src/core/config/config-schema.js';
import { createQseowToken } from '../src/core/qlik/qseow-token.js';
import { COMMANDS } from '../src/cli/command-registry.js';
import { untrustedReason } from '../src/cli/config/config-file.js';
import { addSettings, settingUses } from '../src/cli/settings/add-settings.js';
import { resolveSettings } from '../src/cli/settings/resolve-settings.js';
import { SettingError } from '../src/cli/settings/setting-source.js';
import { ALL_SETTINGS, SETTINGS } from '../src/cli/settings/setting-table.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const settingsDoc = readFileSync(join(root, 'docs', 'settings.md'), 'utf8');

/**
 * Flags a command may declare itself although the table has a flag of that name: the compatibility
 * commands keep the JavaScript qs-jwt's flags exactly (no environment, no profiles), and `emulate
 * --config` is the emulator's own settings file, not qs-jwt.config.json; see also the bridge below.
 */
const LOCAL_EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {
  'create-qseow': ['--userid', '--userdir', '--groups', '--audience', '--expires', '--passphrase-file'],
  'create-qscloud': ['--issuer', '--groups', '--sub', '--expires', '--passphrase-file'],
  emulate: ['--config'],
  // The bridge's --issuer, --audience and --clock-tolerance describe the identity provider's tokens, not
  // Qlik's: a profile's or QSJWT_ISSUER's Qlik values must not reach them.
  'bridge qseow': ['--issuer', '--audience', '--clock-tolerance'],
};

function unique(values: readonly (string | undefined)[]): void {
  const present = values.filter((value): value is string => value !== undefined);
  assert.deepEqual(
    present.filter((value, index) => present.indexOf(value) !== index),
    [],
    'declared twice',
  );
}

test('the table declares each flag, environment variable, profile field and name once', () => {
  unique(ALL_SETTINGS.map((setting) => setting.name));
  unique(ALL_SETTINGS.map((setting) => setting.flag));
  unique(ALL_SETTINGS.map((setting) => setting.env));
  unique(ALL_SETTINGS.map((setting) => setting.profileField));
  for (const [key, setting] of Object.entries(SETTINGS))
    assert.equal(setting.name, key, 'the table key is the setting name');
});

test('every profile field reaches exactly one setting, and every QSJWT_ variable in the sources is in the table', () => {
  const fields = ALL_SETTINGS.map((setting) => setting.profileField)
    .filter(Boolean)
    .sort();
  assert.deepEqual(fields, [...PROFILE_FIELDS].sort());
  const variables = new Set<string>(
    ALL_SETTINGS.flatMap((setting) => (setting.env === undefined ? [] : [setting.env])),
  );
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(folder, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(folder, entry.name)]
          : [],
    );
  for (const file of walk(join(root, 'src'))) {
    for (const [name] of readFileSync(file, 'utf8').matchAll(/QSJWT_[A-Z_]+[A-Z]/g)) {
      assert.ok(variables.has(name), `${file} reads ${name}, which the settings table does not declare`);
    }
  }
});

/** Every command and subcommand the registry builds, with its words. */
async function builtCommands(): Promise<{ words: string; command: Command }[]> {
  const all: { words: string; command: Command }[] = [];
  const visit = (words: string, command: Command): void => {
    all.push({ words, command });
    for (const sub of command.commands) visit(`${words} ${sub.name()}`, sub);
  };
  for (const entry of COMMANDS) {
    const module = (await import(`../src/cli/commands/${moduleName(entry.load)}.ts`)) as {
      buildCommand: () => Command;
    };
    visit(entry.words.join(' '), module.buildCommand());
  }
  return all;
}

/** The module a registry entry loads, read from its loader's source (`import('./commands/x.js')`). */
function moduleName(load: () => unknown): string {
  const match = /commands\/([\w-]+)\.js/.exec(String(load));
  assert.ok(match, `cannot read the module of ${String(load)}`);
  return match[1] as string;
}

test('no command declares its own flag where the table has one: shared flags come from the table', async () => {
  const tableFlags = new Map(ALL_SETTINGS.filter((setting) => setting.flag).map((setting) => [setting.flag, setting]));
  const local: string[] = [];
  for (const { words, command } of await builtCommands()) {
    const fromTable = new Set(settingUses(command).map((use) => use.setting.flag));
    for (const option of command.options as readonly Option[]) {
      const flag = option.long;
      if (flag === undefined || !tableFlags.has(flag) || fromTable.has(flag) || LOCAL_EXCEPTIONS[words]?.includes(flag))
        continue;
      local.push(`qs-jwt ${words} declares ${flag} itself: use SETTINGS.${tableFlags.get(flag)?.name}`);
    }
  }
  assert.deepEqual(local, []);
});

test('docs/settings.md lists every setting an environment variable or a profile can give, as the table declares it', () => {
  const section = settingsDoc.slice(settingsDoc.indexOf('| flag | variable | profile field |'));
  const rows = [...section.matchAll(/^\| (`--[\w-]+`|—) \| (`QSJWT_\w+`|—) \| (`\w+`|—) \|/gm)].map(
    ([, flag, variable, field]) =>
      [flag, variable, field].map((cell) => (cell === '—' ? undefined : cell?.slice(1, -1))),
  );
  const expected = ALL_SETTINGS.filter(
    (setting) => setting.env !== undefined || setting.profileField !== undefined,
  ).map((setting) => [setting.flag, setting.env, setting.profileField]);
  assert.deepEqual(rows, expected);
});

function commandWith(args: readonly string[], uses: Parameters<typeof addSettings>[1]): Command {
  const command = new Command('t').exitOverride().allowExcessArguments(false);
  addSettings(command, uses);
  command.parse([...args], { from: 'user' });
  return command;
}

test('one precedence rule: flag > environment variable > profile > default, each value with its source', () => {
  const profile = {
    name: 'prod',
    file: '/srv/qs-jwt.config.json',
    explicit: true,
    profile: { audience: 'aud-profile', alg: 'RS384' as const, expires: '2h' },
  };
  const saved = { ...process.env };
  process.env['QSJWT_ALG'] = 'RS512';
  process.env['QSJWT_EXPIRES'] = '3h';
  try {
    const command = commandWith(
      ['--expires', '4h'],
      [SETTINGS.alg, SETTINGS.expires, SETTINGS.audience, SETTINGS.useridAttr],
    );
    const settings = resolveSettings(command, profile);
    assert.deepEqual(settings.source('expires'), { kind: 'flag', flag: '--expires' });
    assert.equal(settings.get('expires'), '4h');
    assert.deepEqual(settings.source('alg'), { kind: 'env', variable: 'QSJWT_ALG' });
    assert.equal(settings.get('alg'), 'RS512');
    assert.deepEqual(settings.source('audience'), {
      kind: 'profile',
      file: '/srv/qs-jwt.config.json',
      profile: 'prod',
      field: 'audience',
    });
    assert.deepEqual(settings.source('useridAttr'), { kind: 'default' });
    assert.equal(settings.given('useridAttr'), false);
    assert.equal(command.opts()['audience'], 'aud-profile', 'resolved values are written back for the command');
  } finally {
    process.env = saved;
  }
});

test('a bad value is a SettingError carrying the setting, its source and the reason, whatever the source', () => {
  const bad = { name: 'prod', file: '/srv/c.json', explicit: false, profile: { clockTolerance: 'soon' } };
  assert.throws(
    () => resolveSettings(commandWith([], [SETTINGS.clockTolerance]), bad),
    (error: unknown) => {
      assert.ok(error instanceof SettingError);
      assert.equal(error.setting, 'clockTolerance');
      assert.deepEqual(error.source, {
        kind: 'profile',
        file: '/srv/c.json',
        profile: 'prod',
        field: 'clockTolerance',
      });
      assert.equal(error.value, 'soon');
      assert.match(
        error.message,
        /^\/srv\/c\.json, profile "prod", field "clockTolerance" \("soon"\): is not a duration/,
      );
      return true;
    },
  );
});

test('blame: a core error about one of its options names the flag the value came from; the library message names only its own option', () => {
  const command = commandWith(['--userid-attr', 'sub'], [SETTINGS.useridAttr]);
  const settings = resolveSettings(command);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const mint = (): unknown => createQseowToken({ privateKey, userId: 'a', userDirectory: 'b', userIdAttribute: 'sub' });
  assert.throws(
    mint,
    (error: Error) =>
      /^userIdAttribute "sub": is a registered JWT claim/.test(error.message) && !error.message.includes('--'),
  );
  assert.throws(
    () => settings.blame(mint),
    (error: unknown) => {
      assert.ok(error instanceof SettingError);
      assert.deepEqual(error.source, { kind: 'flag', flag: '--userid-attr' });
      assert.match(error.message, /^--userid-attr "sub": is a registered JWT claim/);
      return true;
    },
  );
});

test('core error messages never name a CLI flag or variable (the CLI adds them)', () => {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(folder, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(folder, entry.name)]
          : [],
    );
  for (const file of walk(join(root, 'src', 'core'))) {
    // The rule table's fixes are advice shown with findings, written for CLI users; errors are not.
    if (file.endsWith(join('lint', 'rules.ts'))) continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:Error|optionError)\([^;]*?(--[a-z][\w-]*|QSJWT_\w+)/g)) {
      assert.fail(`${file}: an error names ${match[1]}`);
    }
  }
});

test("a config file found upwards must be the user's (or root's) and writable by nobody else", () => {
  const user = { uid: 1000, gid: 1000 };
  assert.equal(untrustedReason({ uid: 1000, gid: 1000, mode: 0o100644 }, user), undefined);
  assert.equal(untrustedReason({ uid: 0, gid: 0, mode: 0o100644 }, user), undefined);
  assert.match(untrustedReason({ uid: 1001, gid: 1000, mode: 0o100644 }, user) ?? '', /another user/);
  assert.match(untrustedReason({ uid: 1000, gid: 1000, mode: 0o100666 }, user) ?? '', /anyone can write/);
  assert.match(untrustedReason({ uid: 1000, gid: 50, mode: 0o100664 }, user) ?? '', /group/);
  assert.equal(untrustedReason({ uid: 1000, gid: 1000, mode: 0o100664 }, user), undefined, "the user's own group");
  assert.equal(
    untrustedReason({ uid: 1001, gid: 1, mode: 0o100666 }, undefined),
    undefined,
    'Windows: no uids, no check',
  );
});
