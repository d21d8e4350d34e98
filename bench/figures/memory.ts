import { join } from 'node:path';
import { CLI, peakRssKiB, summarize, tokenAlgorithm } from '../measure.js';
import { judge, type BenchRow } from '../row.js';
import { writeUsersCsv } from './batch.js';
import type { BenchSetup } from './setup.js';

/** #9: peak memory of create against bare node, and of a large streamed batch against a small one. */
export function memoryRows(setup: BenchSetup): BenchRow[] {
  const runs = setup.quick ? 3 : 7;
  const create: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const minted = peakRssKiB([
      CLI,
      'create',
      'qseow',
      '--key',
      setup.keyFile,
      '--userid',
      'anna',
      '--userdir',
      'ACME',
    ]);
    if (tokenAlgorithm(minted.stdout) !== 'RS256') throw new Error('create did not print an RS256 token');
    create.push(minted.kib);
    bare.push(peakRssKiB(['-e', '0']).kib);
  }
  const [small, large] = setup.quick ? [1000, 10_000] : [10_000, 1_000_000];
  const rss = (rows: number): number => {
    const input = join(setup.dir, `memory-${rows}.csv`);
    writeUsersCsv(input, rows);
    const output = join(setup.dir, `memory-${rows}.jsonl`);
    const { kib } = peakRssKiB([
      CLI,
      'batch',
      'qseow',
      '--key',
      setup.keyFile,
      '--input',
      input,
      '--output',
      output,
      '--force',
    ]);
    return kib;
  };
  const smallRss = summarize([rss(small)]);
  const largeRss = summarize([rss(large)]);
  const createSummary = summarize(create);
  const bareSummary = summarize(bare);
  const createTarget = { operator: '<=', value: 1.3 } as const;
  const batchTarget = { operator: '<=', value: 1.5 } as const;
  const createRatio = createSummary.median / bareSummary.median;
  const batchRatio = largeRss.median / smallRss.median;
  return [
    {
      id: 9,
      figure: 'peak memory: create',
      measured: `max RSS of the process, RS256 2048-bit, ${runs} runs`,
      ours: { ...createSummary, unit: 'KiB' },
      comparison: { name: 'node -e 0', ...bareSummary },
      ratio: createRatio,
      ratioMeaning: 'RSS qs-jwt / node (lower is better)',
      target: createTarget,
      met: judge(createRatio, createTarget),
      asserted: 'printed an RS256 token',
      note: 'main thread only (RSS is per process)',
    },
    {
      id: 9,
      figure: 'peak memory: streamed batch',
      measured: `max RSS, batch qseow of ${large.toLocaleString('en')} rows vs ${small.toLocaleString('en')} rows, output to a file`,
      ours: { ...largeRss, unit: 'KiB' },
      comparison: { name: `same batch of ${small.toLocaleString('en')} rows`, ...smallRss },
      ratio: batchRatio,
      ratioMeaning: 'RSS large / small (lower is better)',
      target: batchTarget,
      met: judge(batchRatio, batchTarget),
      asserted: 'both batches exited 0',
    },
  ];
}
