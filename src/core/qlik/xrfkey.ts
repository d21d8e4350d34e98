import { randomInt } from 'node:crypto';

/**
 * Qlik's XSRF convention for the repository (QRS) and proxy (QPS) APIs: the same 16-character key in
 * the `xrfkey` query parameter and the `X-Qlik-Xrfkey` header. Clients generate it, servers check it.
 */

export const XRF_REFUSAL_TEXT = 'XSRF prevention check failed. Possible XSRF discovered.';
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LENGTH = 16;
const XRFKEY = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/** A fresh key: 16 characters of 0-9a-zA-Z; randomInt is unbiased, so each character is equally likely. */
export function generateXrfkey(): string {
  let key = '';
  for (let index = 0; index < LENGTH; index += 1) key += ALPHABET[randomInt(ALPHABET.length)];
  return key;
}

export type XrfkeyPolicy = 'required' | 'when-present';

export type XrfkeyResult = { ok: true } | { ok: false; reason: string };

/** The first value of a query parameter whose name matches case-insensitively. */
function queryValue(query: URLSearchParams, name: string): string | undefined {
  for (const [key, value] of query) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * `required`: the /qrs APIs, where a missing key is refused. `when-present`: /qps/user and
 * /qps/csrftoken, which clients call both with and without a key [choice in the facts]: absent in both
 * places is fine, present in only one or mismatched is refused. Header names arrive lower-cased from
 * node:http, which makes the header match case-insensitive.
 */
export function checkXrfkey(
  query: URLSearchParams,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  policy: XrfkeyPolicy,
): XrfkeyResult {
  const fromQuery = queryValue(query, 'xrfkey');
  const rawHeader = headers['x-qlik-xrfkey'];
  const fromHeader = Array.isArray(rawHeader) ? rawHeader[0] : rawHeader;
  if (fromQuery === undefined && fromHeader === undefined) {
    return policy === 'required'
      ? { ok: false, reason: 'no xrfkey query parameter and no X-Qlik-Xrfkey header' }
      : { ok: true };
  }
  if (fromQuery === undefined) return { ok: false, reason: 'X-Qlik-Xrfkey header without the xrfkey query parameter' };
  if (fromHeader === undefined) return { ok: false, reason: 'xrfkey query parameter without the X-Qlik-Xrfkey header' };
  if (!XRFKEY.test(fromQuery)) return { ok: false, reason: 'xrfkey is not 16 characters of 0-9a-zA-Z' };
  if (fromQuery !== fromHeader) return { ok: false, reason: 'xrfkey query parameter and X-Qlik-Xrfkey header differ' };
  return { ok: true };
}
