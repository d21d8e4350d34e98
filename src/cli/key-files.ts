import { resolve, join } from 'node:path';
import { createSelfSignedCertificate, loadCertificateLibrary } from '../core/keys/certificate.js';
import { encodePrivateKeyPem, encodePublicKeyPem, generateKeyPair, type RsaKeyPair } from '../core/keys/key-pair.js';
import { describeKeyMaterial, readKeyMaterial, type KeyMaterialDescription } from '../core/keys/key-material.js';
import { toSingleLinePem } from '../core/keys/pem-blocks.js';
import { refuseExisting, refuseFolders, writeFilesAtomically, type FileToWrite } from './io/atomic-write.js';
import { prepareOutputFolder } from './io/output-location.js';

export interface KeyFileRequest {
  outDir: string;
  prefix: string;
  bits: number;
  days: number;
  commonName: string;
  passphrase?: string | undefined;
  force: boolean;
  singleLine: boolean;
  /** The flag that named outDir, for messages (default --out). */
  outFlag?: string;
}

export interface KeyFileResult {
  privateKeyPath: string;
  publicKeyPath: string;
  certificatePath: string;
  singleLinePath?: string;
  certificatePem: string;
  singleLineCertificate: string;
  keyPair: RsaKeyPair;
  certificate: KeyMaterialDescription;
}

export function keyFilePaths(
  outDir: string,
  prefix: string,
): { privateKeyPath: string; publicKeyPath: string; certificatePath: string; singleLinePath: string } {
  const dir = resolve(outDir);
  return {
    privateKeyPath: join(dir, `${prefix}privatekey.pem`),
    publicKeyPath: join(dir, `${prefix}publickey.pem`),
    certificatePath: join(dir, `${prefix}publickey.cer`),
    singleLinePath: join(dir, `${prefix}publickey-single-line.txt`),
  };
}

/** Generates a key pair and certificate and writes them all or nothing, the private key as 0600. */
export async function createKeyFiles(request: KeyFileRequest): Promise<KeyFileResult> {
  const paths = keyFilePaths(request.outDir, request.prefix);
  const targets = [paths.privateKeyPath, paths.publicKeyPath, paths.certificatePath];
  if (request.singleLine) targets.push(paths.singleLinePath);
  await refuseFolders(targets);
  if (!request.force) await refuseExisting(targets);
  // Before the prime search, which takes seconds: a folder that cannot be written fails at once.
  const prepared = await prepareOutputFolder(request.outFlag ?? '--out', request.outDir);
  try {
    return await generateAndWrite(request, paths);
  } catch (error) {
    await prepared.undo();
    throw error;
  }
}

type KeyFilePaths = ReturnType<typeof keyFilePaths>;

async function generateAndWrite(request: KeyFileRequest, paths: KeyFilePaths): Promise<KeyFileResult> {
  // The certificate library loads on this thread while the prime search runs on libuv's pool; a
  // failure to load surfaces where the certificate is made.
  loadCertificateLibrary().catch(() => undefined);
  const keyPair = await generateKeyPair({ bits: request.bits });
  const certificatePem = await createSelfSignedCertificate({
    ...keyPair,
    commonName: request.commonName,
    days: request.days,
  });
  const singleLineCertificate = toSingleLinePem(certificatePem);
  const files: FileToWrite[] = [
    { path: paths.privateKeyPath, content: encodePrivateKeyPem(keyPair.privateKey, request.passphrase), mode: 0o600 },
    { path: paths.publicKeyPath, content: encodePublicKeyPem(keyPair.publicKey), mode: 0o644 },
    { path: paths.certificatePath, content: certificatePem, mode: 0o644 },
  ];
  if (request.singleLine)
    files.push({ path: paths.singleLinePath, content: `${singleLineCertificate}\n`, mode: 0o644 });
  await writeFilesAtomically(files, { force: request.force });
  return {
    privateKeyPath: paths.privateKeyPath,
    publicKeyPath: paths.publicKeyPath,
    certificatePath: paths.certificatePath,
    ...(request.singleLine ? { singleLinePath: paths.singleLinePath } : {}),
    certificatePem,
    singleLineCertificate,
    keyPair,
    certificate: await describeKeyMaterial(readKeyMaterial(certificatePem)),
  };
}

/** What was written and the certificate facts an admin checks in the QMC or Qlik Cloud console. */
export function describeKeyFiles(result: KeyFileResult, request: KeyFileRequest): string {
  const facts = result.certificate.certificate;
  return [
    `Created a ${request.bits}-bit RSA key pair and a self-signed certificate:`,
    `  private key   ${result.privateKeyPath}  (PKCS#8${request.passphrase ? ', encrypted' : ''}, mode 0600: keep it secret)`,
    `  public key    ${result.publicKeyPath}`,
    `  certificate   ${result.certificatePath}`,
    ...(result.singleLinePath ? [`  single line   ${result.singleLinePath}`] : []),
    'Certificate:',
    `  subject       ${facts?.subject ?? ''}`,
    `  valid         ${facts?.validFrom ?? ''} to ${facts?.validTo ?? ''}`,
    `  SHA-256       ${facts?.sha256Thumbprint ?? ''}`,
    `  SHA-1         ${facts?.sha1Thumbprint ?? ''}`,
    `  JWK thumbprint ${result.certificate.jwkThumbprint ?? ''}  (a good key ID for Qlik Cloud)`,
    '',
  ].join('\n');
}
