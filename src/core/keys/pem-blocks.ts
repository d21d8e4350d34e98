/** A PEM block as found in text: its label (`PRIVATE KEY`, `CERTIFICATE`...) and the whole block. */
export interface PemBlock {
  label: string;
  text: string;
  /** Legacy OpenSSL encryption (`Proc-Type: 4,ENCRYPTED`) inside a PKCS#1 block. */
  legacyEncrypted: boolean;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Finds every PEM block, so a file that bundles a key with its certificate still works. */
export function findPemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((match) => ({
    label: match[1] ?? '',
    text: match[0],
    legacyEncrypted: /Proc-Type:\s*4,ENCRYPTED/.test(match[0]),
  }));
}

/**
 * One line: BEGIN marker, base64 body and END marker with no line breaks, which older Qlik Cloud
 * admin forms needed for a certificate.
 */
export function toSingleLinePem(pem: string): string {
  return pem.replace(/\r?\n/g, '').trim();
}
