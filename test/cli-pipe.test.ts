import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH } from './support/run-cli.js';
import { makeKeyFixtures, temporaryFolder } from './support/fixtures.js';

test('a reader that closes the pipe early (| head) ends the command quietly, without a stack trace', async () => {
  const keys = makeKeyFixtures();
  const input = join(temporaryFolder(), 'users.jsonl');
  writeFileSync(
    input,
    Array.from({ length: 3000 }, (_, index) => JSON.stringify({ userid: `u${index}`, userdir: 'ACME' })).join('\n'),
  );
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'batch', 'qseow', '--key', keys.pkcs8, '--input', input, '--workers', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // Like `head -c 1`: read the first bytes, then close our end of the pipe.
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|\n\s+at /, stderr);
  assert.ok(code === 0 || code === 1, `exit ${code}`);
});

/** Runs the CLI with one of its pipes closed by the reader before the first write; collects the other. */
async function withClosedPipe(
  args: readonly string[],
  closed: 'stdout' | 'stderr',
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child[closed].destroy();
  let output = '';
  child[closed === 'stdout' ? 'stderr' : 'stdout'].setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output };
}

test('a reader gone before the first write (a closed pipe) ends --help and create quietly, exit 0', async () => {
  const keys = makeKeyFixtures();
  for (const args of [['--help'], ['create', 'qseow', '--key', keys.pkcs8, '--userid', 'anna', '--userdir', 'ACME']]) {
    // Results are written with write(2) on a pipe (src/cli/io/standard-streams.ts): EPIPE comes back from that call.
    const { code, output: stderr } = await withClosedPipe(args, 'stdout');
    assert.doesNotMatch(stderr, /EPIPE|Unhandled|\n\s+at /, `${args.join(' ')}: ${stderr}`);
    assert.equal(code, 0, `${args.join(' ')}: exit ${code}`);
  }
});

test('messages that cannot be written (stderr closed) are dropped: the result still comes out, exit 0', async () => {
  const keys = makeKeyFixtures();
  // --verbose writes a summary to stderr, whose reader is gone: EPIPE on each message (standard-streams.ts).
  const args = ['create', 'qseow', '--key', keys.pkcs8, '--userid', 'anna', '--userdir', 'ACME', '--verbose'];
  const { code, output: stdout } = await withClosedPipe(args, 'stderr');
  assert.equal(code, 0);
  assert.match(stdout, /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
});
