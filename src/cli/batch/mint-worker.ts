import { parentPort, workerData } from 'node:worker_threads';
import { mintRow, type InputRow, type MintSetup } from './mint-job.js';

/** A worker thread: receives the key once (a cloned KeyObject), then chunks of rows to sign. */
const setup = workerData as MintSetup;

parentPort?.on('message', (chunk: { id: number; rows: InputRow[] }) => {
  parentPort?.postMessage({ id: chunk.id, results: chunk.rows.map((row) => mintRow(setup, row)) });
});
