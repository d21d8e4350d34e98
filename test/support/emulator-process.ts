import { createPublicKey } from 'node:crypto';
import { parseEmulatorConfig } from '../../src/emulator/emulator-config.js';
import { startEmulator } from '../../src/emulator/server/emulator-server.js';

/**
 * The emulator alone in a child process, for load runs: the load generator must not share its event
 * loop or heap. Started with --expose-gc and an IPC channel by test/emulator-load.test.ts: it sends
 * `{ url }` once listening, answers `memory` with process.memoryUsage() after forced collections, and
 * exits on `close` or when the parent goes away. The virtual proxy's key comes in QSJWT_TEST_PUBLIC_KEY.
 */

const send = (message: unknown): void => {
  process.send?.(message);
};
const pem = process.env['QSJWT_TEST_PUBLIC_KEY'];
if (!pem || !process.send)
  throw new Error('run by emulator-load.test.ts with an IPC channel and QSJWT_TEST_PUBLIC_KEY');
const config = await parseEmulatorConfig(
  { host: '127.0.0.1', port: 0, virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'injected' }] },
  'load test',
);
// The auth log is discarded: thousands of lines would only measure the pipe.
const running = await startEmulator({ config, virtualProxyKeys: [createPublicKey(pem)], log: () => undefined });

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let round = 0; round < 3; round += 1) {
    gc?.();
    await new Promise((done) => setTimeout(done, 50));
  }
  return process.memoryUsage();
}

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
