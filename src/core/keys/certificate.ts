import { randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { KeyError } from '../errors.js';

type GeneratorKeys = Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

export const DEFAULT_CERTIFICATE_DAYS = 1825;
export const DEFAULT_COMMON_NAME = 'qs-jwt';
const MAX_CERTIFICATE_DAYS = 36_500;

export interface SelfSignedCertificateOptions {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Subject and issuer common name; default `qs-jwt`. */
  commonName?: string;
  /** Validity in days from `notBefore`; default 1825 (five years). */
  days?: number;
  /** Start of validity; default now. */
  notBefore?: Date;
}

/** 128 random bits with the top bit clear: a positive DER INTEGER well above RFC 5280's 64-bit minimum. */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

let certificateLibrary: Promise<typeof X509> | undefined;

/**
 * Loads @peculiar/x509 once. It resolves its dependencies through tsyringe, which needs the Reflect
 * metadata API; both load only on first use, as they add ~0.2 s that token commands must not pay.
 * Callers about to generate a key may start this first: the load then overlaps the prime search,
 * which runs off the main thread.
 */
export function loadCertificateLibrary(): Promise<typeof X509> {
  certificateLibrary ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    // Node's webcrypto is the same OpenSSL-backed API the library's DOM typings describe.
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  })();
  return certificateLibrary;
}

/**
 * A self-signed X.509 v3 certificate in PEM, signed with SHA-256: what Qlik's virtual proxy and Qlik
 * Cloud's identity provider take to verify tokens. basicConstraints CA:false and keyUsage
 * digitalSignature limit it to signing tokens.
 */
export async function createSelfSignedCertificate(options: SelfSignedCertificateOptions): Promise<string> {
  const days = options.days ?? DEFAULT_CERTIFICATE_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_CERTIFICATE_DAYS) {
    throw new KeyError(
      'CERT_INVALID',
      `certificate validity ${days} days is not a whole number from 1 to ${MAX_CERTIFICATE_DAYS}`,
    );
  }
  const commonName = options.commonName ?? DEFAULT_COMMON_NAME;
  if (commonName.trim() === '' || commonName.length > 64) {
    throw new KeyError('CERT_INVALID', 'the certificate common name must be 1 to 64 characters (RFC 5280 upper bound)');
  }
  const x509 = await loadCertificateLibrary();
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const subtle = webcrypto.subtle;
  const keys = {
    privateKey: await subtle.importKey(
      'pkcs8',
      options.privateKey.export({ type: 'pkcs8', format: 'der' }),
      algorithm,
      false,
      ['sign'],
    ),
    publicKey: await subtle.importKey(
      'spki',
      options.publicKey.export({ type: 'spki', format: 'der' }),
      algorithm,
      true,
      ['verify'],
    ),
  };
  const notBefore = new Date(Math.floor((options.notBefore ?? new Date()).getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: [{ CN: [commonName] }],
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys: keys as unknown as GeneratorKeys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as GeneratorKeys['publicKey']),
    ],
  });
  return `${certificate.toString('pem')}\n`;
}
