import { createPublicKey } from 'node:crypto';
import { parseEmulatorConfig } from '../../src/emulator/emulator-config.js';
import { startEmulator } from '../../src/emulator/server/emulator-server.js';
import { serveLoadRun } from './load-run-child.js';

/**
 * The emulator alone in a child process for test/emulator-load.test.ts, speaking the protocol of
 * load-run-child.ts. The virtual proxy's key comes in QSJWT_TEST_PUBLIC_KEY.
 */

const pem = process.env['QSJWT_TEST_PUBLIC_KEY'];
if (!pem || !process.send)
  throw new Error('run by emulator-load.test.ts with an IPC channel and QSJWT_TEST_PUBLIC_KEY');
const config = await parseEmulatorConfig(
  { host: '127.0.0.1', port: 0, virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'injected' }] },
  'load test',
);
// The auth log is discarded: thousands of lines would only measure the pipe.
const running = await startEmulator({ config, virtualProxyKeys: [createPublicKey(pem)], log: () => undefined });

serveLoadRun(running);
