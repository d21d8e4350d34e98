import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts one batch signing worker from mint-worker.js beside the running bundle. The single-file
 * executable has no such file: build-binaries.mjs replaces this module with mint-worker-spawn-sea.ts.
 */
export function spawnMintWorker(options: WorkerOptions): Worker {
  return new Worker(new URL('./mint-worker.js', import.meta.url), options);
}
