import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('README starts with the two copy-paste commands: quickstart and the whole test suite', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = firstBlock
    .trim()
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim());
  assert.deepEqual(commands, ['npm ci && npm run quickstart', 'npm ci && npm test']);
  const scripts = (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  assert.match(scripts['quickstart'] ?? '', /qs-jwt\.js quickstart/);
  assert.match(scripts['test'] ?? '', /lint.*typecheck.*build.*test/);
  assert.match(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8'), /npm ci[^\n]*\nnpm test/);
});

test('the README library example runs as written, importing the package by name', () => {
  const example = /## Library\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'README has a ```ts block under ## Library');
  // Inside the package folder, `import 'qs-jwt'` resolves to this package through its exports map.
  const file = fileURLToPath(new URL('./.readme-example.ts', import.meta.url));
  writeFileSync(file, example);
  try {
    const output = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
    // Each console.log line says what it prints in its trailing comment.
    const promised = [...example.matchAll(/console\.log\(.*\); \/\/ (.+)$/gm)].map((match) => match[1]);
    assert.ok(promised.length >= 4, 'the example shows what it prints');
    assert.deepEqual(output.trim().split('\n'), promised);
  } finally {
    rmSync(file, { force: true });
  }
});

test('README documents every acceptance rule with its code, severity and scope', async () => {
  const { RULES } = await import('../src/core/lint/rules.js');
  for (const [code, rule] of Object.entries(RULES)) {
    assert.match(
      readme,
      new RegExp(`\\| ${code} \\| ${rule.severity} \\| ${rule.scope} \\|`),
      `${code} is missing from the README rule table`,
    );
  }
  const documented = [...readme.matchAll(/^\| (QJ\d{3}) \|/gm)].map((match) => match[1]);
  assert.deepEqual(documented.sort(), Object.keys(RULES).sort(), 'the README table lists exactly the rules in RULES');
});

test('README names every command the CLI registers', async () => {
  const { COMMANDS } = await import('../src/cli/command-registry.js');
  for (const entry of COMMANDS) {
    assert.ok(
      readme.includes(`qs-jwt ${entry.words.join(' ')}`),
      `README does not mention qs-jwt ${entry.words.join(' ')}`,
    );
  }
});
