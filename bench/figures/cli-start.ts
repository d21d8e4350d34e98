import { CLI, compareCommands, tokenAlgorithm } from '../measure.js';
import { judge, type BenchRow } from '../row.js';
import type { BenchSetup } from './setup.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BASELINE = fileURLToPath(new URL('../baseline-sign.mjs', import.meta.url));
/** Built by `npm run bench` (build-binaries.mjs linux); #15 and #16 are pending without it. */
export const LINUX_BINARY = fileURLToPath(new URL('../../dist-bin/qs-jwt-linux-x64', import.meta.url));

/**
 * #1 and #2: how fast the CLI starts for its most common jobs, against plain node; #15 and #16 the
 * same for the single-file executable, in the same run (when it is built).
 */
export function cliStartRows(setup: BenchSetup): BenchRow[] {
  // Each run is ~40 ms and this machine drifts by ±30%: 61 runs keep a median within a few percent.
  const runs = setup.quick ? 5 : 61;
  const node = process.execPath;
  const create = ['create', 'qseow', '--key', setup.keyFile, '--userid', 'anna', '--userdir', 'ACME'];
  const withBinary = existsSync(LINUX_BINARY);
  const results = compareCommands(
    {
      qsjwt: [node, [CLI, ...create]],
      script: [node, [BASELINE, setup.keyFile, 'anna', 'ACME']],
      help: [node, [CLI, '--help']],
      bare: [node, ['-e', '0']],
      ...(withBinary
        ? ({ binaryCreate: [LINUX_BINARY, create], binaryHelp: [LINUX_BINARY, ['--help']] } satisfies Record<
            string,
            [string, string[]]
          >)
        : {}),
    },
    runs,
  );
  const { qsjwt, script, help, bare } = results as Record<
    'qsjwt' | 'script' | 'help' | 'bare',
    (typeof results)[string]
  >;
  for (const [name, result] of [
    ['qs-jwt', qsjwt],
    ['script', script],
  ] as const) {
    if (tokenAlgorithm(result.stdout) !== 'RS256') throw new Error(`${name} did not print an RS256 token`);
  }
  if (!help.stdout.includes('Usage: qs-jwt')) throw new Error('qs-jwt --help did not print the usage');
  const ms = (summary: typeof qsjwt) => ({
    median: summary.median,
    min: summary.min,
    max: summary.max,
    runs: summary.runs,
  });
  const createTarget = { operator: '<=', value: 1.25 } as const;
  const helpTarget = { operator: '<=', value: 1.3 } as const;
  const createRatio = qsjwt.median / script.median;
  const helpRatio = help.median / bare.median;
  const rows: BenchRow[] = [
    {
      id: 1,
      figure: 'CLI cold start: create qseow',
      measured: `wall time, RS256 token with an existing 2048-bit key, ${runs} runs each`,
      ours: { ...ms(qsjwt), unit: 'ms' },
      comparison: { name: 'node:crypto script (bench/baseline-sign.mjs)', ...ms(script) },
      ratio: createRatio,
      ratioMeaning: 'time qs-jwt / script (lower is better)',
      target: createTarget,
      met: judge(createRatio, createTarget),
      asserted: 'both printed a token whose header alg is RS256',
      others: { 'node -e 0': ms(bare) },
    },
    {
      id: 2,
      figure: 'CLI cold start: --help',
      measured: `wall time, ${runs} runs each`,
      ours: { ...ms(help), unit: 'ms' },
      comparison: { name: 'node -e 0', ...ms(bare) },
      ratio: helpRatio,
      ratioMeaning: 'time qs-jwt / node (lower is better)',
      target: helpTarget,
      met: judge(helpRatio, helpTarget),
      asserted: 'the output starts with the usage line',
    },
  ];
  const { binaryCreate, binaryHelp } = results;
  if (!binaryCreate || !binaryHelp) return rows;
  if (tokenAlgorithm(binaryCreate.stdout) !== 'RS256') throw new Error('the binary did not print an RS256 token');
  if (!binaryHelp.stdout.includes('Usage: qs-jwt')) throw new Error('the binary --help did not print the usage');
  const binaryTarget = { operator: '<=', value: 1.1 } as const;
  const binaryCreateRatio = binaryCreate.median / script.median;
  const binaryHelpRatio = binaryHelp.median / bare.median;
  rows.push(
    {
      id: 15,
      figure: 'binary cold start: create qseow',
      measured: `wall time, dist-bin/qs-jwt-linux-x64 (SEA, code cache), RS256 token, ${runs} runs each`,
      ours: { ...ms(binaryCreate), unit: 'ms' },
      comparison: { name: 'node:crypto script (bench/baseline-sign.mjs)', ...ms(script) },
      ratio: binaryCreateRatio,
      ratioMeaning: 'time binary / script (lower is better)',
      target: binaryTarget,
      met: judge(binaryCreateRatio, binaryTarget),
      asserted: 'the binary printed a token whose header alg is RS256',
    },
    {
      id: 16,
      figure: 'binary cold start: --help',
      measured: `wall time, dist-bin/qs-jwt-linux-x64, ${runs} runs each`,
      ours: { ...ms(binaryHelp), unit: 'ms' },
      comparison: { name: 'node -e 0', ...ms(bare) },
      ratio: binaryHelpRatio,
      ratioMeaning: 'time binary / node (lower is better)',
      target: binaryTarget,
      met: judge(binaryHelpRatio, binaryTarget),
      asserted: 'the output starts with the usage line',
    },
  );
  return rows;
}
