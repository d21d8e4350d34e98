import { randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { loadCertificateLibrary } from './certificate.js';

/**
 * Certificates issued by a private certificate authority, for mutual TLS the way Qlik Sense sets it
 * up: a root CA (root.pem), a server certificate for the repository service and a client
 * certificate (client.pem) that callers present. Only the emulator and tests need these; tokens are
 * still verified with the self-signed certificates of certificate.ts.
 */

type GeneratorKeys = Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

export interface IssuedCertificateOptions {
  /** The key the certificate certifies. */
  publicKey: KeyObject;
  commonName: string;
  /** The issuer's key and certificate (PEM); leave out for a self-signed root CA. */
  issuer?: { privateKey: KeyObject; certificatePem: string } | undefined;
  /** Root CA, TLS server (with DNS names and IP addresses) or TLS client. */
  role: 'ca' | 'server' | 'client';
  dnsNames?: readonly string[] | undefined;
  ipAddresses?: readonly string[] | undefined;
  /** The key that signs: the issuer's, or for a root its own. */
  signingKey: KeyObject;
  days: number;
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function importKeys(publicKey: KeyObject, signingKey: KeyObject): Promise<GeneratorKeys> {
  const subtle = webcrypto.subtle;
  return {
    publicKey: await subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), ALGORITHM, true, [
      'verify',
    ]),
    privateKey: await subtle.importKey('pkcs8', signingKey.export({ type: 'pkcs8', format: 'der' }), ALGORITHM, false, [
      'sign',
    ]),
  } as unknown as GeneratorKeys;
}

/** An X.509 v3 certificate in PEM, SHA-256 signed, with the extensions its role needs. */
export async function createIssuedCertificate(options: IssuedCertificateOptions): Promise<string> {
  const x509 = await loadCertificateLibrary();
  const keys = await importKeys(options.publicKey, options.signingKey);
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const notAfter = new Date(notBefore.getTime() + options.days * 86_400_000);
  const subject = `CN=${options.commonName.replace(/[,+="\\<>;]/g, '')}`;
  const issuerName = options.issuer ? new x509.X509Certificate(options.issuer.certificatePem).subject : subject;
  const extensions: X509.Extension[] = [await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)];
  if (options.role === 'ca') {
    extensions.push(new x509.BasicConstraintsExtension(true, 0, true));
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
  } else {
    extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
    extensions.push(
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    );
    const usage = options.role === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
    extensions.push(new x509.ExtendedKeyUsageExtension([usage]));
    const names = [
      ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: issuerName,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions,
  });
  return `${certificate.toString('pem')}\n`;
}
