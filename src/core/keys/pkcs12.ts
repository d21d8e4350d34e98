import { createHash, createHmac } from 'node:crypto';
import { DER_TAG, isDerOid, readDerChildren, readDerElement, type DerElement } from './der.js';

const PKCS7_DATA = '1.2.840.113549.1.7.1';
const PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';
/** Hashes a PKCS#12 MAC uses: OID, Node name, and the KDF block size v in bytes (RFC 7292 B.2). */
const MAC_HASHES: [string, string, number][] = [
  ['1.3.14.3.2.26', 'sha1', 64],
  ['2.16.840.1.101.3.4.2.1', 'sha256', 64],
  ['2.16.840.1.101.3.4.2.2', 'sha384', 128],
  ['2.16.840.1.101.3.4.2.3', 'sha512', 128],
];
/** Above this many KDF rounds the empty-password check is skipped: it would no longer be cheap. */
const MAX_CHECKED_ITERATIONS = 100_000;

/**
 * `set`: a password MAC that an empty password does not open; `empty`: the MAC opens with an empty
 * password; `no-mac`: no MAC at all; `unchecked`: a MAC whose algorithm or cost is beyond the check.
 */
export type Pkcs12Password = 'set' | 'empty' | 'no-mac' | 'unchecked';

export interface Pkcs12Facts {
  password: Pkcs12Password;
}

/**
 * Recognises a PKCS#12 archive (`.pfx`, `.p12`, what the QMC exports as client.pfx) from its outer
 * structure, RFC 7292: SEQUENCE { version 3, authSafe ContentInfo (data or signedData), macData? },
 * and tells whether an empty password opens its MAC.
 */
export function inspectPkcs12(bytes: Uint8Array): Pkcs12Facts | undefined {
  const outer = readDerElement(bytes);
  if (outer?.tag !== DER_TAG.sequence) return undefined;
  const [version, authSafe, macData] = readDerChildren(outer.value) ?? [];
  if (version?.tag !== DER_TAG.integer || version.value.length !== 1 || version.value[0] !== 3) return undefined;
  if (authSafe?.tag !== DER_TAG.sequence) return undefined;
  const contentType = readDerElement(authSafe.value);
  if (!isDerOid(contentType, PKCS7_DATA) && !isDerOid(contentType, PKCS7_SIGNED_DATA)) return undefined;
  if (macData?.tag !== DER_TAG.sequence) return { password: 'no-mac' };
  return { password: emptyPasswordCheck(authSafe, macData) };
}

function emptyPasswordCheck(authSafe: DerElement, macData: DerElement): Pkcs12Password {
  // authSafe: SEQUENCE { OID data, [0] { OCTET STRING content } }; the MAC covers that content.
  const [, explicit] = readDerChildren(authSafe.value) ?? [];
  const content = explicit?.tag === 0xa0 ? readDerElement(explicit.value) : undefined;
  // macData: SEQUENCE { DigestInfo { AlgorithmIdentifier, OCTET STRING digest }, OCTET STRING salt, INTEGER? }
  const [digestInfo, salt, iterationsElement] = readDerChildren(macData.value) ?? [];
  const [algorithm, digest] = digestInfo ? (readDerChildren(digestInfo.value) ?? []) : [];
  const algorithmOid = algorithm ? readDerElement(algorithm.value) : undefined;
  const hash = MAC_HASHES.find(([oid]) => isDerOid(algorithmOid, oid));
  const iterations = iterationsElement ? unsignedInteger(iterationsElement) : 1;
  if (
    content?.tag !== DER_TAG.octetString ||
    digest?.tag !== DER_TAG.octetString ||
    salt?.tag !== DER_TAG.octetString ||
    !hash ||
    iterations < 1 ||
    iterations > MAX_CHECKED_ITERATIONS
  ) {
    return 'unchecked';
  }
  const [, name, blockSize] = hash;
  // An empty password is the BMPString terminator alone (00 00), or nothing at all: tools write both.
  const opens = [Buffer.alloc(2), Buffer.alloc(0)].some((password) => {
    const key = pkcs12Kdf(name, blockSize, password, Buffer.from(salt.value), iterations, digest.value.length);
    return createHmac(name, key).update(content.value).digest().equals(Buffer.from(digest.value));
  });
  return opens ? 'empty' : 'set';
}

function unsignedInteger(element: DerElement): number {
  if (element.tag !== DER_TAG.integer || element.value.length > 4) return Number.POSITIVE_INFINITY;
  return element.value.reduce((value, byte) => value * 256 + byte, 0);
}

function repeatTo(bytes: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let index = 0; index < length && bytes.length > 0; index += 1) {
    out[index] = bytes[index % bytes.length] as number;
  }
  return out;
}

/** RFC 7292 appendix B.2 key derivation, for the MAC key (ID 3). */
function pkcs12Kdf(
  hash: string,
  v: number,
  password: Buffer,
  salt: Buffer,
  iterations: number,
  length: number,
): Buffer {
  const diversifier = Buffer.alloc(v, 3);
  const input = Buffer.concat([
    repeatTo(salt, v * Math.ceil(salt.length / v)),
    repeatTo(password, v * Math.ceil(password.length / v)),
  ]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length;) {
    let a = createHash(hash).update(diversifier).update(input).digest();
    for (let round = 1; round < iterations; round += 1) a = createHash(hash).update(a).digest();
    blocks.push(a);
    produced += a.length;
    const b = repeatTo(a, v);
    // Each v-byte block of the input becomes (block + b + 1) mod 2^(8v).
    for (let start = 0; start < input.length; start += v) {
      let carry = 1;
      for (let index = v - 1; index >= 0; index -= 1) {
        const sum = (input[start + index] as number) + (b[index] as number) + carry;
        input[start + index] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function shellQuote(path: string): string {
  return /^[\w./:@%+=,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * The openssl commands that turn an archive into the files qs-jwt and Qlik take: the leaf certificate as
 * clean PEM (no "Bag Attributes" lines) and the private key as unencrypted PKCS#8. OpenSSL 3 needs
 * `-legacy` for archives encrypted with RC2 or 3DES, as older Windows exports are.
 */
export interface Pkcs12Commands {
  certificate: string;
  privateKey: string;
  legacyHint: string;
}

export function pkcs12ExtractCommands(file = 'client.pfx'): Pkcs12Commands {
  const input = shellQuote(file);
  return {
    certificate: `openssl pkcs12 -in ${input} -clcerts -nokeys | openssl x509 -out publickey.cer`,
    privateKey: `openssl pkcs12 -in ${input} -nocerts -nodes | openssl pkey -out privatekey.pem`,
    legacyHint: 'if OpenSSL 3 answers "unsupported", add -legacy after pkcs12',
  };
}
