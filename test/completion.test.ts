/**
 * qs-jwt completion: the scripts come from the command registry and each command's commander
 * definition. bash's completion function is run on command lines (COMP_WORDS/COMP_CWORD → COMPREPLY);
 * zsh's and fish's where those shells are installed; every registered command and flag must appear in
 * each script.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../src/cli/command-registry.js';
import { hasCommand, temporaryFolder } from './support/fixtures.js';
import { runCli } from './support/run-cli.js';

const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
const folder = temporaryFolder('qs-jwt-completion-');
mkdirSync(join(folder, 'keys'));
writeFileSync(join(folder, 'keys', 'privatekey.pem'), '');
writeFileSync(join(folder, 'publickey.cer'), '');
const scripts = new Map<string, string>();

async function script(shell: (typeof SHELLS)[number]): Promise<string> {
  const cached = scripts.get(shell);
  if (cached !== undefined) return cached;
  const result = await runCli(['completion', shell]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  scripts.set(shell, result.stdout);
  return result.stdout;
}

/** COMPREPLY after bash's completion function ran on `line` (the cursor at its end). */
function bashComplete(source: string, line: string): string[] {
  const words = line.split(' ');
  const file = join(folder, 'qs-jwt.bash');
  writeFileSync(file, source);
  const program = [
    `source ${JSON.stringify(file)}`,
    `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_qs_jwt',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program], {
    cwd: folder,
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout
    .split('\n')
    .filter((word) => word !== '')
    .sort();
}

test('bash: subcommands, flags, fixed flag values and file names', async () => {
  const source = await script('bash');
  const cases: Array<[string, string[]]> = [
    ['qs-jwt create q', ['qseow']],
    ['qs-jwt ke', ['keys']],
    ['qs-jwt keys ', ['create', 'show']],
    ['qs-jwt create qseow --user', ['--userdir', '--userdir-attr', '--userid', '--userid-attr']],
    ['qs-jwt create qseow --alg ', ['RS256', 'RS384', 'RS512']],
    ['qs-jwt create cloud --format ', ['env', 'header', 'json', 'token']],
    ['qs-jwt keys create --bits ', ['2048', '3072', '4096']],
    ['qs-jwt batch ', ['cloud', 'qseow']],
    ['qs-jwt emulate --port 0 q', ['qseow']],
    ['qs-jwt emulate cloud --same-site ', ['Lax', 'None', 'Strict']],
    ['qs-jwt completion ', ['bash', 'fish', 'powershell', 'zsh']],
    ['qs-jwt create qseow --key ', ['keys', 'publickey.cer', 'qs-jwt.bash']],
    ['qs-jwt create qseow --key keys/', ['keys/privatekey.pem']],
    ['qs-jwt keys show pub', ['publickey.cer']],
    ['qs-jwt keys create --out ', ['keys']],
    ['qs-jwt create qseow --userid ', []],
    ['qs-jwt create qseow --userid anna --userdir ACME --ex', ['--expires']],
    ['qs-jwt --v', ['--version']],
  ];
  for (const [line, expected] of cases) assert.deepEqual(bashComplete(source, line), expected, line);
});

test('every registered command and every flag of its commander definition appears in each script', async () => {
  for (const shell of SHELLS) {
    const text = await script(shell);
    for (const entry of COMMANDS) {
      const command = (await entry.load()).buildCommand();
      for (const word of entry.words)
        assert.ok(text.includes(`'${word}`) || text.includes(` ${word}`), `${shell}: command word ${word}`);
      const path = entry.words.join(' ');
      for (const sub of [command, ...command.commands]) {
        const subPath = sub === command ? path : `${path} ${sub.name()}`;
        assert.ok(text.includes(`'${subPath}'`) || text.includes(`'${subPath}|`), `${shell}: ${subPath}`);
        for (const option of sub.options) {
          assert.ok(text.includes(option.long as string), `${shell}: ${subPath} ${option.long}`);
          for (const choice of option.argChoices ?? [])
            assert.ok(text.includes(choice), `${shell}: ${subPath} ${option.long} ${choice}`);
        }
      }
    }
  }
});

test(
  'the scripts are valid zsh and fish, and complete there too',
  { skip: !hasCommand('zsh') && !hasCommand('fish') && 'neither zsh nor fish is installed' },
  async () => {
    if (hasCommand('zsh')) {
      const file = join(folder, '_qs-jwt.zsh');
      writeFileSync(file, await script('zsh'));
      assert.equal(spawnSync('zsh', ['-n', file]).status, 0);
      const program = `autoload -U compinit; compinit -u -D; source ${JSON.stringify(file)}; __qs_jwt_suggest '' create qseow --alg; __qs_jwt_suggest q create; __qs_jwt_suggest '' batch`;
      const result = spawnSync('zsh', ['-f', '-c', program], { cwd: folder, encoding: 'utf8', timeout: 10_000 });
      assert.equal(result.stdout, 'RS256 RS384 RS512\nqseow cloud\nqseow cloud\n', result.stderr);
    }
    if (hasCommand('fish')) {
      const file = join(folder, 'qs-jwt.fish');
      writeFileSync(file, await script('fish'));
      assert.equal(spawnSync('fish', ['-n', file]).status, 0);
      const complete = (line: string): string[] => {
        const result = spawnSync(
          'fish',
          ['--no-config', '-c', `source ${JSON.stringify(file)}; complete -C ${JSON.stringify(line)}`],
          { cwd: folder, encoding: 'utf8', timeout: 10_000 },
        );
        assert.equal(result.status, 0, result.stderr);
        return result.stdout
          .split('\n')
          .filter((word) => word !== '')
          .map((word) => word.split('\t')[0] as string)
          .sort();
      };
      assert.deepEqual(complete('qs-jwt create q'), ['qseow']);
      assert.deepEqual(complete('qs-jwt create qseow --alg '), ['RS256', 'RS384', 'RS512']);
      assert.deepEqual(complete('qs-jwt keys show pub'), ['publickey.cer']);
    }
  },
);

test('completion with an unknown shell is a usage error naming the choices', async () => {
  const result = await runCli(['completion', 'tcsh']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /bash, zsh, fish, powershell/);
  assert.equal(result.stdout, '');
});
