/**
 * Qlik acceptance rules, one entry per rule with a stable code. error = Qlik refuses the token;
 * warning = accepted but risky or undocumented; info = a fact worth showing (e.g. signature valid).
 * Codes: QJ0xx any platform, QJ1xx client-managed QSEoW, QJ2xx Qlik Cloud. Never renumber.
 */
export type Severity = 'error' | 'warning' | 'info';
export type RuleScope = 'common' | 'qseow' | 'cloud';

export interface Rule {
  severity: Severity;
  scope: RuleScope;
  title: string;
  fix: string;
}

export const RULES = {
  QJ001: {
    severity: 'error',
    scope: 'common',
    title: 'not a compact JWS (header.payload.signature)',
    fix: 'pass the whole token: three base64url parts joined by dots',
  },
  QJ002: {
    severity: 'error',
    scope: 'common',
    title: 'encrypted JWT (JWE): Qlik accepts only signed JWTs',
    fix: 'sign the token (RS256) instead of encrypting it',
  },
  QJ003: {
    severity: 'error',
    scope: 'common',
    title: 'header is not base64url-encoded JSON object',
    fix: 'the token is damaged or truncated: copy it again',
  },
  QJ004: {
    severity: 'error',
    scope: 'common',
    title: 'payload is not base64url-encoded JSON object',
    fix: 'the token is damaged or truncated: copy it again',
  },
  QJ005: {
    severity: 'error',
    scope: 'common',
    title: 'token is too large',
    fix: 'a Qlik JWT is a few KiB; check what was passed',
  },
  QJ006: {
    severity: 'error',
    scope: 'common',
    title: 'crit header names an extension this verifier does not understand',
    fix: 'mint without a crit header (and without b64: false): Qlik verifies plain JWS only',
  },
  QJ007: {
    severity: 'error',
    scope: 'common',
    title: 'crit header is malformed (RFC 7515 §4.1.11)',
    fix: 'mint without a crit header: Qlik verifies plain JWS only',
  },
  QJ010: {
    severity: 'error',
    scope: 'common',
    title: 'alg "none": unsigned tokens are never accepted',
    fix: 'sign with RS256 and an RSA private key',
  },
  QJ011: {
    severity: 'error',
    scope: 'common',
    title: 'HMAC algorithm (HS*): Qlik verifies with an RSA certificate',
    fix: 'sign with RS256 and an RSA private key',
  },
  QJ012: {
    severity: 'error',
    scope: 'common',
    title: 'algorithm other than RS256, RS384, RS512',
    fix: 'sign with RS256 (or RS384/RS512 for QSEoW)',
  },
  QJ013: {
    severity: 'error',
    scope: 'common',
    title: 'verification key under 2048 bits',
    fix: 'create a 2048-bit or larger key with qs-jwt keys create',
  },
  QJ014: {
    severity: 'error',
    scope: 'common',
    title: 'verification key is not RSA',
    fix: 'give the RSA certificate or public key configured in Qlik',
  },
  QJ015: {
    severity: 'error',
    scope: 'common',
    title: 'no key matches the token kid',
    fix: 'give the JWKS or certificate that holds the key the token names in kid',
  },
  QJ020: {
    severity: 'error',
    scope: 'common',
    title: 'signature invalid for the given key',
    fix: 'sign with the private key that belongs to the certificate configured in Qlik, or paste the matching certificate there',
  },
  QJ021: { severity: 'info', scope: 'common', title: 'signature valid for the given key', fix: '' },
  QJ022: {
    severity: 'info',
    scope: 'common',
    title: 'signature not checked (no key given)',
    fix: 'give --cert, --key or --jwks to check the signature',
  },
  QJ030: {
    severity: 'error',
    scope: 'common',
    title: 'token expired',
    fix: 'mint a new token; check that the clocks of the minting host and Qlik agree',
  },
  QJ031: {
    severity: 'error',
    scope: 'common',
    title: 'token not yet valid (nbf in the future)',
    fix: 'set nbf to now or earlier; check clock skew between hosts',
  },
  QJ032: {
    severity: 'warning',
    scope: 'common',
    title: 'iat in the future',
    fix: 'set iat to the time of minting; check the minting host clock',
  },
  QJ033: {
    severity: 'warning',
    scope: 'common',
    title: 'no exp: the token never expires',
    fix: 'give the token an expiry (--expires)',
  },
  QJ034: {
    severity: 'error',
    scope: 'common',
    title: 'time claim is not a NumericDate (a number of seconds)',
    fix: 'write exp, nbf and iat as Unix seconds (numbers), not strings or milliseconds',
  },
  QJ101: {
    severity: 'error',
    scope: 'qseow',
    title: 'user ID claim missing',
    fix: 'add the claim named in the virtual proxy\'s "JWT attribute for user ID"',
  },
  QJ102: {
    severity: 'error',
    scope: 'qseow',
    title: 'user ID claim is not a non-empty string',
    fix: 'send the user ID as a JSON string',
  },
  QJ103: {
    severity: 'error',
    scope: 'qseow',
    title: 'user directory claim missing',
    fix: 'add the claim named in the virtual proxy\'s "JWT attribute for user directory"',
  },
  QJ104: {
    severity: 'error',
    scope: 'qseow',
    title: 'user directory claim is not a non-empty string',
    fix: 'send the user directory as a JSON string',
  },
  QJ105: {
    severity: 'error',
    scope: 'qseow',
    title: "audience differs from the virtual proxy's JWT audience",
    fix: "mint with --audience equal to the virtual proxy's JWT audience",
  },
  QJ106: {
    severity: 'error',
    scope: 'qseow',
    title: 'attribute named like a registered claim',
    fix: 'use another claim name (e.g. userId, userDirectory) in the QMC and when minting',
  },
  QJ107: {
    severity: 'warning',
    scope: 'qseow',
    title: 'lifetime over 30 days',
    fix: 'mint shorter-lived tokens; a leaked token is usable until it expires',
  },
  QJ108: {
    severity: 'error',
    scope: 'qseow',
    title: 'user ID or directory has ";", "=", a control character or surrounding spaces',
    fix:
      'Qlik passes the user on as "UserDirectory=<dir>; UserId=<id>", which these split or forge: ' +
      'send the user ID and directory without them',
  },
  QJ201: {
    severity: 'error',
    scope: 'cloud',
    title: 'required claim missing',
    fix: 'Qlik Cloud needs jti, iat, nbf, exp, sub, subType, name, email, email_verified and iss: mint with qs-jwt create cloud',
  },
  QJ202: {
    severity: 'error',
    scope: 'cloud',
    title: 'header kid missing',
    fix: "set kid to the identity provider's key ID (--kid)",
  },
  QJ203: {
    severity: 'error',
    scope: 'cloud',
    title: 'aud is not exactly "qlik.api/login/jwt-session"',
    fix: 'set aud to the string qlik.api/login/jwt-session',
  },
  QJ204: {
    severity: 'error',
    scope: 'cloud',
    title: 'email_verified is not a JSON boolean',
    fix: 'send email_verified as true or false, not "true"',
  },
  QJ205: { severity: 'error', scope: 'cloud', title: 'subType is not "user"', fix: 'set subType to "user"' },
  QJ206: {
    severity: 'error',
    scope: 'cloud',
    title: 'groups is not an array of strings',
    fix: 'send groups as a JSON array of strings, e.g. ["Sales"]',
  },
  QJ207: {
    severity: 'warning',
    scope: 'cloud',
    title: 'claim "group" is ignored: Qlik Cloud reads "groups"',
    fix: 'rename the claim to groups',
  },
  QJ208: {
    severity: 'error',
    scope: 'cloud',
    title: 'exp − nbf is over 3600 seconds',
    fix: 'mint tokens valid for at most one hour (e.g. --expires 5m)',
  },
  QJ209: {
    severity: 'error',
    scope: 'cloud',
    title: "iss differs from the identity provider's issuer",
    fix: "mint with --issuer equal to the identity provider's issuer",
  },
  QJ210: {
    severity: 'error',
    scope: 'cloud',
    title: "kid differs from the identity provider's key ID",
    fix: "mint with --kid equal to the identity provider's key ID",
  },
  QJ211: {
    severity: 'warning',
    scope: 'cloud',
    title: 'alg other than RS256: Qlik Cloud documents RS256 only',
    fix: 'sign with RS256',
  },
  QJ212: {
    severity: 'error',
    scope: 'cloud',
    title: 'claim has the wrong type',
    fix: 'send sub, name, email, iss and jti as non-empty JSON strings',
  },
} as const satisfies Record<string, Rule>;

export type RuleCode = keyof typeof RULES;

export interface Finding {
  code: RuleCode;
  severity: Severity;
  message: string;
  fix: string;
}

/** A finding for a rule, with a message that names the concrete claim or value. */
export function finding(code: RuleCode, detail?: string): Finding {
  const rule: Rule = RULES[code];
  return { code, severity: rule.severity, message: detail ? `${rule.title}: ${detail}` : rule.title, fix: rule.fix };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((item) => item.severity === 'error');
}
