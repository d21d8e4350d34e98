import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { KeyError } from '../errors.js';
import { findPemBlocks, toSingleLinePem } from './pem-blocks.js';
import {
  isDer,
  isDerCertificate,
  keySourceToText,
  loadPublicKey,
  MIN_RSA_BITS,
  pkcs12Error,
  readPrivateKey,
  requireUsableRsa,
  severalCertificates,
  severalCertificatesReason,
  type KeySource,
  type LoadPrivateKeyOptions,
} from './key-input.js';
import { looksLikeOpenSshPublicKey, parseOpenSshPublicKey } from './openssh-public-key.js';
import { inspectPkcs12, pkcs12ExtractCommands, type Pkcs12Password } from './pkcs12.js';
import { encodePrivateKeyPem, encodePublicKeyPem } from './key-pair.js';
import { jwkThumbprint, toJwk, type RsaJwk } from './jwk.js';

/** Whatever a key file turned out to hold. */
export type KeyMaterial =
  | {
      kind: 'certificate';
      /** The first certificate; `certificates` holds every one the file has, in file order. */
      certificate: X509Certificate;
      certificates: X509Certificate[];
      publicKey: KeyObject;
      encoding: string;
    }
  | { kind: 'public-key'; publicKey: KeyObject; encoding: string; openSsh?: { fingerprint: string; comment: string } }
  | { kind: 'private-key'; privateKey: KeyObject; publicKey: KeyObject; encoding: string }
  | { kind: 'encrypted-private-key'; encoding: string }
  | { kind: 'pkcs12'; encoding: string; password: Pkcs12Password };

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
  /** RSA, RSA-PSS, EC, Ed25519...: Qlik takes only RSA. */
  keyType?: string;
  /** Modulus size of an RSA (or DSA) key. */
  bits?: number;
  /** Named curve of an EC key (P-256...). */
  curve?: string;
  /** RFC 7638 SHA-256 thumbprint of the public key; a natural Qlik Cloud key ID. */
  jwkThumbprint?: string;
  /** `SHA256:…` of an OpenSSH public key, as `ssh-keygen -l` prints it, and its comment. */
  sshFingerprint?: string;
  sshComment?: string;
  /** The first (or only) certificate. */
  certificate?: CertificateFacts;
  /** Every certificate, when the file holds more than one. */
  certificates?: CertificateFacts[];
  /** A PKCS#12 archive: whether a password (other than an empty one) may be needed to open it. */
  passwordProtected?: boolean;
  /** A PKCS#12 archive: what the cheap check of its MAC found (see Pkcs12Password). */
  password?: Pkcs12Password;
  /** A PKCS#12 archive: the openssl commands that extract what qs-jwt and Qlik take. */
  extract?: { certificate: string; privateKey: string; legacyHint: string };
  /**
   * Why Qlik cannot use it: a PKCS#12 archive, a key that is not RSA, an RSA key under 2048 bits, or a
   * file of several certificates. Such material is read only with `describeOnly`.
   */
  unusable?: string;
}

export interface ReadKeyMaterialOptions extends LoadPrivateKeyOptions {
  /**
   * Read what Qlik cannot use too (keys that are not RSA or under 2048 bits, files of several
   * certificates) so that it can be described with the reason; never sign or verify with it.
   */
  describeOnly?: boolean | undefined;
}

/** Material whose key can be read: not still encrypted, not a PKCS#12 archive. */
type ReadableMaterial = Exclude<KeyMaterial, { kind: 'encrypted-private-key' | 'pkcs12' }>;

const PRIVATE_BLOCK_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'EC PRIVATE KEY'];
const PRIVATE_ENCODINGS: Record<string, string> = { 'RSA PRIVATE KEY': 'PKCS#1', 'EC PRIVATE KEY': 'SEC1' };

/**
 * Reads a certificate, public key, private key or PKCS#12 archive, sniffing which it is: PEM (indented
 * too), DER, JWK or an OpenSSH public key line. With `allowSmall`, an RSA key under 2048 bits is read
 * too; with `describeOnly`, everything recognisable is (see ReadKeyMaterialOptions).
 */
export function readKeyMaterial(source: KeySource, options: ReadKeyMaterialOptions = {}): KeyMaterial {
  const describeOnly = Boolean(options.describeOnly);
  const allowSmall = Boolean(options.allowSmall) || describeOnly;
  const usable = (key: KeyObject, role: 'private' | 'public'): KeyObject =>
    describeOnly ? key : requireUsableRsa(key, role, allowSmall);
  const privateMaterial = (privateKey: KeyObject, encoding: string): KeyMaterial => ({
    kind: 'private-key',
    privateKey: usable(privateKey, 'private'),
    publicKey: createPublicKey(privateKey),
    encoding,
  });
  if (isDer(source)) return readDerMaterial(Buffer.from(source), options, usable, privateMaterial);
  const text = keySourceToText(source).trim();
  if (looksLikeOpenSshPublicKey(text)) {
    const ssh = parseOpenSshPublicKey(text);
    const openSsh = { fingerprint: ssh.fingerprint, comment: ssh.comment };
    return { kind: 'public-key', publicKey: usable(ssh.publicKey, 'public'), encoding: `OpenSSH ${ssh.type}`, openSsh };
  }
  const blocks = findPemBlocks(text);
  const privateBlock = blocks.find((block) => PRIVATE_BLOCK_LABELS.includes(block.label));
  const certificateBlocks = blocks.filter((block) => block.label === 'CERTIFICATE');
  if (privateBlock) {
    const encrypted = privateBlock.label === 'ENCRYPTED PRIVATE KEY' || privateBlock.legacyEncrypted;
    const encoding = `PEM ${PRIVATE_ENCODINGS[privateBlock.label] ?? 'PKCS#8'}${encrypted ? ', encrypted' : ''}`;
    if (encrypted && !options.passphrase) return { kind: 'encrypted-private-key', encoding };
    return privateMaterial(readPrivateKey(privateBlock.text, options, describeOnly), encoding);
  }
  if (certificateBlocks.length > 0) {
    if (certificateBlocks.length > 1 && !describeOnly) throw severalCertificates(certificateBlocks.length);
    const certificates = certificateBlocks.map((block, index) => {
      try {
        return new X509Certificate(block.text);
      } catch {
        const count = certificateBlocks.length;
        const which = count > 1 ? `certificate ${index + 1} of ${count}` : 'the certificate';
        throw new KeyError(
          'CERT_INVALID',
          `${which} PEM block is damaged: copy the whole block again, BEGIN and END lines included`,
        );
      }
    });
    const [certificate] = certificates as [X509Certificate];
    const publicKey = usable(certificate.publicKey, 'public');
    return { kind: 'certificate', certificate, certificates, publicKey, encoding: 'PEM X.509' };
  }
  if (text.startsWith('{')) {
    const isPrivate = /"d"\s*:/.test(text);
    if (isPrivate) return privateMaterial(readPrivateKey(text, options, describeOnly), 'JWK');
    const publicKey = loadPublicKey(text, { ...options, allowSmall, unchecked: describeOnly });
    return { kind: 'public-key', publicKey, encoding: 'JWK' };
  }
  if (blocks.some((block) => block.label === 'PUBLIC KEY' || block.label === 'RSA PUBLIC KEY')) {
    const label = blocks.find((block) => block.label.endsWith('PUBLIC KEY'))?.label;
    const publicKey = loadPublicKey(text, { ...options, allowSmall, unchecked: describeOnly });
    return { kind: 'public-key', publicKey, encoding: label === 'RSA PUBLIC KEY' ? 'PEM PKCS#1' : 'PEM SPKI' };
  }
  // Anything else: the private-key loader knows every remaining case and its error message.
  return privateMaterial(readPrivateKey(source, options, describeOnly), 'PEM');
}

function readDerMaterial(
  der: Buffer,
  options: ReadKeyMaterialOptions,
  usable: (key: KeyObject, role: 'private' | 'public') => KeyObject,
  privateMaterial: (privateKey: KeyObject, encoding: string) => KeyMaterial,
): KeyMaterial {
  if (isDerCertificate(der)) {
    const certificate = new X509Certificate(der);
    const publicKey = usable(certificate.publicKey, 'public');
    return { kind: 'certificate', certificate, certificates: [certificate], publicKey, encoding: 'DER X.509' };
  }
  const pkcs12 = inspectPkcs12(der);
  if (pkcs12) return { kind: 'pkcs12', encoding: 'DER PKCS#12 (PFX)', password: pkcs12.password };
  for (const [type, name] of [
    ['spki', 'SPKI'],
    ['pkcs1', 'PKCS#1'],
  ] as const) {
    let publicKey: KeyObject | undefined;
    try {
      publicKey = createPublicKey({ key: der, format: 'der', type });
    } catch {
      continue;
    }
    return { kind: 'public-key', publicKey: usable(publicKey, 'public'), encoding: `DER ${name}` };
  }
  return privateMaterial(readPrivateKey(der, options, options.describeOnly), 'DER');
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

const KEY_TYPE_NAMES: Record<string, string> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA-PSS',
  ec: 'EC',
  ed25519: 'Ed25519',
  ed448: 'Ed448',
  dsa: 'DSA',
};

function keyFacts(publicKey: KeyObject): Pick<KeyMaterialDescription, 'keyType' | 'bits' | 'curve'> {
  const type = publicKey.asymmetricKeyType ?? 'unknown';
  const details = publicKey.asymmetricKeyDetails ?? {};
  return {
    keyType: KEY_TYPE_NAMES[type] ?? type.toUpperCase(),
    ...(details.modulusLength !== undefined ? { bits: details.modulusLength } : {}),
    ...(details.namedCurve !== undefined ? { curve: CURVE_NAMES[details.namedCurve] ?? details.namedCurve } : {}),
  };
}

const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function unusableReason(material: ReadableMaterial, facts: ReturnType<typeof keyFacts>): string | undefined {
  if (material.kind === 'certificate' && material.certificates.length > 1) {
    return severalCertificatesReason(material.certificates.length);
  }
  if (facts.keyType !== 'RSA') {
    const size = facts.bits === undefined ? undefined : `${facts.bits}-bit`;
    const what = [facts.keyType, facts.curve, size].filter(Boolean).join(' ');
    const why = facts.keyType === 'RSA-PSS' ? ' (an RSA-PSS key cannot make RS256 signatures)' : '';
    return (
      `Qlik accepts only RSA keys (RS256, RS384, RS512), so it cannot use this ${what} key${why}: ` +
      'create an RSA key pair with qs-jwt keys create'
    );
  }
  const bits = facts.bits ?? 0;
  if (bits < MIN_RSA_BITS) {
    return (
      `RSA keys under ${MIN_RSA_BITS} bits are breakable: verify rejects tokens checked against such a key ` +
      `(QJ013), and qs-jwt will not sign with this ${bits}-bit key; create a new one with qs-jwt keys create ` +
      'and configure its certificate in Qlik'
    );
  }
  return undefined;
}

async function thumbprintOf(publicKey: KeyObject): Promise<string | undefined> {
  try {
    return await jwkThumbprint(publicKey);
  } catch {
    return undefined; // DSA and others have no JWK form
  }
}

/** Describes material; `fileName` goes into the openssl commands shown for a PKCS#12 archive. */
export async function describeKeyMaterial(
  material: KeyMaterial,
  { fileName }: { fileName?: string } = {},
): Promise<KeyMaterialDescription> {
  if (material.kind === 'encrypted-private-key') return { kind: material.kind, encoding: material.encoding };
  if (material.kind === 'pkcs12') {
    return {
      kind: material.kind,
      encoding: material.encoding,
      passwordProtected: material.password === 'set' || material.password === 'unchecked',
      password: material.password,
      extract: pkcs12ExtractCommands(fileName),
      unusable:
        'qs-jwt and Qlik take a PEM certificate and key, not a PKCS#12 archive: ' +
        'extract them with the openssl commands shown',
    };
  }
  const facts = keyFacts(material.publicKey);
  const thumbprint = await thumbprintOf(material.publicKey);
  const unusable = unusableReason(material, facts);
  return {
    kind: material.kind,
    encoding: material.encoding,
    ...facts,
    ...(thumbprint === undefined ? {} : { jwkThumbprint: thumbprint }),
    ...(material.kind === 'public-key' ? sshFacts(material.openSsh) : {}),
    ...(material.kind === 'certificate' ? { certificate: certificateFacts(material.certificate) } : {}),
    ...(material.kind === 'certificate' && material.certificates.length > 1
      ? { certificates: material.certificates.map(certificateFacts) }
      : {}),
    ...(unusable === undefined ? {} : { unusable }),
  };
}

function sshFacts(openSsh: { fingerprint: string; comment: string } | undefined): Partial<KeyMaterialDescription> {
  if (!openSsh) return {};
  return { sshFingerprint: openSsh.fingerprint, ...(openSsh.comment ? { sshComment: openSsh.comment } : {}) };
}

function requireReadable(material: KeyMaterial): ReadableMaterial {
  if (material.kind === 'encrypted-private-key') {
    throw new KeyError('KEY_PASSPHRASE_MISSING', 'the private key is encrypted: give its passphrase');
  }
  if (material.kind === 'pkcs12') throw pkcs12Error();
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
    throw new KeyError(
      'KEY_NOT_PRIVATE',
      'the single-line form is for certificates and public keys: ask for the public key only, or show the certificate (publickey.cer)',
    );
  }
  return toSingleLinePem(materialToPem(readable, { publicOnly }));
}

/** A JWK with `kid` set to the RFC 7638 thumbprint; private members only for a private key without publicOnly. */
export async function materialToJwk(material: KeyMaterial, { publicOnly = false } = {}): Promise<RsaJwk> {
  const readable = requireReadable(material);
  const key = readable.kind === 'private-key' && !publicOnly ? readable.privateKey : readable.publicKey;
  return { ...toJwk(key), kid: await jwkThumbprint(readable.publicKey) };
}
