import { createCipheriv, pbkdf2Sync, randomBytes, type KeyObject } from 'node:crypto';
import { derInteger, derNull, derOctetString, derOid, derSequence } from './der.js';

/**
 * PBKDF2-HMAC-SHA256 iterations for an encrypted private key: OWASP's 2023 figure for that PRF.
 * OpenSSL's (and so Node's) export uses 2048, which a GPU tries passphrases against ~300 times faster.
 */
export const PBKDF2_ITERATIONS = 600_000;

const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
} as const;

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Encrypted PKCS#8 (RFC 5958 EncryptedPrivateKeyInfo) as PBES2 (RFC 8018): PBKDF2-HMAC-SHA256 with a
 * 16-byte salt, then AES-256-CBC. Built here because Node's export cannot set the iteration count;
 * OpenSSL, Node and every PKCS#8 reader open it with the passphrase (its UTF-8 bytes).
 */
export function encryptPrivateKeyPem(
  privateKey: KeyObject,
  passphrase: string,
  iterations = PBKDF2_ITERATIONS,
): string {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const plain = privateKey.export({ type: 'pkcs8', format: 'der' });
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const kdf = derSequence(
    derOid(OID.pbkdf2),
    derSequence(derOctetString(salt), derInteger(iterations), derSequence(derOid(OID.hmacWithSha256), derNull())),
  );
  const scheme = derSequence(derOid(OID.aes256Cbc), derOctetString(iv));
  const algorithm = derSequence(derOid(OID.pbes2), derSequence(kdf, scheme));
  return toPem('ENCRYPTED PRIVATE KEY', derSequence(algorithm, derOctetString(encrypted)));
}
