import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporaryFolder, hasOpenssl } from './support/fixtures.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Row {
  id: number;
  figure: string;
  measured: string;
  asserted: string;
  ratio: number;
  met: boolean;
  target: { operator: string; value: number };
}

test(
  'npm run bench -- --quick runs every figure, each with its ratio and its own assertion',
  { skip: hasOpenssl() ? false : 'openssl is not installed', timeout: 240_000 },
  () => {
    const json = join(temporaryFolder(), 'bench.json');
    // The test command has built dist already; run the suite the way `npm run bench` does after its build.
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--json', json], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { rows: Row[]; pending: { id: number }[] };
    const ids = [...new Set([...report.rows, ...report.pending].map((row) => row.id))].sort((a, b) => a - b);
    assert.deepEqual(
      ids,
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
      "every figure produced a row (the binary's are pending when it is not built)",
    );
    // Only the binary's figures may wait for a binary: whether one is built yet depends on test order.
    assert.deepEqual(
      report.pending.map((row) => row.id).filter((id) => id !== 15 && id !== 16),
      [],
      'no other figure is left unmeasured',
    );
    for (const row of report.rows) {
      assert.ok(Number.isFinite(row.ratio) && row.ratio > 0, `#${row.id} ${row.figure}: ratio ${row.ratio}`);
      assert.ok(row.asserted.length > 0 && row.measured.length > 0, `#${row.id} states what it measured and checked`);
      const byRatio = row.target.operator === '<=' ? row.ratio <= row.target.value : row.ratio >= row.target.value;
      // Library figures must also beat every other library, so "met" may be stricter than the ratio alone.
      if ([4, 5].includes(row.id)) assert.ok(!row.met || byRatio, `#${row.id} cannot be met with its ratio missed`);
      else assert.equal(row.met, byRatio, `#${row.id} judged by its target`);
    }
    assert.ok(
      report.rows.filter((row) => /RS256/.test(row.measured) || /RS256/.test(row.asserted)).length >= 4,
      'token figures assert their algorithm',
    );
    // The table on stdout has a line per row.
    for (const row of report.rows) assert.ok(result.stdout.includes(row.figure), `table shows ${row.figure}`);
  },
);
