/**
 * Published test vectors, reproduced through the library's own signing and thumbprint paths.
 *
 * The values below are copied verbatim from the RFCs (test data, not code):
 * - RFC 7515 Appendix A.2 "Example JWS Using RSASSA-PKCS1-v1_5 SHA-256" (header `{"alg":"RS256"}`, the
 *   payload with CR LF line breaks, the RSA key of A.2.1 as a JWK, and the resulting compact JWS);
 * - RFC 7520 §3.4 (RSA key "bilbo.baggins@hobbiton.example") and §4.1 "RSA v1.5 Signature" (RS256 over the
 *   "It’s a dangerous business, Frodo…" payload);
 * - RFC 7638 §3.1 (the RFC 7517 Appendix A.1 RSA public key and its SHA-256 JWK thumbprint).
 * Each vector is first checked against itself with node:crypto alone (the published signature verifies
 * under the published key; the published thumbprint is the SHA-256 of the canonical JSON), so a copying
 * error shows up as a failing data check rather than as a library bug.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  describeKeyMaterial,
  jwkThumbprint,
  loadPrivateKey,
  loadPublicKey,
  materialToJwk,
  readKeyMaterial,
  signCompactBytes,
} from '../src/index.js';

// ---- RFC 7515 Appendix A.2 ------------------------------------------------------------------------

/** RFC 7515 A.2.1: the RSA key, as a JWK. */
const RFC7515_A2_JWK = {
  kty: 'RSA',
  n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
  e: 'AQAB',
  d: 'Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ',
  p: '4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc',
  q: 'uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc',
  dp: 'BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0',
  dq: 'h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU',
  qi: 'IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U',
};

/** RFC 7515 A.2.1: the JWS Protected Header octets. */
const RFC7515_A2_HEADER = '{"alg":"RS256"}';
/** RFC 7515 A.2.1 (same as A.1.1): the JWS Payload octets, CR LF line breaks included. */
const RFC7515_A2_PAYLOAD = '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}';
/** RFC 7515 A.2.1: the payload as the octet array the RFC prints, to pin the CR LF bytes. */
const RFC7515_A2_PAYLOAD_OCTETS = [
  123, 34, 105, 115, 115, 34, 58, 34, 106, 111, 101, 34, 44, 13, 10, 32, 34, 101, 120, 112, 34, 58, 49, 51, 48, 48, 56,
  49, 57, 51, 56, 48, 44, 13, 10, 32, 34, 104, 116, 116, 112, 58, 47, 47, 101, 120, 97, 109, 112, 108, 101, 46, 99, 111,
  109, 47, 105, 115, 95, 114, 111, 111, 116, 34, 58, 116, 114, 117, 101, 125,
];
/** RFC 7515 A.2.1: the complete JWS Compact Serialization. */
const RFC7515_A2_COMPACT = [
  'eyJhbGciOiJSUzI1NiJ9',
  'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ',
  'cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw',
].join('.');

// ---- RFC 7520 §3.4 key and §4.1 RS256 signature ---------------------------------------------------

/** RFC 7520 §3.4: "RSA 2048-bit Private Key" (kid bilbo.baggins@hobbiton.example). */
const RFC7520_RSA_JWK = {
  kty: 'RSA',
  kid: 'bilbo.baggins@hobbiton.example',
  use: 'sig',
  n: 'n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw',
  e: 'AQAB',
  d: 'bWUC9B-EFRIo8kpGfh0ZuyGPvMNKvYWNtB_ikiH9k20eT-O1q_I78eiZkpXxXQ0UTEs2LsNRS-8uJbvQ-A1irkwMSMkK1J3XTGgdrhCku9gRldY7sNA_AKZGh-Q661_42rINLRCe8W-nZ34ui_qOfkLnK9QWDDqpaIsA-bMwWWSDFu2MUBYwkHTMEzLYGqOe04noqeq1hExBTHBOBdkMXiuFhUq1BU6l-DqEiWxqg82sXt2h-LMnT3046AOYJoRioz75tSUQfGCshWTBnP5uDjd18kKhyv07lhfSJdrPdM5Plyl21hsFf4L_mHCuoFau7gdsPfHPxxjVOcOpBrQzwQ',
  p: '3Slxg_DwTXJcb6095RoXygQCAZ5RnAvZlno1yhHtnUex_fp7AZ_9nRaO7HX_-SFfGQeutao2TDjDAWU4Vupk8rw9JR0AzZ0N2fvuIAmr_WCsmGpeNqQnev1T7IyEsnh8UMt-n5CafhkikzhEsrmndH6LxOrvRJlsPp6Zv8bUq0k',
  q: 'uKE2dh-cTf6ERF4k4e_jy78GfPYUIaUyoSSJuBzp3Cubk3OCqs6grT8bR_cu0Dm1MZwWmtdqDyI95HrUeq3MP15vMMON8lHTeZu2lmKvwqW7anV5UzhM1iZ7z4yMkuUwFWoBvyY898EXvRD-hdqRxHlSqAZ192zB3pVFJ0s7pFc',
  dp: 'B8PVvXkvJrj2L-GYQ7v3y9r6Kw5g9SahXBwsWUzp19TVlgI-YV85q1NIb1rxQtD-IsXXR3-TanevuRPRt5OBOdiMGQp8pbt26gljYfKU_E9xn-RULHz0-ed9E9gXLKD4VGngpz-PfQ_q29pk5xWHoJp009Qf1HvChixRX59ehik',
  dq: 'CLDmDGduhylc9o7r84rEUVn7pzQ6PF83Y-iBZx5NT-TpnOZKF1pErAMVeKzFEl41DlHHqqBLSM0W1sOFbwTxYWZDm6sI6og5iTbwQGIC3gnJKbi_7k_vJgGHwHxgPaX2PnvP-zyEkDERuf-ry4c_Z11Cq9AqC2yeL6kdKT1cYF8',
  qi: '3PiqvXQN0zwMeE-sBvZgi289XP9XCQF3VWqPzMKnIgQp7_Tugo6-NZBKCQsMf3HaEGBjTVJs_jcK8-TRXvaKe-7ZMaQj8VfBdYkssbu0NKDDhjJ-GtiseaDVWt7dcH0cfwxgFUHpQh7FoCrjFJ6h6ZEpMF6xmujs4qMpPz8aaI4',
};

/** RFC 7520 §4.1.1 / §4.2.1: the plaintext payload (with U+2019 apostrophes in "It’s" and "there’s"). */
const RFC7520_PAYLOAD =
  "It\u2019s a dangerous business, Frodo, going out your door. You step onto the road, and if you don't keep your feet, there\u2019s no knowing where you might be swept off to.";
/** RFC 7520 §4.1.2: the JWS Protected Header. */
const RFC7520_HEADER = '{"alg":"RS256","kid":"bilbo.baggins@hobbiton.example"}';
/** RFC 7520 §4.1.3: the compact serialization. */
const RFC7520_COMPACT = [
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9',
  'SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4',
  'MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg',
].join('.');

// ---- RFC 7638 §3.1 --------------------------------------------------------------------------------

/** RFC 7638 §3.1: the example RSA public key (also RFC 7517 Appendix A.1), with its optional members. */
const RFC7638_JWK = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};
/** RFC 7638 §3.1: the resulting JWK Thumbprint (SHA-256, base64url). */
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

/** Checks a published compact JWS against its own published public key with node:crypto only. */
function publishedSignatureVerifies(compact: string, jwk: { n: string; e: string }): boolean {
  const [header, payload, signature] = compact.split('.') as [string, string, string];
  const publicKey = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
  return verify('sha256', Buffer.from(`${header}.${payload}`, 'ascii'), publicKey, Buffer.from(signature, 'base64url'));
}

test('RFC 7515 A.2 test data is self-consistent (published signature verifies under the published key)', () => {
  assert.deepEqual([...Buffer.from(RFC7515_A2_PAYLOAD, 'utf8')], RFC7515_A2_PAYLOAD_OCTETS);
  assert.equal(Buffer.from(RFC7515_A2_JWK.n, 'base64url').length, 256, 'A.2 modulus is 2048 bits');
  assert.ok(publishedSignatureVerifies(RFC7515_A2_COMPACT, RFC7515_A2_JWK));
});

test("signCompactBytes reproduces the RFC 7515 A.2 RS256 JWS byte for byte from the RFC's JWK", () => {
  const privateKey = loadPrivateKey(JSON.stringify(RFC7515_A2_JWK));
  assert.equal(privateKey.asymmetricKeyDetails?.modulusLength, 2048);
  const compact = signCompactBytes(
    Buffer.from(RFC7515_A2_HEADER, 'utf8'),
    Uint8Array.from(RFC7515_A2_PAYLOAD_OCTETS),
    privateKey,
    'RS256',
  );
  assert.equal(compact, RFC7515_A2_COMPACT);
});

test('RFC 7520 §4.1 test data is self-consistent (published signature verifies under the published key)', () => {
  assert.ok(publishedSignatureVerifies(RFC7520_COMPACT, RFC7520_RSA_JWK));
});

test('signCompactBytes reproduces the RFC 7520 §4.1 RS256 JWS (header with kid, non-JSON UTF-8 payload)', () => {
  const privateKey = loadPrivateKey(JSON.stringify(RFC7520_RSA_JWK));
  const compact = signCompactBytes(
    Buffer.from(RFC7520_HEADER, 'utf8'),
    Buffer.from(RFC7520_PAYLOAD, 'utf8'),
    privateKey,
    'RS256',
  );
  assert.equal(compact, RFC7520_COMPACT);
});

test('RFC 7638 §3.1 test data is self-consistent (thumbprint is SHA-256 of the canonical JSON)', () => {
  const canonical = `{"e":"${RFC7638_JWK.e}","kty":"RSA","n":"${RFC7638_JWK.n}"}`;
  assert.equal(createHash('sha256').update(canonical, 'utf8').digest('base64url'), RFC7638_THUMBPRINT);
});

test('jwkThumbprint of the RFC 7638 §3.1 RSA key equals the published thumbprint', async () => {
  const publicKey = loadPublicKey(JSON.stringify(RFC7638_JWK));
  assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(await jwkThumbprint(publicKey), RFC7638_THUMBPRINT);
});

test("keys show's JWK kid and description use the RFC 7638 thumbprint (optional members alg/kid ignored)", async () => {
  const material = readKeyMaterial(JSON.stringify(RFC7638_JWK));
  assert.equal(material.kind, 'public-key');
  const jwk = await materialToJwk(material, { publicOnly: true });
  assert.equal(jwk.kid, RFC7638_THUMBPRINT);
  assert.equal(jwk.n, RFC7638_JWK.n);
  assert.equal(jwk.e, RFC7638_JWK.e);
  assert.equal((await describeKeyMaterial(material)).jwkThumbprint, RFC7638_THUMBPRINT);
});
