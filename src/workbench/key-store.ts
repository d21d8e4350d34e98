import { createPublicKey, type KeyObject } from 'node:crypto';
import { jwkThumbprintSync } from '../core/keys/jwk.js';

/**
 * Signing keys the workbench knows, in this process's memory only: files given with --key (or the
 * profile's keyFile), keys pasted into the page and keys created there. The browser sees names,
 * sizes and thumbprints; a private key leaves only through the explicit download route.
 */
export interface StoredKey {
  id: string;
  name: string;
  origin: 'file' | 'pasted' | 'created';
  /** The path as the user gave it, for the equivalent command line (files only). */
  path?: string | undefined;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The certificate to paste into Qlik, when known (created here, or found beside the key file). */
  certificatePem?: string | undefined;
  /** The RFC 7638 thumbprint, computed on first read: qs-jwt ui prints its URL before anyone asks. */
  readonly kid: string;
}

/** What the browser may see about a key. */
export interface KeySummary {
  id: string;
  name: string;
  origin: StoredKey['origin'];
  bits: number;
  kid: string;
  hasCertificate: boolean;
}

/** Keys kept at most; each pasted or created key adds one, the oldest unused page key goes first. */
export const MAX_KEYS = 32;

export class KeyStore {
  readonly #keys = new Map<string, StoredKey>();
  #next = 1;

  /** `publicKey`, when the caller derived it already (ui compares it with a certificate first). */
  add(entry: Omit<StoredKey, 'id' | 'publicKey' | 'kid'> & { publicKey?: KeyObject }): StoredKey {
    const publicKey = entry.publicKey ?? createPublicKey(entry.privateKey);
    let kid: string | undefined;
    const stored: StoredKey = {
      ...entry,
      id: `k${this.#next++}`,
      publicKey,
      get kid() {
        return (kid ??= jwkThumbprintSync(publicKey));
      },
    };
    if (this.#keys.size >= MAX_KEYS) {
      const oldest = [...this.#keys.values()].find((key) => key.origin !== 'file');
      if (oldest) this.#keys.delete(oldest.id);
    }
    this.#keys.set(stored.id, stored);
    return stored;
  }

  get size(): number {
    return this.#keys.size;
  }

  get(id: unknown): StoredKey | undefined {
    return typeof id === 'string' ? this.#keys.get(id) : undefined;
  }

  list(): KeySummary[] {
    return [...this.#keys.values()].map(summarizeKey);
  }
}

export function summarizeKey(key: StoredKey): KeySummary {
  return {
    id: key.id,
    name: key.name,
    origin: key.origin,
    bits: key.publicKey.asymmetricKeyDetails?.modulusLength ?? 0,
    kid: key.kid,
    hasCertificate: key.certificatePem !== undefined,
  };
}
