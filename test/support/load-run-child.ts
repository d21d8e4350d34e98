/**
 * The child's side of a load run (test/emulator-load.test.ts, test/bridge-load.test.ts): a server alone
 * in its process, so the load generator shares neither its event loop nor its heap. Started with
 * --expose-gc and an IPC channel, it sends `{ url, gc }` once listening, answers `memory` with
 * process.memoryUsage() after forced collections, and exits on `close` or when the parent goes away.
 */
export interface LoadRunServer {
  url: string;
  close: () => Promise<void>;
}

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let round = 0; round < 3; round += 1) {
    gc?.();
    await new Promise((done) => setTimeout(done, 50));
  }
  return process.memoryUsage();
}

export function serveLoadRun(running: LoadRunServer): void {
  const send = (message: unknown): void => {
    process.send?.(message);
  };
  process.on('message', (message) => {
    if (message === 'memory')
      settledMemory().then(
        (memory) => send({ memory }),
        () => undefined,
      );
    if (message === 'close')
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
  process.on('disconnect', () => process.exit(0));
  send({ url: running.url, gc: typeof (globalThis as { gc?: unknown }).gc === 'function' });
}
