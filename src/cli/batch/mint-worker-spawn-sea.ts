import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The mint-worker bundle's source, put here by build-binaries.mjs. */
declare const BUILD_MINT_WORKER_SOURCE: string;

/**
 * Starts one batch signing worker inside the single-file executable, which has no files beside it:
 * the worker's bundle is carried as a string and evaluated (its require() reaches Node's built-in
 * modules, all it needs; everything else is bundled into it).
 */
export function spawnMintWorker(options: WorkerOptions): Worker {
  return new Worker(BUILD_MINT_WORKER_SOURCE, { ...options, eval: true });
}
