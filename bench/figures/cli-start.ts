import { CLI, compareCommands, tokenAlgorithm } from '../measure.js';
import { judge, type BenchRow } from '../row.js';
import type { BenchSetup } from './setup.js';
import { fileURLToPath } from 'node:url';

const BASELINE = fileURLToPath(new URL('../baseline-sign.mjs', import.meta.url));

/** #1 and #2: how fast the CLI starts for its most common jobs, against plain node. */
export function cliStartRows(setup: BenchSetup): BenchRow[] {
  const runs = setup.quick ? 5 : 21;
  const node = process.execPath;
  const results = compareCommands({
    qsjwt: [node, [CLI, 'create', 'qseow', '--key', setup.keyFile, '--userid', 'anna', '--userdir', 'ACME']],
    script: [node, [BASELINE, setup.keyFile, 'anna', 'ACME']],
    help: [node, [CLI, '--help']],
    bare: [node, ['-e', '0']],
  }, runs);
  const { qsjwt, script, help, bare } = results as Record<'qsjwt' | 'script' | 'help' | 'bare', (typeof results)[string]>;
  for (const [name, result] of [['qs-jwt', qsjwt], ['script', script]] as const) {
    if (tokenAlgorithm(result.stdout) !== 'RS256') throw new Error(`${name} did not print an RS256 token`);
  }
  if (!help.stdout.includes('Usage: qs-jwt')) throw new Error('qs-jwt --help did not print the usage');
  const ms = (summary: typeof qsjwt) => ({ median: summary.median, min: summary.min, max: summary.max, runs: summary.runs });
  const createTarget = { operator: '<=', value: 1.25 } as const;
  const helpTarget = { operator: '<=', value: 1.3 } as const;
  const createRatio = qsjwt.median / script.median;
  const helpRatio = help.median / bare.median;
  return [
    {
      id: 1, figure: 'CLI cold start: create qseow', measured: `wall time, RS256 token with an existing 2048-bit key, ${runs} runs each`,
      ours: { ...ms(qsjwt), unit: 'ms' }, comparison: { name: 'node:crypto script (bench/baseline-sign.mjs)', ...ms(script) },
      ratio: createRatio, ratioMeaning: 'time qs-jwt / script (lower is better)', target: createTarget, met: judge(createRatio, createTarget),
      asserted: 'both printed a token whose header alg is RS256', others: { 'node -e 0': ms(bare) },
    },
    {
      id: 2, figure: 'CLI cold start: --help', measured: `wall time, ${runs} runs each`,
      ours: { ...ms(help), unit: 'ms' }, comparison: { name: 'node -e 0', ...ms(bare) },
      ratio: helpRatio, ratioMeaning: 'time qs-jwt / node (lower is better)', target: helpTarget, met: judge(helpRatio, helpTarget),
      asserted: 'the output starts with the usage line',
    },
  ];
}
