import { createPrivateKey } from 'node:crypto';
import { startBridgeApp } from '../../src/bridge/server/bridge-app.js';

/**
 * The bridge alone in a child process, for load runs (the load generator must not share its event loop
 * or heap). Started with --expose-gc and an IPC channel by test/bridge-load.test.ts and bench: it sends
 * `{ url }` once listening, answers `memory` with process.memoryUsage() after forced collections, and
 * exits on `close` or when the parent goes away. Settings come in QSJWT_TEST_BRIDGE (JSON: upstream,
 * jwks, issuer, audience, privateKeyPem).
 */

const send = (message: unknown): void => {
  process.send?.(message);
};
const raw = process.env['QSJWT_TEST_BRIDGE'];
if (!raw || !process.send) throw new Error('run by bridge-load.test.ts with an IPC channel and QSJWT_TEST_BRIDGE');
interface ProcessSettings {
  upstream: string;
  jwks: string;
  issuer: string;
  audience: string;
  privateKeyPem: string;
}
const settings = JSON.parse(raw) as ProcessSettings;
const running = await startBridgeApp({
  prefix: 'jwt',
  upstream: new URL(settings.upstream),
  host: '127.0.0.1',
  port: 0,
  allowOrigins: [],
  jwksUrl: new URL(settings.jwks),
  issuers: [settings.issuer],
  audiences: [settings.audience],
  clockToleranceSeconds: 30,
  jwksCooldownMs: 30_000,
  jwksRefreshMs: 600_000,
  jwksMaxStaleMs: 3_600_000,
  mapping: { userIdClaim: 'sub', userDirectory: { value: 'IDP' }, attributes: [] },
  privateKey: createPrivateKey(settings.privateKeyPem),
  algorithm: 'RS256',
  lifetimeSeconds: 300,
  // The access log is discarded: thousands of lines would only measure the pipe.
  log: () => undefined,
});

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
