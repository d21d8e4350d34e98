import { Worker } from 'node:worker_threads';
import { mintChunk, type ChunkResult, type MintSetup } from './mint-job.js';
import type { CsvCells, RawRow } from './row-parsing.js';

/** Chunks in flight per worker: enough to keep it busy while the main thread parses and writes. */
const IN_FLIGHT_PER_WORKER = 3;

/**
 * Signs chunks of rows on worker threads and hands results back in input order. submit() waits while
 * every worker is full, so a huge input streams through with bounded memory.
 */
export class MintPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly done = new Map<number, ChunkResult>();
  private nextId = 0;
  private nextToEmit = 0;
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(private readonly setup: MintSetup, count: number, private readonly cells: CsvCells, private readonly emit: (result: ChunkResult) => void) {
    for (let index = 0; index < count; index += 1) {
      const { privateKey, ...rest } = setup;
      const workerData = { ...rest, privateKeyDer: privateKey.export({ type: 'pkcs8', format: 'der' }) };
      const worker = new Worker(new URL('./mint-worker.js', import.meta.url), { workerData });
      const slot = { worker, busy: 0 };
      worker.on('message', (message: { id: number; result: ChunkResult }) => {
        slot.busy -= 1;
        this.done.set(message.id, message.result);
        this.flush();
      });
      worker.on('error', (error) => this.fail(error));
      this.workers.push(slot);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private flush(): void {
    for (let result = this.done.get(this.nextToEmit); result; result = this.done.get(this.nextToEmit)) {
      this.done.delete(this.nextToEmit);
      this.nextToEmit += 1;
      this.emit(result);
    }
    this.wake();
  }

  private freeSlot(): { worker: Worker; busy: number } | undefined {
    const slot = this.workers.reduce((best, candidate) => (candidate.busy < best.busy ? candidate : best), this.workers[0] as { worker: Worker; busy: number });
    return slot.busy < IN_FLIGHT_PER_WORKER ? slot : undefined;
  }

  async submit(rows: RawRow[], header: string[] | undefined): Promise<void> {
    const id = this.nextId;
    this.nextId += 1;
    if (this.workers.length === 0) {
      // --workers 0: sign on this thread (small inputs, debugging).
      this.done.set(id, mintChunk(this.setup, rows, header, this.cells));
      this.flush();
      return;
    }
    let slot = this.freeSlot();
    while (!slot) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => { this.waiting = resolve; });
      slot = this.freeSlot();
    }
    if (this.failure) throw this.failure;
    slot.busy += 1;
    slot.worker.postMessage({ id, rows, header });
  }

  /** Waits for every submitted chunk, then stops the workers. */
  async close(): Promise<void> {
    while (this.nextToEmit < this.nextId) {
      if (this.failure) break;
      await new Promise<void>((resolve) => { this.waiting = resolve; });
    }
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
    if (this.failure) throw this.failure;
  }
}
