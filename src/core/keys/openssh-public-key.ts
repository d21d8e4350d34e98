import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { KeyError } from '../errors.js';

export interface OpenSshPublicKey {
  /** The key type as OpenSSH names it: ssh-rsa, ssh-ed25519, ecdsa-sha2-nistp256... */
  type: string;
  publicKey: KeyObject;
  /** `SHA256:…` as `ssh-keygen -l` prints it. */
  fingerprint: string;
  comment: string;
}

const TYPES = 'ssh-rsa|ssh-ed25519|ssh-dss|ecdsa-sha2-nistp(?:256|384|521)|sk-\\S+';
const LINE = new RegExp(`^(${TYPES})\\s+([A-Za-z0-9+/]+={0,2})(?:\\s+(.*))?$`);
const CURVES: Record<string, string> = { nistp256: 'P-256', nistp384: 'P-384', nistp521: 'P-521' };

/** Whether the text is one OpenSSH public key line (`ssh-rsa AAAA… comment`). */
export function looksLikeOpenSshPublicKey(text: string): boolean {
  return LINE.test(text.trim());
}

/** Reads RFC 4251 `string`/`mpint` fields: a four-byte big-endian length, then that many bytes. */
function wireFields(blob: Buffer): Buffer[] {
  const fields: Buffer[] = [];
  let offset = 0;
  while (offset < blob.length) {
    if (offset + 4 > blob.length) throw new Error('truncated length');
    const length = blob.readUInt32BE(offset);
    if (offset + 4 + length > blob.length) throw new Error('truncated field');
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return fields;
}

function unsignedBase64url(mpint: Buffer): string {
  let start = 0;
  while (start < mpint.length - 1 && mpint[start] === 0) start += 1;
  return mpint.subarray(start).toString('base64url');
}

function jwkFor(type: string, fields: Buffer[]): JsonWebKey {
  const [name, ...rest] = fields;
  if (name?.toString('latin1') !== type) throw new Error(`the encoded key type is not ${type}`);
  if (type === 'ssh-rsa' && rest.length === 2) {
    const [e, n] = rest as [Buffer, Buffer];
    return { kty: 'RSA', n: unsignedBase64url(n), e: unsignedBase64url(e) };
  }
  if (type === 'ssh-ed25519' && rest.length === 1) {
    return { kty: 'OKP', crv: 'Ed25519', x: (rest[0] as Buffer).toString('base64url') };
  }
  const curve = CURVES[type.replace('ecdsa-sha2-', '')];
  const point = rest[1];
  if (curve && rest.length === 2 && point?.[0] === 0x04) {
    const size = (point.length - 1) / 2;
    const coordinate = (start: number, end?: number): string => point.subarray(start, end).toString('base64url');
    return { kty: 'EC', crv: curve, x: coordinate(1, 1 + size), y: coordinate(1 + size) };
  }
  throw new Error(`${type} keys are not read here`);
}

/** Parses one OpenSSH public key line (the `.pub` file) into a key, its fingerprint and comment. */
export function parseOpenSshPublicKey(text: string): OpenSshPublicKey {
  const match = LINE.exec(text.trim());
  if (!match) {
    throw new KeyError('KEY_UNRECOGNISED', 'this is not an OpenSSH public key line (ssh-rsa AAAA… comment)');
  }
  const [, type = '', base64 = '', comment = ''] = match;
  const blob = Buffer.from(base64, 'base64');
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: jwkFor(type, wireFields(blob)), format: 'jwk' });
  } catch (error) {
    const why = (error as Error).message;
    throw new KeyError(
      'KEY_INVALID',
      `the OpenSSH ${type} key cannot be read (${why}): copy the whole .pub line again`,
    );
  }
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { type, publicKey, fingerprint, comment: comment.trim() };
}
