import { createPrivateKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { mintChunk, type MintSetup } from './mint-job.js';
import { loadCsvCells, type RawRow } from './row-parsing.js';

/**
 * A worker thread: parses the key once from DER, then mints chunks of raw rows. Each worker owns its
 * key: threads sharing one native RSA key contend on OpenSSL's blinding lock.
 */
const { privateKeyDer, ...rest } = workerData as Omit<MintSetup, 'privateKey'> & { privateKeyDer: Uint8Array };
const setup: MintSetup = { ...rest, privateKey: createPrivateKey({ key: Buffer.from(privateKeyDer), format: 'der', type: 'pkcs8' }) };
const cells = await loadCsvCells();

parentPort?.on('message', (chunk: { id: number; rows: RawRow[]; header: string[] | undefined }) => {
  parentPort?.postMessage({ id: chunk.id, result: mintChunk(setup, chunk.rows, chunk.header, cells) });
});
