import type { KeyObject } from 'node:crypto';
import { loadJwks } from '../core/keys/jwks.js';
import { loadPublicKey } from '../core/keys/key-input.js';
import { decodeToken, MAX_TOKEN_LENGTH } from '../core/lint/decode-token.js';
import { forPlatform } from '../core/lint/platform-options.js';
import { lintToken, verifyToken, type InspectionResult, type VerificationKey } from '../core/lint/verify-token.js';
import { claimTimes, type ClaimTime } from '../core/time/claim-times.js';
import { choice, optionalText, type RequestBody } from './api-error.js';

/** POST /api/inspect: `decode` + `lint`, or `verify` when a certificate, public key, JWK or JWKS is pasted. */
export interface InspectAnswer extends Omit<InspectionResult, 'header'> {
  header: InspectionResult['header'] | null;
  /** The three compact parts as given, for colouring; empty when the text is not a compact JWS. */
  parts: string[];
  times: Record<string, ClaimTime>;
  /** Whether a key was pasted (the verdict then includes the signature). */
  verified: boolean;
}

const MAX_KEY_TEXT = 256 * 1024;

function verificationKeys(text: string): KeyObject | VerificationKey[] {
  // A JWK Set is an object with "keys"; anything else goes to the loader that knows every other shape.
  if (/^\{[\s\S]*"keys"\s*:/.test(text)) return loadJwks(text);
  return loadPublicKey(text, { unchecked: true });
}

export function inspectToken(body: RequestBody, now: number): InspectAnswer {
  const token = optionalText(body, 'token', MAX_TOKEN_LENGTH + 1024) ?? '';
  const platform = choice(body, 'platform', ['qseow', 'cloud', 'none'] as const, 'none');
  const options = forPlatform(platform, {
    at: now,
    audience: optionalText(body, 'audience'),
    issuer: optionalText(body, 'issuer'),
    keyId: optionalText(body, 'kid'),
    userIdAttribute: optionalText(body, 'userIdAttribute'),
    userDirectoryAttribute: optionalText(body, 'userDirectoryAttribute'),
  });
  const keyText = optionalText(body, 'key', MAX_KEY_TEXT);
  const result =
    keyText === undefined
      ? lintToken(token, platform, options)
      : verifyToken(token, { ...options, platform, keys: verificationKeys(keyText) });
  const decoded = decodeToken(token);
  const parts = decoded.signingInput === '' ? [] : decoded.token.split('.');
  return {
    ...result,
    header: result.header ?? null,
    parts,
    times: result.payload ? claimTimes(result.payload, now) : {},
    verified: keyText !== undefined,
  };
}
