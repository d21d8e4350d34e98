import { DER_TAG, isDerOid, readDerChildren, readDerElement } from './der.js';

const PKCS7_DATA = '1.2.840.113549.1.7.1';
const PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';

export interface Pkcs12Facts {
  /** A MAC keyed by a password guards the archive (openssl asks for that password, maybe empty). */
  passwordMac: boolean;
}

/**
 * Recognises a PKCS#12 archive (`.pfx`, `.p12`, what the QMC exports as client.pfx) from its outer
 * structure, RFC 7292: SEQUENCE { version 3, authSafe ContentInfo (data or signedData), macData? }.
 */
export function inspectPkcs12(bytes: Uint8Array): Pkcs12Facts | undefined {
  const outer = readDerElement(bytes);
  if (outer?.tag !== DER_TAG.sequence) return undefined;
  const [version, authSafe, macData] = readDerChildren(outer.value) ?? [];
  if (version?.tag !== DER_TAG.integer || version.value.length !== 1 || version.value[0] !== 3) return undefined;
  if (authSafe?.tag !== DER_TAG.sequence) return undefined;
  const contentType = readDerElement(authSafe.value);
  if (!isDerOid(contentType, PKCS7_DATA) && !isDerOid(contentType, PKCS7_SIGNED_DATA)) return undefined;
  return { passwordMac: macData?.tag === DER_TAG.sequence };
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
