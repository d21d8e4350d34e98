import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A fresh key for Qlik's XSRF check (`?xrfkey=K` and `X-Qlik-Xrfkey: K`): 16 characters of 0-9a-zA-Z,
 * the only shape Qlik accepts. randomInt is unbiased, so every character is equally likely.
 */
export function generateXrfkey(): string {
  let key = '';
  for (let index = 0; index < 16; index += 1) key += ALPHABET[randomInt(ALPHABET.length)];
  return key;
}
