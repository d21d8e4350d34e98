// The comparison for CLI start-up: the least a Node script must do to mint the same QSEoW token
// with only node:crypto (read the key, build claims, sign, print).
import { readFileSync } from 'node:fs';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';

const [keyFile, userId, userDirectory] = process.argv.slice(2);
const key = createPrivateKey(readFileSync(keyFile));
const now = Math.floor(Date.now() / 1000);
const header = { alg: 'RS256', typ: 'JWT' };
const payload = {
  userId,
  userDirectory,
  iat: now,
  nbf: now,
  exp: now + 3600,
  jti: randomBytes(16).toString('base64url'),
};
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const input = `${encode(header)}.${encode(payload)}`;
const signature = sign('sha256', Buffer.from(input), key).toString('base64url');
process.stdout.write(`${input}.${signature}\n`);
