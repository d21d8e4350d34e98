import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

/**
 * The parent's side of a load run (the child's is load-run-child.ts): starts a server alone in its own
 * process, asks it for its URL and memory, loads it with autocannon (bounded in time and requests), and
 * checks that its memory settles.
 */
export interface LoadRunChild {
  process: ChildProcess;
  ask: <T>(message: string, key: string) => Promise<T>;
}

export function startLoadRunChild(file: string, env: Record<string, string>): LoadRunChild {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const ask = <T>(message: string, key: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${key} from ${file}`)), 15_000);
      const listener = (answer: unknown): void => {
        if (answer === null || typeof answer !== 'object' || !(key in answer)) return;
        clearTimeout(timer);
        child.off('message', listener);
        resolve((answer as Record<string, T>)[key] as T);
      };
      child.on('message', listener);
      if (message) child.send(message);
    });
  return { process: child, ask };
}

/** Asks the child to close, and kills it if it has not exited within `graceMs`. */
export async function stopLoadRunChild(child: LoadRunChild | undefined, graceMs: number): Promise<void> {
  if (!child || child.process.exitCode !== null) return;
  const exited = new Promise((done) => child.process.once('exit', done));
  child.process.send('close');
  const killer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

/** 10 connections for `seconds` (at most `maxRequests`): every answer must be 2xx, none may fail. */
export async function boundedLoad(
  url: string,
  headers: Record<string, string>,
  limits: { seconds: number; maxRequests: number },
): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    connections: 10,
    duration: limits.seconds,
    maxOverallRequests: limits.maxRequests,
    headers,
    timeout: 10,
  });
  const summary = `2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`;
  assert.equal(result.errors, 0, summary);
  assert.equal(result.timeouts, 0, summary);
  assert.equal(result.non2xx, 0, summary);
  assert.ok(result['2xx'] > 100, `hardly any requests completed: ${summary}`);
  return result;
}

/**
 * Runs `run` and asserts the child's heap grew less than `maxGrowthBytes` (RSS less than twice that),
 * measured after forced collections. With `warmUp`, one untimed run first fills caches, pools and JIT.
 */
export async function assertMemoryFlat(
  child: LoadRunChild,
  run: () => Promise<autocannon.Result>,
  maxGrowthBytes: number,
  warmUp: boolean,
): Promise<void> {
  if (warmUp) await run();
  const before = await child.ask<NodeJS.MemoryUsage>('memory', 'memory');
  const result = await run();
  const afterRun = await child.ask<NodeJS.MemoryUsage>('memory', 'memory');
  const growth = afterRun.heapUsed - before.heapUsed;
  assert.ok(
    growth < maxGrowthBytes,
    `heapUsed grew ${(growth / 1048576).toFixed(1)} MB over ${result['2xx']} requests`,
  );
  assert.ok(
    afterRun.rss - before.rss < maxGrowthBytes * 2,
    `RSS grew ${((afterRun.rss - before.rss) / 1048576).toFixed(1)} MB`,
  );
}
