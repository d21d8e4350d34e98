import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RunningBridge } from '../../src/bridge/server/bridge-server.js';
import { startBridgeApp, type BridgeSettings } from '../../src/bridge/server/bridge-app.js';
import { KEYS, startTestEmulator, type TestEmulator } from './emulator-harness.js';
import { IDP_AUDIENCE, startTestIdp, type TestIdp } from './test-idp.js';

/**
 * The bridge in-process between the test IdP and the emulator (`qs-jwt emulate qseow`'s server, keyed
 * with the certificate of the bridge's key), on 127.0.0.1. The emulator records the headers of every
 * request it gets, so tests can prove what the bridge forwarded (and that it forwarded nothing).
 */

export interface SeenUpstream {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface BridgeRig {
  idp: TestIdp;
  emulator: TestEmulator;
  bridge: RunningBridge;
  /** Every request and upgrade the emulator received. */
  upstream: SeenUpstream[];
  /** The bridge's access log, parsed. */
  accessLog: Record<string, unknown>[];
  /** Stops the emulator (upstream down) and starts it again on the same port. */
  stopUpstream: () => Promise<void>;
  startUpstream: () => Promise<void>;
  close: () => Promise<void>;
}

const EMULATOR_PROXIES = [
  {
    prefix: 'jwt',
    jwtPublicKeyCertificate: 'injected',
    apps: [{ id: 'app-1', name: 'Sales' }],
    jwtAttributeMap: [{ senseAttribute: 'group', jwtAttribute: 'groups', isMandatory: false }],
  },
];

export async function startBridgeRig(
  overrides: Partial<BridgeSettings> = {},
  emulatorProxies: readonly Record<string, unknown>[] = EMULATOR_PROXIES,
): Promise<BridgeRig> {
  const idp = await startTestIdp();
  const upstream: SeenUpstream[] = [];
  const observeRequest = (request: IncomingMessage): void => {
    upstream.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
  };
  let emulator = await startTestEmulator({ virtualProxies: emulatorProxies }, { observeRequest });
  const port = emulator.port;
  const accessLog: Record<string, unknown>[] = [];
  const bridge = await startBridgeApp({
    prefix: 'jwt',
    upstream: new URL(emulator.url),
    host: '127.0.0.1',
    port: 0,
    allowOrigins: ['https://portal.example.com'],
    jwksUrl: new URL(idp.jwksUrl),
    issuers: [idp.issuer],
    audiences: [IDP_AUDIENCE],
    clockToleranceSeconds: 0,
    jwksCooldownMs: 200,
    jwksRefreshMs: 600_000,
    jwksMaxStaleMs: 3_600_000,
    mapping: { userIdClaim: 'sub', userDirectory: { value: 'IDP' }, groupsClaim: 'groups', attributes: [] },
    privateKey: KEYS.privateKey,
    algorithm: 'RS256',
    lifetimeSeconds: 300,
    log: (line) => accessLog.push(JSON.parse(line) as Record<string, unknown>),
    ...overrides,
  });
  const rig: BridgeRig = {
    idp,
    get emulator() {
      return emulator;
    },
    bridge,
    upstream,
    accessLog,
    stopUpstream: () => emulator.close(),
    startUpstream: async () => {
      emulator = await startTestEmulator({ port, virtualProxies: emulatorProxies }, { observeRequest });
    },
    close: async () => {
      await bridge.close();
      await emulator.close();
      await idp.close();
    },
  };
  return rig;
}
