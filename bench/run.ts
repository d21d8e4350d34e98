/**
 * The benchmark suite: `npm run bench` (full, writes bench/results.json and BENCHMARKS.md) or
 * `npm run bench -- --quick` (under a minute, prints only unless --json FILE is given).
 * `--only 5,7` runs the steps that measure those figures and writes no file (unless --json FILE).
 * Every figure is measured side by side with its comparison in the same run and reported as a ratio.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './measure.js';
import type { BenchRow } from './row.js';
import { makeSetup } from './figures/setup.js';
import { cliStartRows, LINUX_BINARY } from './figures/cli-start.js';
import { existsSync } from 'node:fs';
import { keysCreateRow } from './figures/keys-create.js';
import { libraryRows } from './figures/library.js';
import { batchRow } from './figures/batch.js';
import { memoryRows } from './figures/memory.js';
import { emulatorRows } from './figures/emulator.js';
import { workbenchRows } from './figures/workbench.js';
import { bridgeRows } from './figures/bridge.js';

interface PendingRow {
  id: number;
  figure: string;
  pending: string;
}

// Settings in the environment that change how fast every Node process starts are removed, so that
// children measure what a plain install does: NODE_EXTRA_CA_CERTS makes each Node process parse that CA
// file before running anything (~60 ms on the reference machine, whose environment sets it), and
// NODE_OPTIONS could preload anything. The removed names are written into BENCHMARKS.md.
const CLEARED_ENV = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'].filter((name) => process.env[name] !== undefined);
for (const name of CLEARED_ENV) delete process.env[name];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonIndex = args.indexOf('--json');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? new Set((args[onlyIndex + 1] ?? '').split(',').map(Number)) : undefined;
if (only && [...only].some((id) => !Number.isInteger(id) || id < 1 || id > 16))
  throw new Error('--only takes figure numbers 1 to 16, e.g. --only 5,7');
const partial = quick || only !== undefined;
const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : partial ? undefined : join(ROOT, 'bench', 'results.json');

function number(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(value >= 10 ? 1 : 2);
}

function describe(row: BenchRow): string[] {
  return [
    String(row.id),
    row.figure,
    `${number(row.ours.median)} ${row.ours.unit} [${number(row.ours.min)}–${number(row.ours.max)}]`,
    `${row.comparison.name}: ${number(row.comparison.median)} [${number(row.comparison.min)}–${number(row.comparison.max)}]`,
    `${row.ratio.toFixed(2)}×`,
    `${row.target.operator} ${row.target.value}×`,
    row.met ? 'met' : 'MISSED',
  ];
}

function markdown(rows: readonly BenchRow[], pending: readonly PendingRow[], when: string): string {
  const lines = [
    '# Benchmarks',
    '',
    `Measured ${when} on ${cpus()[0]?.model ?? 'unknown CPU'} (${availableParallelism()} cores), Node ${process.version}, with \`npm run bench\`.`,
    'Each figure ran side by side with its comparison in the same run; values are medians with [min–max].',
    'Absolute numbers depend on the machine: read the ratios.',
    ...(CLEARED_ENV.length > 0
      ? [
          `Removed from the environment of every measured process, which a default Node install does not set: ${CLEARED_ENV.map((name) => `\`${name}\``).join(', ')}.`,
        ]
      : []),
    '',
    '| # | figure | qs-jwt | compared with | ratio | target | result |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${describe(row).join(' | ')} |`),
    ...pending.map((row) => `| ${row.id} | ${row.figure} | – | – | – | – | ${row.pending} |`),
    '',
    '## What each figure measured',
    '',
    ...rows.map(
      (row) =>
        `- **#${row.id} ${row.figure}**: ${row.measured}; ratio = ${row.ratioMeaning}; checked: ${row.asserted}.${row.note ? ` ${row.note}.` : ''}${
          row.others
            ? ` Others: ${Object.entries(row.others)
                .map(([name, summary]) => `${name} ${number(summary.median)}`)
                .join(', ')}.`
            : ''
        }`,
    ),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const setup = makeSetup(quick);
  const rows: BenchRow[] = [];
  const step = async (name: string, run: () => BenchRow[] | BenchRow | Promise<BenchRow[]>): Promise<void> => {
    const figures = [...name.matchAll(/#(\d+)/g)].map((match) => Number(match[1]));
    if (only && !figures.some((id) => only.has(id))) return;
    process.stderr.write(`bench: ${name}…\n`);
    const result = await run();
    rows.push(...(Array.isArray(result) ? result : [result]));
  };
  await step('CLI start-up (#1, #2, #10, #11)', () => cliStartRows(setup));
  await step('keys create (#3)', () => keysCreateRow(setup));
  await step('library sign and verify (#4, #5)', () => libraryRows(setup));
  await step('batch (#6)', () => batchRow(setup));
  await step('emulator (#7, #8)', () => emulatorRows(setup));
  await step('memory (#9)', () => memoryRows(setup));
  await step('workbench (#10, #11)', () => workbenchRows(setup));
  await step('bridge (#12, #13, #14)', () => bridgeRows(setup));
  const pending: PendingRow[] =
    existsSync(LINUX_BINARY) || (only && !only.has(15) && !only.has(16))
      ? []
      : [
          { id: 15, figure: 'binary cold start: create qseow', pending: 'not built: node build-binaries.mjs linux' },
          { id: 16, figure: 'binary cold start: --help', pending: 'not built: node build-binaries.mjs linux' },
        ];
  rows.sort((a, b) => a.id - b.id);
  const header = ['#', 'figure', 'qs-jwt', 'compared with', 'ratio', 'target', 'result'];
  const table = [
    header,
    ...rows.map(describe),
    ...pending.map((row) => [String(row.id), row.figure, '–', '–', '–', '–', row.pending]),
  ];
  const widths = header.map((_, column) => Math.max(...table.map((line) => (line[column] ?? '').length)));
  process.stdout.write(
    `${table.map((line) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')).join('\n')}\n`,
  );
  const when = new Date().toISOString().slice(0, 10);
  if (jsonFile)
    writeFileSync(
      jsonFile,
      `${JSON.stringify({ quick, when, node: process.version, cores: availableParallelism(), rows, pending }, null, 2)}\n`,
    );
  if (!partial) writeFileSync(join(ROOT, 'BENCHMARKS.md'), markdown(rows, pending, when));
}

await main();
