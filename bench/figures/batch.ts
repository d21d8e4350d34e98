import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CLI, summarize, timeCommand, tokenAlgorithm } from '../measure.js';
import { judge, type BenchRow } from '../row.js';
import { opensslSignRate, type BenchSetup } from './setup.js';

export function writeUsersCsv(path: string, rows: number): void {
  const lines = ['userid,userdir,name,groups'];
  for (let index = 0; index < rows; index += 1) lines.push(`user${index},ACME,User ${index},Sales;EMEA`);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/**
 * #6: batch minting throughput, against OpenSSL's own sign rate times the cores used. The machine's
 * speed drifts, so OpenSSL is measured before every run and once after the last, each run is compared
 * with the mean of the two measurements around it, and the ratio is the median of those paired ratios.
 */
export function batchRow(setup: BenchSetup): BenchRow {
  const rows = setup.quick ? 1500 : 10_000;
  const runs = setup.quick ? 1 : 5;
  const cores = availableParallelism();
  const input = join(setup.dir, `users-${rows}.csv`);
  writeUsersCsv(input, rows);
  const rates: number[] = [];
  const limits: number[] = [];
  const opensslSeconds = setup.quick ? 1 : 3;
  for (let run = 0; run < runs; run += 1) {
    limits.push(opensslSignRate(opensslSeconds, cores));
    // The default thread count: one worker per core but one, and the main thread.
    const { ms, stdout } = timeCommand(process.execPath, [
      CLI,
      'batch',
      'qseow',
      '--key',
      setup.keyFile,
      '--input',
      input,
    ]);
    const lines = stdout.trimEnd().split('\n');
    if (lines.length !== rows) throw new Error(`batch printed ${lines.length} lines for ${rows} rows`);
    const first = JSON.parse(lines[0] as string) as { token?: string };
    if (tokenAlgorithm(first.token ?? '') !== 'RS256') throw new Error('batch did not print RS256 tokens');
    rates.push(rows / (ms / 1000));
  }
  limits.push(opensslSignRate(opensslSeconds, cores));
  const paired = rates.map((rate, run) => rate / (((limits[run] as number) + (limits[run + 1] as number)) / 2));
  const ours = summarize(rates);
  const limit = summarize(limits);
  const ratio = summarize(paired).median;
  const target = { operator: '>=', value: 0.85 } as const;
  return {
    id: 6,
    figure: 'batch tokens/s',
    measured: `${rows} CSV rows, RS256 with a 2048-bit key, all ${cores} cores (the default: ${cores - 1} worker${cores === 2 ? '' : 's'} and the main thread), whole command incl. start-up, ${runs} run(s), each paired with OpenSSL measured just before and after it`,
    ours: { ...ours, unit: 'tokens/s' },
    comparison: { name: `openssl speed -multi ${cores} rsa2048 sign/s`, ...limit },
    ratio,
    ratioMeaning: 'median over runs of tokens/s qs-jwt / the mean openssl rate around that run (higher is better)',
    target,
    met: judge(ratio, target),
    asserted: `${rows} output lines, the first an RS256 token`,
  };
}
