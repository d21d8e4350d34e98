import type { KeyObject } from 'node:crypto';
import { encodePublicKeyPem } from '../core/keys/key-pair.js';
import { parseEmulatorConfig } from '../emulator/emulator-config.js';
import type { RunningEmulator } from '../emulator/server/emulator-server.js';

/**
 * `qs-jwt emulate`, started inside the workbench when the Test view asks for it: one emulator per
 * platform and verifier settings, on 127.0.0.1 with a free port, kept until the workbench stops.
 * Its decisions are the emulator's own (src/emulator), not a copy.
 */
export interface EmulatorTarget {
  platform: 'qseow' | 'cloud';
  publicKey: KeyObject;
  /** QSEoW: the virtual proxy's claim names; Qlik Cloud: the identity provider's issuer and key ID. */
  userIdAttribute?: string | undefined;
  userDirectoryAttribute?: string | undefined;
  issuer?: string | undefined;
  keyId?: string | undefined;
}

/** Emulators kept at once; each differs in key or settings, and a few cover a session's experiments. */
const MAX_EMULATORS = 8;

export class LocalEmulators {
  readonly #running = new Map<string, Promise<RunningEmulator>>();

  /** The emulator's base URL for these settings, started on first use. */
  async urlFor(target: EmulatorTarget): Promise<string> {
    const pem = encodePublicKeyPem(target.publicKey);
    const identity = JSON.stringify([
      target.platform,
      pem,
      target.userIdAttribute,
      target.userDirectoryAttribute,
      target.issuer,
      target.keyId,
    ]);
    let running = this.#running.get(identity);
    if (!running) {
      if (this.#running.size >= MAX_EMULATORS) await this.close();
      running = start(target, pem);
      this.#running.set(identity, running);
      running.catch(() => this.#running.delete(identity));
    }
    return (await running).url;
  }

  async close(): Promise<void> {
    const all = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(
      all.map((running) =>
        running.then(
          (emulator) => emulator.close(),
          () => undefined,
        ),
      ),
    );
  }
}

async function start(target: EmulatorTarget, pem: string): Promise<RunningEmulator> {
  const settings =
    target.platform === 'qseow'
      ? {
          virtualProxies: [
            {
              prefix: 'jwt',
              jwtPublicKeyCertificate: pem,
              ...(target.userIdAttribute ? { jwtAttributeUserId: target.userIdAttribute } : {}),
              ...(target.userDirectoryAttribute ? { jwtAttributeUserDirectory: target.userDirectoryAttribute } : {}),
            },
          ],
        }
      : {
          tenant: {
            publicKey: pem,
            issuer: target.issuer ?? 'https://qs-jwt.example.com',
            keyId: target.keyId ?? 'qs-jwt',
          },
        };
  const config = await parseEmulatorConfig({ host: '127.0.0.1', port: 0, ...settings }, 'workbench emulator');
  const { startEmulator } = await import('../emulator/server/emulator-server.js');
  return startEmulator({
    config,
    virtualProxyKeys: target.platform === 'qseow' ? [target.publicKey] : [],
    tenantKey: target.platform === 'cloud' ? target.publicKey : undefined,
    // The authentication log belongs to the emulate command; the Test view shows the probe's report.
    log: () => undefined,
  });
}
