import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { parseEmulatorConfig } from '../../src/emulator/emulator-config.js';
import { createCloudToken, type CloudTokenOptions } from '../../src/core/qlik/cloud-token.js';
import { createQseowToken, type QseowTokenOptions } from '../../src/core/qlik/qseow-token.js';
import {
  startEmulator,
  type EmulatorServerOptions,
  type RunningEmulator,
} from '../../src/emulator/server/emulator-server.js';

/** One RSA key pair per test process (2048 bits: fast), and a second one for "wrong key" cases. */
export const KEYS = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const OTHER_KEYS = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const PUBLIC_PEM = KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString();

export interface TestEmulator extends RunningEmulator {
  logs: Record<string, unknown>[];
  /** Moves the emulator's clock forward (milliseconds). */
  advance: (ms: number) => void;
}

/** Starts the emulator in-process on 127.0.0.1 and a free port; every virtual proxy and tenant uses KEYS. */
export async function startTestEmulator(
  json: Record<string, unknown>,
  options: {
    tls?: { cert: string; key: string };
    key?: KeyObject;
    extra?: Partial<EmulatorServerOptions>;
    observeRequest?: (request: IncomingMessage) => void;
  } = {},
): Promise<TestEmulator> {
  const config = await parseEmulatorConfig({ host: '127.0.0.1', port: 0, ...json }, 'test');
  const logs: Record<string, unknown>[] = [];
  let offset = 0;
  const key = options.key ?? KEYS.publicKey;
  const running = await startEmulator({
    config,
    virtualProxyKeys: config.virtualProxies.map(() => key),
    tenantKey: config.tenant?.issuer !== undefined ? key : undefined,
    ...options.extra,
    tls: options.tls,
    log: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
    clock: () => Date.now() + offset,
    observeRequest: options.observeRequest,
  });
  return Object.assign(running, {
    logs,
    advance: (ms: number) => {
      offset += ms;
    },
  });
}

export function qseowToken(overrides: Partial<QseowTokenOptions> = {}): string {
  return createQseowToken({ privateKey: KEYS.privateKey, userId: 'anna', userDirectory: 'ACME', ...overrides }).token;
}

export const ISSUER = 'https://idp.acme.test';
export const KID = 'key-1';

export function cloudToken(overrides: Partial<CloudTokenOptions> = {}): string {
  return createCloudToken({
    privateKey: KEYS.privateKey,
    subject: 'anna-sub',
    name: 'Anna A',
    email: 'anna@acme.test',
    issuer: ISSUER,
    keyId: KID,
    groups: ['Sales', 'EMEA'],
    ...overrides,
  }).token;
}

/** The name=value part of every Set-Cookie line, ready to send back as a Cookie header. */
export function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}

export interface RawAnswer {
  text: string;
  status: number | undefined;
  closed: boolean;
}

/**
 * Writes bytes on a fresh TCP connection (in pieces, with pauses, for slow clients) and collects what
 * comes back until the server closes the connection or `waitMs` passes.
 */
export function rawRequest(
  port: number,
  pieces: readonly (string | Buffer)[],
  options: { pauseMs?: number; waitMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = (): void => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      socket.destroy();
      resolve({ text, status: status === undefined ? undefined : Number(status), closed });
    };
    const timer = setTimeout(finish, options.waitMs ?? 3000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', async () => {
      for (const piece of pieces) {
        if (socket.destroyed) break;
        socket.write(piece);
        if (options.pauseMs) await new Promise((done) => setTimeout(done, options.pauseMs));
      }
    });
  });
}
