/** A PEM block as found in text: its label (`PRIVATE KEY`, `CERTIFICATE`...) and the whole block. */
export interface PemBlock {
  label: string;
  /** The block with each line trimmed, as OpenSSL's reader wants it. */
  text: string;
  /** Legacy OpenSSL encryption (`Proc-Type: 4,ENCRYPTED`) inside a PKCS#1 block. */
  legacyEncrypted: boolean;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Trims every line, since PEM pasted from YAML or a web form arrives indented and OpenSSL refuses
 * indented lines. Blank lines go too, except the one that ends legacy encryption headers, which the
 * reader needs.
 */
function normaliseBlock(block: string): string {
  const lines = block.split(/\r\n|\r|\n/).map((line) => line.trim());
  const hasHeaders = lines.some((line) => /^[A-Za-z-]+:/.test(line));
  return (hasHeaders ? lines : lines.filter((line) => line !== '')).join('\n');
}

/** Finds every PEM block, so a file that bundles a key with its certificate still works. */
export function findPemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((match) => {
    const normalised = normaliseBlock(match[0]);
    return { label: match[1] ?? '', text: normalised, legacyEncrypted: /Proc-Type:\s*4,ENCRYPTED/.test(normalised) };
  });
}

/**
 * One line: BEGIN marker, base64 body and END marker with no line breaks, which older Qlik Cloud
 * admin forms needed for a certificate.
 */
export function toSingleLinePem(pem: string): string {
  return pem.replace(/\r?\n/g, '').trim();
}

/**
 * The inverse of toSingleLinePem: a PEM whose body lost its line breaks (as Qlik Cloud stores and
 * shows it) becomes one OpenSSL reads again, with 64-character lines. Other text is returned as is.
 */
export function reflowPem(text: string): string {
  const match = /^\s*-----BEGIN ([A-Z0-9 ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----\s*$/.exec(text);
  if (!match) return text;
  const body = (match[2] ?? '').replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${match[1]}-----\n${lines.join('\n')}\n-----END ${match[1]}-----\n`;
}
