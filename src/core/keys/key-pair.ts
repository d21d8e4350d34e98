import { generateKeyPair as generateNativeKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { KeyError } from '../errors.js';
import { encryptPrivateKeyPem } from './pkcs8-encryption.js';

export const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
export type RsaKeySize = (typeof RSA_KEY_SIZES)[number];
export const DEFAULT_RSA_KEY_SIZE: RsaKeySize = 4096;

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const generateAsync = promisify(generateNativeKeyPair);

export function requireKeySize(bits: number): RsaKeySize {
  if ((RSA_KEY_SIZES as readonly number[]).includes(bits)) return bits as RsaKeySize;
  const why =
    bits < 2048
      ? 'keys under 2048 bits are breakable and refused'
      : 'choose one of the sizes Qlik and OpenSSL tools commonly use';
  throw new KeyError('KEY_SIZE_UNSUPPORTED', `key size ${bits} is not supported (${why}): use 2048, 3072 or 4096`);
}

/** Generates an RSA key pair (public exponent 65537) on OpenSSL, off the main thread. */
export async function generateKeyPair(options: { bits?: number } = {}): Promise<RsaKeyPair> {
  const bits = requireKeySize(options.bits ?? DEFAULT_RSA_KEY_SIZE);
  const { privateKey, publicKey } = await generateAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return { privateKey, publicKey };
}

/**
 * PKCS#8 PEM; with a passphrase, encrypted as PBES2 (PBKDF2-HMAC-SHA256, 600,000 iterations, then
 * AES-256-CBC), which OpenSSL, Node and Qlik's tooling all read. Encrypting takes a few tenths of a
 * second, and so does every later opening of the key: the price of slowing down passphrase guessing.
 */
export function encodePrivateKeyPem(privateKey: KeyObject, passphrase?: string): string {
  if (passphrase !== undefined && passphrase.length > 0) return encryptPrivateKeyPem(privateKey, passphrase);
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`). */
export function encodePublicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }) as string;
}
