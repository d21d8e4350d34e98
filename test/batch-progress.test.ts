import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, runCli } from './support/run-cli.js';
import { makeKeyFixtures, temporaryFolder } from './support/fixtures.js';

const keys = makeKeyFixtures();
const folder = temporaryFolder();
const input = join(folder, 'users.csv');
writeFileSync(input, `userid,userdir\n${Array.from({ length: 1500 }, (_, index) => `user${index},ACME`).join('\n')}\n`);
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

test(
  'batch shows progress with rate, percentage and ETA on a terminal',
  { skip: hasScript ? false : 'util-linux script is not installed', timeout: 120_000 },
  () => {
    const output = join(folder, 'tty.jsonl');
    // script(1) gives the command a pseudo-terminal, as a user's shell would.
    const command = [
      process.execPath,
      CLI_PATH,
      'batch',
      'qseow',
      '--key',
      keys.pkcs8,
      '--input',
      input,
      '--output',
      output,
    ]
      .map((arg) => `'${arg}'`)
      .join(' ');
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout);
    const frames = result.stdout.split('\r').filter((frame) => /rows/.test(frame));
    assert.ok(
      frames.some((frame) => /\d[\d,]* rows {2}[\d,]+ tokens\/s {2}\d+% {2}ETA \d/.test(frame)),
      `a progress frame with rate, % and ETA in:\n${result.stdout.slice(0, 400)}`,
    );
    assert.match(result.stdout, /batch qseow: 1500 rows, 1500 tokens, 0 failed/);
  },
);

test('batch writes no progress frames when stderr is not a terminal (CI logs stay clean)', async () => {
  const result = await runCli([
    'batch',
    'qseow',
    '--key',
    keys.pkcs8,
    '--input',
    input,
    '--output',
    join(folder, 'pipe.jsonl'),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /\r|tokens\/s {2}\d+%/);
  assert.match(result.stderr, /^batch qseow: 1500 rows, 1500 tokens, 0 failed/m);
});
