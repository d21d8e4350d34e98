// `qs-jwt help <command>` and "did you mean" for mistyped commands (issue 10, defect 11), run as a
// subprocess; the edit distance itself is checked against its definition with fast-check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closestWords, editDistance } from '../src/cli/edit-distance.js';
import { runCli } from './support/run-cli.js';

test('qs-jwt help <command> prints exactly what <command> --help prints', async () => {
  const cases = [['create', 'qseow'], ['keys', 'show'], ['verify'], ['test', 'qseow'], ['batch']];
  for (const words of cases) {
    const [viaHelp, viaFlag] = await Promise.all([runCli(['help', ...words]), runCli([...words, '--help'])]);
    assert.equal(viaHelp.code, 0, `help ${words.join(' ')}: ${viaHelp.stderr}`);
    assert.equal(viaHelp.stderr, '');
    assert.match(viaHelp.stdout, new RegExp(`^Usage: qs-jwt ${words.join(' ')} `));
    assert.equal(viaHelp.stdout, viaFlag.stdout, words.join(' '));
  }
  const group = await runCli(['help', 'keys']);
  assert.equal(group.code, 0);
  assert.match(group.stdout, /^Usage: qs-jwt keys <command>/);
  assert.match(group.stdout, /qs-jwt keys create/);
});

test('a mistyped command or subcommand gets "did you mean", exit 2, one line', async () => {
  const cases: [string[], RegExp][] = [
    [['crate', 'qseow'], /unknown command "crate" \(did you mean qs-jwt create\?\)/],
    [['kyes', 'create'], /unknown command "kyes" \(did you mean qs-jwt keys\?\)/],
    [['verfy', 'x'], /did you mean qs-jwt verify\?/],
    [['create', 'qsoew'], /unknown command "create qsoew" \(did you mean qs-jwt create qseow\?\)/],
    [['keys', 'shwo'], /did you mean qs-jwt keys show\?/],
    [['help', 'decdoe'], /unknown command "decdoe" \(did you mean qs-jwt decode\?\)/],
    [['frobnicate'], /^qs-jwt: error: unknown command "frobnicate": run qs-jwt --help/],
  ];
  for (const [args, expected] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, args.join(' '));
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, expected);
  }
  assert.doesNotMatch((await runCli(['frobnicate'])).stderr, /did you mean/, 'no guess when nothing is close');
});

test('edit distance: zero only for equal words, symmetric, within the lengths, one for a swap of neighbours', () => {
  const word = fc.string({ maxLength: 12 });
  fc.assert(
    fc.property(word, word, (a, b) => {
      const distance = editDistance(a, b);
      assert.equal(distance === 0, a === b);
      assert.equal(distance, editDistance(b, a));
      assert.ok(distance >= Math.abs(a.length - b.length) && distance <= Math.max(a.length, b.length));
    }),
  );
  fc.assert(
    fc.property(fc.string({ minLength: 2, maxLength: 12 }), fc.nat(), (text, seed) => {
      const index = seed % (text.length - 1);
      const swapped = text.slice(0, index) + text[index + 1] + text[index] + text.slice(index + 2);
      assert.ok(editDistance(text, swapped) <= 1);
    }),
  );
  assert.deepEqual(closestWords('qsoew', ['qseow', 'cloud']), ['qseow']);
  assert.deepEqual(closestWords('zzz', ['qseow', 'cloud']), []);
});
