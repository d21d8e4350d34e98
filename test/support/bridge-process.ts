import { createPrivateKey } from 'node:crypto';
import { startBridgeApp } from '../../src/bridge/server/bridge-app.js';
import { serveLoadRun } from './load-run-child.js';

/**
 * The bridge alone in a child process for test/bridge-load.test.ts and bench, speaking the protocol of
 * load-run-child.ts. Settings come in QSJWT_TEST_BRIDGE (JSON: upstream, jwks, issuer, audience,
 * privateKeyPem).
 */

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

serveLoadRun(running);
