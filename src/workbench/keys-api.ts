import { createSelfSignedCertificate } from '../core/keys/certificate.js';
import { loadPrivateKey } from '../core/keys/key-input.js';
import {
  describeKeyMaterial,
  materialToJwk,
  materialToPem,
  materialToSingleLine,
  readKeyMaterial,
  type KeyMaterialDescription,
} from '../core/keys/key-material.js';
import { encodePublicKeyPem, generateKeyPair, requireKeySize } from '../core/keys/key-pair.js';
import type { RsaJwk } from '../core/keys/jwk.js';
import { ApiError, optionalText, requiredText, type RequestBody } from './api-error.js';
import { summarizeKey, type KeyStore, type KeySummary, type StoredKey } from './key-store.js';

/** What the Keys view shows about a key: as `keys show`, plus the public forms to paste or download. */
export interface KeyAnswer {
  key?: KeySummary;
  description: KeyMaterialDescription;
  /** Public material only: the certificate (or public key) PEM, its single-line form, the public JWK. */
  publicPem: string;
  singleLine: string;
  publicJwk: RsaJwk;
}

function wholeNumber(
  body: RequestBody,
  field: string,
  label: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = body[field] ?? fallback;
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new ApiError(400, 'WORKBENCH_FIELD_INVALID', `${label} must be a whole number from ${min} to ${max}`);
  }
  return number;
}

async function answerFor(text: string, key?: StoredKey): Promise<KeyAnswer> {
  const material = readKeyMaterial(text, { allowSmall: true });
  const description = await describeKeyMaterial(material);
  if (description.unusable !== undefined)
    return { description, publicPem: '', singleLine: '', publicJwk: { kty: 'RSA', n: '', e: '' } };
  return {
    ...(key ? { key: summarizeKey(key) } : {}),
    description,
    publicPem: materialToPem(material, { publicOnly: material.kind !== 'certificate' }),
    singleLine: materialToSingleLine(material, { publicOnly: material.kind === 'private-key' }),
    publicJwk: await materialToJwk(material, { publicOnly: true }),
  };
}

/** POST /api/keys/create: a key pair and self-signed certificate, kept in memory; only public parts answer. */
export async function createKeys(body: RequestBody, keys: KeyStore): Promise<KeyAnswer> {
  const bits = requireKeySize(wholeNumber(body, 'bits', 'Bits', 2048, 0, 65_536));
  const days = wholeNumber(body, 'days', 'Days', 1825, 1, 36_500);
  const commonName = optionalText(body, 'commonName', 64) ?? 'qs-jwt';
  const pair = await generateKeyPair({ bits });
  const certificatePem = await createSelfSignedCertificate({ ...pair, commonName, days });
  const stored = keys.add({
    name: `${commonName} (${bits} bits, created here)`,
    origin: 'created',
    privateKey: pair.privateKey,
    certificatePem,
  });
  return answerFor(certificatePem, stored);
}

/**
 * POST /api/keys/describe: what pasted text is (as `keys show`). A pasted private key is also kept for
 * signing when `use` is true; its private half is never echoed back.
 */
export async function describeKeys(body: RequestBody, keys: KeyStore): Promise<KeyAnswer> {
  const text = requiredText(body, 'text', 'The key or certificate', 256 * 1024);
  const answer = await answerFor(text);
  if (body['use'] === true && answer.description.kind === 'private-key' && answer.description.unusable === undefined) {
    const stored = keys.add({
      name: `pasted key ${answer.description.jwkThumbprint?.slice(0, 8) ?? ''}`,
      origin: 'pasted',
      privateKey: loadPrivateKey(text),
    });
    return { ...answer, key: summarizeKey(stored) };
  }
  return answer;
}

/** Files a stored key can be downloaded as; the private key only through its own POST route. */
export function publicFile(key: StoredKey, file: string): { name: string; body: string } | undefined {
  if (file === 'publickey.cer' && key.certificatePem !== undefined) return { name: file, body: key.certificatePem };
  if (file === 'publickey.pem') return { name: file, body: encodePublicKeyPem(key.publicKey) };
  return undefined;
}
