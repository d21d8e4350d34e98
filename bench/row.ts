import type { Summary } from './measure.js';

/** One line of the benchmark table: what was measured, against what, the ratio and the target. */
export interface BenchRow {
  id: number;
  figure: string;
  /** What exactly ran: algorithm, key size, counts. */
  measured: string;
  ours: Summary & { unit: string };
  comparison: { name: string } & Summary;
  /** ours.median / comparison.median; ratioMeaning says which way is better. */
  ratio: number;
  /** How the ratio reads, e.g. "time ours/script" or "ops ours/raw". */
  ratioMeaning: string;
  target: { operator: '<=' | '>='; value: number };
  met: boolean;
  /** What the figure checked about its own output so it cannot measure the wrong thing. */
  asserted: string;
  /** Other contenders in the same run (libraries), for the table's notes. */
  others?: Record<string, Summary>;
  note?: string;
}

export function judge(ratio: number, target: BenchRow['target']): boolean {
  return target.operator === '<=' ? ratio <= target.value : ratio >= target.value;
}
