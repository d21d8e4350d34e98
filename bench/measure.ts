import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'bin', 'qs-jwt.js');
const RSS_REPORTER = fileURLToPath(new URL('./report-rss.mjs', import.meta.url));

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, runs: sorted.length };
}

/** Runs a command to completion and returns its wall time in milliseconds (throws if it fails). */
export function timeCommand(
  command: string,
  args: readonly string[],
  options: SpawnSyncOptions = {},
): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(0, 500)}`);
  return { ms, stdout: String(result.stdout) };
}

/**
 * Times several commands side by side, interleaved run by run so that drift in machine load hits each
 * of them alike. Returns one summary per command, in milliseconds.
 */
export function compareCommands(
  commands: Record<string, [string, string[]]>,
  runs: number,
  warmup = 1,
): Record<string, Summary & { stdout: string }> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  const outputs: Record<string, string> = {};
  for (let round = 0; round < runs + warmup; round += 1) {
    for (const [name, [command, args]] of Object.entries(commands)) {
      const { ms, stdout } = timeCommand(command, args);
      outputs[name] = stdout;
      if (round >= warmup) samples[name]?.push(ms);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [name, { ...summarize(values), stdout: outputs[name] ?? '' }]),
  );
}

/** Peak resident memory (KiB) of a node process running `args`, reported by the process itself at exit. */
export function peakRssKiB(args: readonly string[], options: SpawnSyncOptions = {}): { kib: number; stdout: string } {
  const folder = mkdtempSync(join(tmpdir(), 'qs-jwt-bench-'));
  const out = join(folder, 'rss');
  try {
    const result = spawnSync(process.execPath, ['--import', RSS_REPORTER, ...args], {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024 * 1024,
      ...options,
      env: { ...process.env, ...(options.env ?? {}), QSJWT_BENCH_RSS_FILE: out },
    });
    if (result.status !== 0 && result.status !== 1)
      throw new Error(`node ${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(0, 500)}`);
    return { kib: Number(readFileSync(out, 'utf8')), stdout: String(result.stdout) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Operations per second of a synchronous or async function, over `rounds` timed rounds of `ms` each. */
export async function opsPerSecond(run: () => unknown, rounds: number, ms: number): Promise<Summary> {
  const rates: number[] = [];
  for (let warm = 0; warm < 200; warm += 1) await run();
  for (let round = 0; round < rounds; round += 1) {
    let count = 0;
    const started = performance.now();
    const end = started + ms;
    while (performance.now() < end) {
      await run();
      count += 1;
    }
    rates.push(count / ((performance.now() - started) / 1000));
  }
  return summarize(rates);
}

/** The header of a compact JWS, to assert what a figure measured. */
export function tokenAlgorithm(token: string): unknown {
  const header = token.trim().split('.')[0] ?? '';
  return (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
}

/**
 * CPU milliseconds a process has used so far, its main thread apart from its other threads (libuv's
 * thread pool, V8's collector and compilers), from Linux's /proc; undefined where that is missing.
 * Clock ticks are 10 ms (USER_HZ 100), so use it over runs of seconds.
 */
export function threadCpuMs(pid: number): { main: number; others: number } | undefined {
  try {
    let main = 0;
    let others = 0;
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${thread}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) in parentheses; utime and stime are 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      if (Number(thread) === pid) main += ms;
      else others += ms;
    }
    return { main, others };
  } catch {
    return undefined;
  }
}
