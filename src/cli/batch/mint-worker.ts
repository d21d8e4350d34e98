import { createPrivateKey } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { mintChunk, rowMinter, type RowMinter } from './mint-job.js';
import type { WorkerMessage } from './mint-pool.js';
import { loadCsvCells } from './row-parsing.js';

/**
 * A worker thread: receives the setup once and parses the key from DER, then mints chunks of raw rows.
 * Each worker owns its key: threads sharing one native RSA key contend on OpenSSL's blinding lock.
 * Workers start before the main thread has read the key, so the setup arrives as the first message.
 */
// The port queues messages until a listener is attached, so nothing is lost while csv-parse loads.
void loadCsvCells().then((cells) => {
  let minter: RowMinter | undefined;
  parentPort?.on('message', (message: WorkerMessage) => {
    if (message.kind === 'setup') {
      const { privateKeyDer, ...rest } = message.setup;
      // The main thread made a minter from the same setup before sending it, so this cannot throw.
      minter = rowMinter(
        Object.assign(rest, {
          privateKey: createPrivateKey({ key: Buffer.from(privateKeyDer), format: 'der', type: 'pkcs8' }),
        }),
      );
      return;
    }
    if (!minter) throw new Error('a chunk of rows arrived before the setup');
    parentPort?.postMessage({ id: message.id, result: mintChunk(minter, message.rows, message.header, cells) });
  });
});
