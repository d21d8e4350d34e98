/**
 * The little DER that key files need: reading the outer structure of a binary file to tell what it is,
 * and writing the PBES2 parameters of an encrypted PKCS#8 key. Not a general ASN.1 codec.
 */

export interface DerElement {
  tag: number;
  /** The contents, without tag and length. */
  value: Uint8Array;
  /** Offset just past the element in the buffer it was read from. */
  end: number;
}

/** Reads one element at `offset`; undefined for anything that is not definite-length DER within bounds. */
export function readDerElement(bytes: Uint8Array, offset = 0): DerElement | undefined {
  const tag = bytes[offset];
  let first = bytes[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) return undefined;
  let position = offset + 2;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length; more than 4 length bytes is no key file.
    if (count === 0 || count > 4) return undefined;
    length = 0;
    for (let index = 0; index < count; index += 1) {
      first = bytes[position + index];
      if (first === undefined) return undefined;
      length = length * 256 + first;
    }
    position += count;
  }
  const end = position + length;
  if (end > bytes.length) return undefined;
  return { tag, value: bytes.subarray(position, end), end };
}

/** The elements inside a constructed element's contents, or undefined if they do not parse exactly. */
export function readDerChildren(value: Uint8Array): DerElement[] | undefined {
  const children: DerElement[] = [];
  let offset = 0;
  while (offset < value.length) {
    const child = readDerElement(value, offset);
    if (!child) return undefined;
    children.push(child);
    offset = child.end;
  }
  return children;
}

export const DER_TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
} as const;

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function derElement(tag: number, ...contents: Uint8Array[]): Buffer {
  const value = Buffer.concat(contents);
  return Buffer.concat([Uint8Array.of(tag), encodeLength(value.length), value]);
}

export function derSequence(...elements: Uint8Array[]): Buffer {
  return derElement(DER_TAG.sequence, ...elements);
}

/** A non-negative INTEGER, minimal and with a leading zero byte where the top bit would read negative. */
export function derInteger(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`DER integer ${value} is out of range`);
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  if (bytes.length === 0 || (bytes[0] as number) & 0x80) bytes.unshift(0);
  return derElement(DER_TAG.integer, Uint8Array.from(bytes));
}

export function derOctetString(value: Uint8Array): Buffer {
  return derElement(DER_TAG.octetString, value);
}

export function derNull(): Buffer {
  return derElement(DER_TAG.null);
}

/** Encodes a dotted object identifier such as `1.2.840.113549.1.5.13`. */
export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const group: number[] = [arc & 0x7f];
    for (let high = Math.floor(arc / 128); high > 0; high = Math.floor(high / 128)) group.unshift(0x80 | (high & 0x7f));
    bytes.push(...group);
  }
  return derElement(DER_TAG.oid, Uint8Array.from(bytes));
}

/** Whether an element is the OBJECT IDENTIFIER `dotted`. */
export function isDerOid(element: DerElement | undefined, dotted: string): boolean {
  return element?.tag === DER_TAG.oid && Buffer.from(element.value).equals(derOid(dotted).subarray(2));
}
