import { X509Certificate, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { KeyError } from '../errors.js';
import { findPemBlocks, type PemBlock } from './pem-blocks.js';
import { inspectPkcs12, pkcs12ExtractCommands } from './pkcs12.js';

/** Keys and certificates are a few KiB; anything far larger is not one and is refused before parsing. */
export const MAX_KEY_INPUT_BYTES = 1024 * 1024;
export const MIN_RSA_BITS = 2048;

export type KeySource = string | Uint8Array;

export interface LoadPrivateKeyOptions {
  /** For encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`) or legacy encrypted PKCS#1 PEM. */
  passphrase?: string | undefined;
  /** Return an RSA key under 2048 bits instead of refusing it, so that it can be described; never sign with it. */
  allowSmall?: boolean | undefined;
}

const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
const PUBLIC_HINT = 'pass the private key file instead (privatekey.pem from `qs-jwt keys create`)';

/** Decodes key input to text after refusing inputs too large to be a key. */
export function keySourceToText(source: KeySource): string {
  if (source.length > MAX_KEY_INPUT_BYTES) {
    throw new KeyError(
      'KEY_TOO_LARGE',
      `the key input is ${source.length} bytes, more than any key or certificate (limit ${MAX_KEY_INPUT_BYTES}): check that the right file was given`,
    );
  }
  return typeof source === 'string' ? source : Buffer.from(source).toString('utf8');
}

/**
 * Loads an RSA private key of at least 2048 bits from PKCS#8 or PKCS#1 PEM (plain or encrypted),
 * DER, or a private JWK, and says exactly what is wrong with anything else.
 */
export function loadPrivateKey(source: KeySource, options: LoadPrivateKeyOptions = {}): KeyObject {
  return requireUsableRsa(readPrivateKey(source, options), 'private', options.allowSmall);
}

/**
 * Reads a private key of any asymmetric type (EC and Ed25519 too), for describing it; signing code
 * goes through loadPrivateKey, which refuses all but RSA of 2048 bits or more.
 */
export function readPrivateKey(source: KeySource, options: LoadPrivateKeyOptions = {}, anyType = false): KeyObject {
  const text = keySourceToText(source).trim();
  if (text === '') throw new KeyError('KEY_EMPTY', 'the key is empty: give a PEM or JWK private key');
  if (isDer(source)) return privateKeyFromDer(Buffer.from(source));
  if (text.startsWith('{')) return jwkToKey(parseJwk(text), 'private', anyType);
  if (text.includes('-----BEGIN ')) return privateKeyFromPem(text, options.passphrase, anyType);
  throw new KeyError(
    'KEY_UNRECOGNISED',
    'the key is neither PEM (-----BEGIN PRIVATE KEY-----) nor a JSON Web Key: give the private key file',
  );
}

/**
 * Whether the input holds a private key (PEM, JWK with "d", or DER), so a caller that wanted a
 * certificate can warn that a secret is being passed around where a public file belongs.
 */
export function holdsPrivateKey(source: KeySource): boolean {
  if (isDer(source)) {
    try {
      privateKeyFromDer(Buffer.from(source));
      return true;
    } catch {
      return false;
    }
  }
  const text = keySourceToText(source).trim();
  if (text.startsWith('{')) return /"d"\s*:/.test(text);
  return findPemBlocks(text).some((block) => block.label.endsWith('PRIVATE KEY'));
}

/** Binary input that may be DER: it starts with a SEQUENCE tag (0x30), as no PEM or JSON key text does. */
export function isDer(source: KeySource): source is Uint8Array {
  return typeof source !== 'string' && source[0] === 0x30;
}

export interface LoadPublicKeyOptions extends LoadPrivateKeyOptions {
  /** Return EC, small or other keys as they are instead of refusing them, so a verifier can report them. */
  unchecked?: boolean | undefined;
}

/** Loads the public half from a certificate, public key, private key (PEM, DER or JWK). */
export function loadPublicKey(source: KeySource, options: LoadPublicKeyOptions = {}): KeyObject {
  const check = (key: KeyObject): KeyObject =>
    options.unchecked ? key : requireUsableRsa(key, 'public', options.allowSmall);
  const text = keySourceToText(source).trim();
  if (text === '') throw new KeyError('KEY_EMPTY', 'the key is empty: give a certificate, public key or private key');
  if (isDer(source)) return check(publicKeyFromDer(Buffer.from(source)));
  if (text.startsWith('{')) {
    const jwk = parseJwk(text);
    return check(jwkToKey(jwk, 'public', options.unchecked));
  }
  const blocks = findPemBlocks(text);
  const certificates = blocks.filter((block) => block.label === 'CERTIFICATE').length;
  if (certificates > 1) throw severalCertificates(certificates);
  const usable =
    blocks.find((block) => ['CERTIFICATE', 'PUBLIC KEY', 'RSA PUBLIC KEY'].includes(block.label)) ??
    blocks.find((block) => PRIVATE_LABELS.has(block.label));
  if (!usable) {
    if (blocks.length > 0) throw unsupportedBlock(blocks[0] as PemBlock);
    throw new KeyError(
      'KEY_UNRECOGNISED',
      'the input is neither PEM nor a JSON Web Key: give a certificate (publickey.cer) or public key (publickey.pem)',
    );
  }
  if (PRIVATE_LABELS.has(usable.label)) {
    return check(createPublicKey(privateKeyFromPem(usable.text, options.passphrase)));
  }
  try {
    return check(createPublicKey(usable.text));
  } catch (error) {
    if (error instanceof KeyError) throw error;
    throw new KeyError(
      'KEY_INVALID',
      `the ${usable.label.toLowerCase()} PEM block is damaged (${reason(error)}): copy the whole block again, BEGIN and END lines included`,
    );
  }
}

/** Refuses a file of several certificates: silently taking the first verified with the wrong key. */
export function severalCertificates(count: number): KeyError {
  return new KeyError(
    'CERT_MULTIPLE',
    `${severalCertificatesReason(count)}, e.g. \`openssl x509 -in FILE -out ` + 'publickey.cer` extracts the first',
  );
}

/** Why a file of several certificates cannot go to Qlik as it is, and what to do. */
export function severalCertificatesReason(count: number): string {
  return (
    `the file holds ${count} certificates, but Qlik takes exactly one, the certificate of the signing key ` +
    '(a chain file is not what it wants): keep only that certificate in the file'
  );
}

function privateKeyFromPem(text: string, passphrase: string | undefined, anyType = false): KeyObject {
  const blocks = findPemBlocks(text);
  const labels = anyType ? new Set([...PRIVATE_LABELS, 'EC PRIVATE KEY']) : PRIVATE_LABELS;
  const block = blocks.find((candidate) => labels.has(candidate.label));
  if (!block) {
    // Blame the block most likely meant as the key (an EC key file starts with EC PARAMETERS).
    const meant = blocks.find((candidate) => candidate.label.includes('PRIVATE KEY')) ?? blocks[0];
    if (!meant)
      throw new KeyError(
        'KEY_UNRECOGNISED',
        'the PEM text has no complete -----BEGIN/-----END block: copy the whole private key file',
      );
    throw unsupportedBlock(meant);
  }
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || block.legacyEncrypted;
  if (encrypted && !passphrase) {
    throw new KeyError('KEY_PASSPHRASE_MISSING', 'the private key is encrypted: give its passphrase');
  }
  try {
    return createPrivateKey(
      encrypted
        ? { key: block.text, format: 'pem', passphrase: passphrase as string }
        : { key: block.text, format: 'pem' },
    );
  } catch (error) {
    if (encrypted)
      throw new KeyError(
        'KEY_PASSPHRASE_WRONG',
        'the passphrase does not decrypt the private key: check the passphrase',
      );
    throw new KeyError(
      'KEY_INVALID',
      `the private key PEM block is damaged (${reason(error)}): copy the whole block again, BEGIN and END lines included`,
    );
  }
}

function unsupportedBlock(block: PemBlock): KeyError {
  switch (block.label) {
    case 'CERTIFICATE':
      return new KeyError('KEY_NOT_PRIVATE', `this is a certificate, which holds only the public key; ${PUBLIC_HINT}`);
    case 'PUBLIC KEY':
    case 'RSA PUBLIC KEY':
      return new KeyError('KEY_NOT_PRIVATE', `this is a public key, which can verify but not sign; ${PUBLIC_HINT}`);
    case 'EC PRIVATE KEY':
      return new KeyError(
        'KEY_NOT_RSA',
        'this is an EC key: Qlik Sense needs an RSA key for RS256/RS384/RS512; create one with `qs-jwt keys create`',
      );
    case 'OPENSSH PRIVATE KEY':
      return new KeyError(
        'KEY_UNRECOGNISED',
        'this is an OpenSSH key: convert it with `ssh-keygen -p -m PKCS8 -f FILE` or create a key with `qs-jwt keys create`',
      );
    case 'CERTIFICATE REQUEST':
    case 'NEW CERTIFICATE REQUEST':
      return new KeyError('KEY_NOT_PRIVATE', `this is a certificate signing request, not a key; ${PUBLIC_HINT}`);
    default:
      return new KeyError(
        'KEY_UNRECOGNISED',
        `a "${block.label}" PEM block is not an RSA key: give a PRIVATE KEY or RSA PRIVATE KEY`,
      );
  }
}

function parseJwk(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KeyError(
      'KEY_UNRECOGNISED',
      'the key starts with "{" but is not valid JSON: give a JSON Web Key or a PEM file',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeyError('KEY_UNRECOGNISED', 'the JSON is not a JSON Web Key object');
  }
  const record = value as Record<string, unknown>;
  if (Array.isArray(record['keys'])) {
    const keys = record['keys'] as unknown[];
    if (keys.length !== 1)
      throw new KeyError('KEY_UNRECOGNISED', `this is a JWK Set with ${keys.length} keys: give a single JWK`);
    return parseJwk(JSON.stringify(keys[0]));
  }
  return record;
}

function jwkToKey(jwk: Record<string, unknown>, want: 'private' | 'public', anyType = false): KeyObject {
  const kty = typeof jwk['kty'] === 'string' ? jwk['kty'] : 'unknown';
  if (kty === 'oct') {
    throw new KeyError('KEY_NOT_RSA', 'this JWK is a shared secret (kty "oct", for HMAC): Qlik Sense needs an RSA key');
  }
  if (kty !== 'RSA' && !(anyType && (kty === 'EC' || kty === 'OKP'))) {
    throw new KeyError('KEY_NOT_RSA', `this JWK has kty "${kty}": Qlik Sense needs an RSA key (kty "RSA")`);
  }
  if (want === 'private' && typeof jwk['d'] !== 'string') {
    throw new KeyError(
      'KEY_NOT_PRIVATE',
      `this JWK is a public key (no "d" member), which can verify but not sign; ${PUBLIC_HINT}`,
    );
  }
  try {
    // Node's JWK import checks the members itself; we pass the object through as it came.
    const input = { key: jwk as JsonWebKey, format: 'jwk' as const };
    return want === 'private' ? createPrivateKey(input) : createPublicKey(input);
  } catch (error) {
    throw new KeyError('KEY_INVALID', `the ${kty} JWK is incomplete or damaged (${reason(error)}): export it again`);
  }
}

/** Whether DER bytes are an X.509 certificate (the Windows `.cer` default). */
export function isDerCertificate(der: Uint8Array): boolean {
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

/** Says what a PKCS#12 archive is and the openssl commands that extract what qs-jwt reads. */
export function pkcs12Error(): KeyError {
  const commands = pkcs12ExtractCommands('FILE');
  return new KeyError(
    'KEY_PKCS12',
    'this is a PKCS#12 archive (.pfx/.p12), which qs-jwt does not read: extract the ' +
      `certificate with \`${commands.certificate}\` and the private key with \`${commands.privateKey}\` ` +
      `(${commands.legacyHint})`,
  );
}

function publicKeyFromDer(der: Buffer): KeyObject {
  if (isDerCertificate(der)) return new X509Certificate(der).publicKey;
  if (inspectPkcs12(der)) throw pkcs12Error();
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      return createPublicKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  try {
    return createPublicKey(privateKeyFromDer(der));
  } catch {
    throw new KeyError(
      'KEY_UNRECOGNISED',
      'the binary input is not a DER certificate, public key or private key: ' +
        'give a certificate (publickey.cer) or public key (publickey.pem)',
    );
  }
}

function privateKeyFromDer(der: Buffer): KeyObject {
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  if (isDerCertificate(der)) {
    throw new KeyError(
      'KEY_NOT_PRIVATE',
      `this is a certificate (DER), which holds only the public key; ${PUBLIC_HINT}`,
    );
  }
  if (inspectPkcs12(der)) throw pkcs12Error();
  if (isDerPublicKey(der)) {
    throw new KeyError('KEY_NOT_PRIVATE', `this is a DER public key, which can verify but not sign; ${PUBLIC_HINT}`);
  }
  throw new KeyError(
    'KEY_UNRECOGNISED',
    'the binary input is not a DER private key (PKCS#8 or PKCS#1): give a PEM private key',
  );
}

function isDerPublicKey(der: Buffer): boolean {
  try {
    createPublicKey({ key: der, format: 'der', type: 'spki' });
    return true;
  } catch {
    return false;
  }
}

/** Refuses keys that are not RSA or are under 2048 bits; returns the key otherwise. */
export function requireUsableRsa(key: KeyObject, role: 'private' | 'public', allowSmall = false): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    const type = key.asymmetricKeyType ?? 'unknown';
    const detail =
      type === 'rsa-pss' ? 'an RSA-PSS key, which cannot make RS256 signatures' : `a ${type.toUpperCase()} key`;
    throw new KeyError(
      'KEY_NOT_RSA',
      `this ${role} key is ${detail}: Qlik Sense needs an RSA key for RS256/RS384/RS512`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS && !allowSmall) {
    throw new KeyError(
      'KEY_TOO_SMALL',
      `this RSA key has ${bits} bits; keys under ${MIN_RSA_BITS} bits are refused as breakable: create a new one with \`qs-jwt keys create\``,
    );
  }
  return key;
}

function reason(error: unknown): string {
  return error instanceof Error
    ? (error.message.replace(/^error:[0-9A-F]+:/, '').split('\n')[0] ?? 'unknown')
    : String(error);
}
