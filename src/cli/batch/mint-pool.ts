import type { Worker } from 'node:worker_threads';
import { mintChunk, type ChunkResult, type MintSetup, type RowMinter } from './mint-job.js';
import type { CsvCells, RawRow } from './row-parsing.js';
import { spawnMintWorker } from './mint-worker-spawn.js';

/**
 * Chunks in flight per worker: enough to keep it busy while the main thread signs a chunk of its own,
 * few enough that the workers' queues drain soon after the main thread runs out of input.
 */
const IN_FLIGHT_PER_WORKER = 2;

/** What the main thread sends a worker: the setup once, then chunks of rows. */
export type WorkerMessage =
  | { kind: 'setup'; setup: Omit<MintSetup, 'privateKey'> & { privateKeyDer: Uint8Array } }
  | { kind: 'chunk'; id: number; rows: RawRow[]; header: string[] | undefined };

interface WorkerSlot {
  worker: Worker;
  busy: number;
}

/**
 * Signs chunks of rows on worker threads and on the main thread, and hands results back in input
 * order. The main thread signs a chunk itself whenever every worker is full, so with one worker per
 * core but one, every core signs: a worker of its own for the main thread's core cost a second
 * isolate's start and its own JIT compilation (~0.2 s of CPU, measured) and competed with the main
 * thread's reading and writing. submit() never lets more than IN_FLIGHT_PER_WORKER chunks queue per
 * worker, so a huge input streams through with bounded memory.
 */
export class MintPool {
  private readonly workers: WorkerSlot[] = [];
  private readonly done = new Map<number, ChunkResult>();
  private nextId = 0;
  private nextToEmit = 0;
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;

  private minter: RowMinter | undefined;
  private cells: CsvCells | undefined;
  private emit: ((result: ChunkResult) => void) | undefined;

  /**
   * Starts `count` workers at once: their start-up (a thread, the minting modules) overlaps the main
   * thread reading the key and the first rows. configure() must follow before submit().
   */
  constructor(count: number) {
    for (let index = 0; index < count; index += 1) {
      // A small young generation: left to itself each worker's grows to ~24 MB over a long run, which
      // made a million-row batch use twice the memory of a small one; 2 MB costs <1% in scavenges.
      const worker = spawnMintWorker({ resourceLimits: { maxYoungGenerationSizeMb: 2 } });
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

  /**
   * Sends every worker the settings and the key (as DER: a KeyObject cannot cross threads cheaply);
   * `minter`, made from the same setup, signs on this thread.
   */
  configure(setup: MintSetup, minter: RowMinter, cells: CsvCells, emit: (result: ChunkResult) => void): void {
    this.minter = minter;
    this.cells = cells;
    this.emit = emit;
    const { privateKey, ...rest } = setup;
    const message: WorkerMessage = {
      kind: 'setup',
      setup: Object.assign(rest, { privateKeyDer: privateKey.export({ type: 'pkcs8', format: 'der' }) }),
    };
    for (const slot of this.workers) slot.worker.postMessage(message);
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
      this.emit?.(result);
    }
    this.wake();
  }

  private freeSlot(): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const slot of this.workers)
      if (slot.busy < IN_FLIGHT_PER_WORKER && (!best || slot.busy < best.busy)) best = slot;
    return best;
  }

  async submit(rows: RawRow[], header: string[] | undefined): Promise<void> {
    if (!this.minter || !this.cells) throw new Error('MintPool.submit() before configure()');
    if (this.failure) throw this.failure;
    let slot = this.freeSlot();
    // Chunks signed here wait in `done` until the workers' earlier ones arrive; if a worker falls far
    // behind, wait for it rather than pile up results, so memory stays bounded.
    while (!slot && this.workers.length > 0 && this.done.size >= IN_FLIGHT_PER_WORKER * (this.workers.length + 1)) {
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
      if (this.failure) throw this.failure;
      slot = this.freeSlot();
    }
    const id = this.nextId;
    this.nextId += 1;
    if (slot) {
      slot.busy += 1;
      const message: WorkerMessage = { kind: 'chunk', id, rows, header };
      slot.worker.postMessage(message);
      return;
    }
    this.done.set(id, mintChunk(this.minter, rows, header, this.cells));
    this.flush();
    // Signing a chunk here took a while: let the workers' finished chunks in (they arrive as events),
    // so their slots free up before the next chunk is placed and they never run dry.
    if (this.workers.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Waits for every submitted chunk, then stops the workers. */
  async close(): Promise<void> {
    while (this.nextToEmit < this.nextId) {
      if (this.failure) break;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
    if (this.failure) throw this.failure;
  }
}
