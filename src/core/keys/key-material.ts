import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { KeyError } from '../errors.js';
import { findPemBlocks, toSingleLinePem } from './pem-blocks.js';
import { keySourceToText, loadPrivateKey, loadPublicKey, MIN_RSA_BITS, type KeySource, type LoadPrivateKeyOptions } from './key-input.js';
import { encodePrivateKeyPem, encodePublicKeyPem } from './key-pair.js';
import { jwkThumbprint, toJwk, type RsaJwk } from './jwk.js';

/** Whatever a key file turned out to hold. */
export type KeyMaterial =
  | { kind: 'certificate'; certificate: X509Certificate; publicKey: KeyObject; encoding: string }
  | { kind: 'public-key'; publicKey: KeyObject; encoding: string }
  | { kind: 'private-key'; privateKey: KeyObject; publicKey: KeyObject; encoding: string }
  | { kind: 'encrypted-private-key'; encoding: string };

export interface CertificateFacts {
  subject: string;
  issuer: string;
  selfSigned: boolean;
  serialNumber: string;
  validFrom: string;
  validTo: string;
  sha256Thumbprint: string;
  sha1Thumbprint: string;
}

/** Plain data about key material, for `keys show` and summaries. */
export interface KeyMaterialDescription {
  kind: KeyMaterial['kind'];
  encoding: string;
  keyType?: 'RSA';
  bits?: number;
  /** RFC 7638 SHA-256 thumbprint of the public key; a natural Qlik Cloud key ID. */
  jwkThumbprint?: string;
  certificate?: CertificateFacts;
  /** Why the key cannot be used for Qlik tokens (only with `allowSmall`: a key under 2048 bits). */
  unusable?: string;
}

/**
 * Reads a certificate, public key or private key, sniffing which it is. With `allowSmall`, an RSA key
 * under 2048 bits is read too (to describe it and say why it is unusable) instead of refused.
 */
export function readKeyMaterial(source: KeySource, options: LoadPrivateKeyOptions = {}): KeyMaterial {
  const text = keySourceToText(source).trim();
  const blocks = findPemBlocks(text);
  const privateBlock = blocks.find((block) => ['PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'].includes(block.label));
  const certificateBlock = blocks.find((block) => block.label === 'CERTIFICATE');
  if (privateBlock) {
    const encrypted = privateBlock.label === 'ENCRYPTED PRIVATE KEY' || privateBlock.legacyEncrypted;
    const encoding = `PEM ${privateBlock.label === 'RSA PRIVATE KEY' ? 'PKCS#1' : 'PKCS#8'}${encrypted ? ', encrypted' : ''}`;
    if (encrypted && !options.passphrase) return { kind: 'encrypted-private-key', encoding };
    const privateKey = loadPrivateKey(privateBlock.text, options);
    return { kind: 'private-key', privateKey, publicKey: createPublicKey(privateKey), encoding };
  }
  if (certificateBlock) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(certificateBlock.text);
    } catch {
      throw new KeyError('CERT_INVALID', 'the certificate PEM block is damaged: copy the whole block again, BEGIN and END lines included');
    }
    return { kind: 'certificate', certificate, publicKey: loadPublicKey(certificateBlock.text, options), encoding: 'PEM X.509' };
  }
  if (text.startsWith('{')) {
    const isPrivate = /"d"\s*:/.test(text);
    if (isPrivate) {
      const privateKey = loadPrivateKey(text, options);
      return { kind: 'private-key', privateKey, publicKey: createPublicKey(privateKey), encoding: 'JWK' };
    }
    return { kind: 'public-key', publicKey: loadPublicKey(text, options), encoding: 'JWK' };
  }
  if (blocks.some((block) => block.label === 'PUBLIC KEY' || block.label === 'RSA PUBLIC KEY')) {
    const label = blocks.find((block) => block.label.endsWith('PUBLIC KEY'))?.label;
    return { kind: 'public-key', publicKey: loadPublicKey(text, options), encoding: label === 'RSA PUBLIC KEY' ? 'PEM PKCS#1' : 'PEM SPKI' };
  }
  // DER and anything else: the private-key loader knows every remaining case and its error message.
  const privateKey = loadPrivateKey(source, options);
  return { kind: 'private-key', privateKey, publicKey: createPublicKey(privateKey), encoding: 'DER' };
}

function certificateFacts(certificate: X509Certificate): CertificateFacts {
  return {
    subject: certificate.subject.replace(/\n/g, ', '),
    issuer: certificate.issuer.replace(/\n/g, ', '),
    selfSigned: certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey),
    serialNumber: certificate.serialNumber,
    validFrom: new Date(certificate.validFrom).toISOString(),
    validTo: new Date(certificate.validTo).toISOString(),
    sha256Thumbprint: certificate.fingerprint256,
    sha1Thumbprint: certificate.fingerprint,
  };
}

export async function describeKeyMaterial(material: KeyMaterial): Promise<KeyMaterialDescription> {
  if (material.kind === 'encrypted-private-key') return { kind: material.kind, encoding: material.encoding };
  const { publicKey } = material;
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  return {
    kind: material.kind,
    encoding: material.encoding,
    keyType: 'RSA',
    bits,
    jwkThumbprint: await jwkThumbprint(publicKey),
    ...(material.kind === 'certificate' ? { certificate: certificateFacts(material.certificate) } : {}),
    ...(bits < MIN_RSA_BITS ? { unusable: `RSA keys under ${MIN_RSA_BITS} bits are breakable: verify rejects tokens checked against such a key (QJ013), and qs-jwt will not sign with this ${bits}-bit key; create a new one with qs-jwt keys create and configure its certificate in Qlik` } : {}),
  };
}

function requireReadable(material: KeyMaterial): Exclude<KeyMaterial, { kind: 'encrypted-private-key' }> {
  if (material.kind === 'encrypted-private-key') {
    throw new KeyError('KEY_PASSPHRASE_MISSING', 'the private key is encrypted: give its passphrase');
  }
  return material;
}

/** PEM of the material itself (certificate, SPKI public key, or unencrypted PKCS#8), or of its public key. */
export function materialToPem(material: KeyMaterial, { publicOnly = false } = {}): string {
  const readable = requireReadable(material);
  if (readable.kind === 'certificate' && !publicOnly) return `${readable.certificate.toString().trim()}\n`;
  if (readable.kind === 'private-key' && !publicOnly) return encodePrivateKeyPem(readable.privateKey);
  return encodePublicKeyPem(readable.publicKey);
}

export function materialToSingleLine(material: KeyMaterial, { publicOnly = false } = {}): string {
  const readable = requireReadable(material);
  if (readable.kind === 'private-key' && !publicOnly) {
    throw new KeyError('KEY_NOT_PRIVATE', 'the single-line form is for certificates and public keys: ask for the public key only, or show the certificate (publickey.cer)');
  }
  return toSingleLinePem(materialToPem(readable, { publicOnly }));
}

/** A JWK with `kid` set to the RFC 7638 thumbprint; private members only for a private key without publicOnly. */
export async function materialToJwk(material: KeyMaterial, { publicOnly = false } = {}): Promise<RsaJwk> {
  const readable = requireReadable(material);
  const key = readable.kind === 'private-key' && !publicOnly ? readable.privateKey : readable.publicKey;
  return { ...toJwk(key), kid: await jwkThumbprint(readable.publicKey) };
}
