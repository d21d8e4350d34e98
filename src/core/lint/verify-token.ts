import { KeyObject, verify } from 'node:crypto';
import { VerifierSetupError } from '../errors.js';
import { hashForAlgorithm, isRsaAlgorithm } from '../jose/algorithms.js';
import { MIN_RSA_BITS } from '../keys/key-input.js';
import { lintClaims, type LintOptions } from './claim-rules.js';
import { decodeToken } from './decode-token.js';
import { requireVerifierSetup, type Platform } from './platform-options.js';
import { finding, hasErrors, type Finding } from './rules.js';

/** A public key, with the key ID it is known by (from a JWKS) if any. */
export interface VerificationKey {
  key: KeyObject;
  kid?: string | undefined;
}

export interface InspectionResult {
  /** No error finding (and, for verifyToken, a valid signature). */
  accepted: boolean;
  /** Frozen: shared with other tokens that have the same header segment. */
  header: Readonly<Record<string, unknown>> | undefined;
  payload: Record<string, unknown> | undefined;
  /** true/false once checked; undefined when no key was given or the token could not be checked. */
  signatureValid: boolean | undefined;
  findings: Finding[];
}

export interface VerifyOptions extends LintOptions {
  /** Which platform's acceptance rules apply; default none (signature and time only). */
  platform?: Platform | undefined;
  /** The key Qlik verifies with, or several (a JWKS), chosen by the token's kid. */
  keys: KeyObject | readonly VerificationKey[];
}

/** What a non-key value is, for the message: "a string", "undefined", "a CryptoKey". */
function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
}

function isVerificationKey(value: unknown): value is VerificationKey {
  if (typeof value !== 'object' || value === null) return false;
  const { key, kid } = value as { key?: unknown; kid?: unknown };
  return key instanceof KeyObject && (kid === undefined || typeof kid === 'string');
}

/**
 * JavaScript callers bypass the type: a PEM string or a missing key would otherwise surface as a
 * TypeError from deep inside node:crypto, far from its cause.
 */
function requireKeys(keys: unknown): KeyObject | readonly VerificationKey[] {
  if (keys instanceof KeyObject) return keys;
  if (Array.isArray(keys)) {
    const index = keys.findIndex((item) => !isVerificationKey(item));
    if (index === -1) return keys as readonly VerificationKey[];
    const reason = `keys[${index}] is ${describeValue(keys[index])}, not {key, kid?} with a KeyObject key: load each key with loadPublicKey or loadJwks`;
    throw new VerifierSetupError('VERIFY_KEYS_INVALID', reason, { option: 'keys', reason });
  }
  const hint =
    typeof keys === 'string' || keys instanceof Uint8Array
      ? ': parse the PEM or JWK with loadPublicKey(text) first'
      : describeValue(keys) === 'a CryptoKey'
        ? ': convert it with KeyObject.from(cryptoKey)'
        : ': pass loadPublicKey(certificatePem)';
  const reason = `is ${describeValue(keys)}, not a public key (KeyObject) or a list of them${hint}`;
  throw new VerifierSetupError('VERIFY_KEYS_INVALID', `keys ${reason}`, { option: 'keys', reason });
}

function selectKey(
  keys: KeyObject | readonly VerificationKey[],
  kid: unknown,
): { key: KeyObject } | { problem: Finding } {
  if (!Array.isArray(keys)) return { key: keys as KeyObject };
  const list = keys as readonly VerificationKey[];
  const byKid = typeof kid === 'string' ? list.find((candidate) => candidate.kid === kid) : undefined;
  if (byKid) return { key: byKid.key };
  const only = list.length === 1 ? list[0] : undefined;
  if (only && (only.kid === undefined || kid === undefined)) return { key: only.key };
  const known = list.map((item) => JSON.stringify(item.kid ?? null)).join(', ') || 'no keys';
  return {
    problem: finding(
      'QJ015',
      kid === undefined
        ? `the token has no kid and ${list.length} keys were given`
        : `kid ${JSON.stringify(kid)} is not among ${known}`,
    ),
  };
}

function keyFindings(key: KeyObject): Finding[] {
  if (key.asymmetricKeyType !== 'rsa') return [finding('QJ014', `a ${key.asymmetricKeyType ?? key.type} key`)];
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  return bits < MIN_RSA_BITS ? [finding('QJ013', `${bits} bits`)] : [];
}

/**
 * Decodes and lints without a key: every finding at once, the signature left unchecked.
 * Good for "why would Qlik refuse this?" when only the token is at hand.
 */
export function lintToken(token: string, platform: Platform = 'none', options: LintOptions = {}): InspectionResult {
  requireVerifierSetup(platform, options);
  const decoded = decodeToken(token);
  const findings = [...decoded.findings];
  if (decoded.header && decoded.payload)
    findings.push(...lintClaims(decoded.header, decoded.payload, platform, options));
  if (decoded.header) findings.push(finding('QJ022'));
  return {
    accepted: !hasErrors(findings),
    header: decoded.header,
    payload: decoded.payload,
    signatureValid: undefined,
    findings,
  };
}

/**
 * Verifies a token as Qlik would: the signature (RS256/384/512 only: never none, never HMAC with a
 * public key as the secret) and every rule of the platform. Findings are all reported; a valid signature
 * on an expired token gives both "signature valid" and "expired".
 */
export function verifyToken(token: string, options: VerifyOptions): InspectionResult {
  const keys = requireKeys((options as VerifyOptions | undefined)?.keys);
  const platform = requireVerifierSetup(options.platform ?? 'none', options);
  const decoded = decodeToken(token);
  const findings = [...decoded.findings];
  let signatureValid: boolean | undefined;
  if (decoded.header) {
    const alg = decoded.header['alg'];
    const selected = selectKey(keys, decoded.header['kid']);
    if ('problem' in selected) {
      findings.push(selected.problem);
    } else {
      const keyProblems = keyFindings(selected.key);
      findings.push(...keyProblems);
      const signature = decoded.signatureBytes;
      if (keyProblems.length === 0 && isRsaAlgorithm(alg) && signature !== undefined) {
        signatureValid = verify(
          hashForAlgorithm(alg),
          Buffer.from(decoded.signingInput, 'latin1'),
          selected.key,
          signature,
        );
        findings.push(finding(signatureValid ? 'QJ021' : 'QJ020'));
      }
    }
  }
  if (decoded.header && decoded.payload)
    findings.push(...lintClaims(decoded.header, decoded.payload, platform, options));
  const accepted = signatureValid === true && !hasErrors(findings);
  return { accepted, header: decoded.header, payload: decoded.payload, signatureValid, findings };
}
