import type { Severity } from '../core/lint/rules.js';

/**
 * What `qs-jwt doctor` can find on the Qlik side, one entry per rule with a stable code, like the
 * token rules of src/core/lint/rules.ts. QD1xx: a QSEoW virtual proxy; QD2xx: a Qlik Cloud JWT
 * identity provider. Never renumber; every code is documented in docs/setup.md.
 */
export interface DoctorRule {
  severity: Severity;
  title: string;
  fix: string;
}

export const DOCTOR_RULES = {
  QD101: {
    severity: 'error',
    title: 'no virtual proxy has this prefix',
    fix: 'create it with qs-jwt setup qseow, or check --prefix',
  },
  QD102: {
    severity: 'error',
    title: 'the virtual proxy does not use JWT authentication',
    fix: 'set its authentication method to JWT (qs-jwt setup qseow does)',
  },
  QD103: {
    severity: 'error',
    title: 'the virtual proxy has no usable JWT certificate',
    fix: 'paste the certificate tokens are verified with (qs-jwt setup qseow --cert publickey.cer)',
  },
  QD104: {
    severity: 'error',
    title: "the virtual proxy's certificate does not hold the signing key's public key",
    fix: 'run qs-jwt setup qseow --cert with the certificate of the key that signs the tokens',
  },
  QD105: {
    severity: 'error',
    title: "the JWT attribute for user ID differs from the tokens' claim",
    fix: 'mint with --userid-attr equal to the proxy setting, or change the proxy (qs-jwt setup qseow --userid-attr)',
  },
  QD106: {
    severity: 'error',
    title: "the JWT attribute for user directory differs from the tokens' claim",
    fix: 'mint with --userdir-attr equal to the proxy setting, or change the proxy (qs-jwt setup qseow --userdir-attr)',
  },
  QD107: {
    severity: 'error',
    title: "the virtual proxy's JWT audience differs from the tokens' aud",
    fix: "mint with --audience equal to the proxy setting, or set the proxy to the tokens' audience (qs-jwt setup qseow --audience)",
  },
  QD108: {
    severity: 'error',
    title: 'a mandatory mapped attribute is missing from the token',
    fix: 'add the claim to the tokens, or make the mapping optional',
  },
  QD109: {
    severity: 'warning',
    title: 'a mapped attribute is missing from the token',
    fix: 'add the claim if security rules read the attribute (user.environment.<name>)',
  },
  QD110: {
    severity: 'error',
    title: 'the virtual proxy is not linked to the central proxy',
    fix: 'link it (qs-jwt setup qseow links to the central proxy by default); until then every request gets 400 "The http request header is incorrect"',
  },
  QD111: {
    severity: 'warning',
    title: "the host users open is missing from the virtual proxy's websocket origin allow list",
    fix: 'add it with qs-jwt setup qseow --allow-host HOST; since November 2024 the engine websocket answers 403 otherwise',
  },
  QD112: {
    severity: 'error',
    title: 'another virtual proxy uses the same session cookie name',
    fix: 'give each virtual proxy its own cookie name (qs-jwt setup qseow --session-cookie)',
  },
  QD113: {
    severity: 'warning',
    title: 'the virtual proxy has no engine node to send users to',
    fix: 'add a load balancing node (qs-jwt setup qseow adds the central node)',
  },
  QD114: { severity: 'info', title: 'live login through the virtual proxy succeeded', fix: '' },
  QD115: {
    severity: 'error',
    title: 'live login through the virtual proxy failed',
    fix: 'run qs-jwt test qseow for the step-by-step report',
  },
  QD201: {
    severity: 'error',
    title: 'no JWT identity provider exists on the tenant',
    fix: 'create one with qs-jwt setup cloud',
  },
  QD202: {
    severity: 'error',
    title: "no JWT identity provider has the tokens' issuer and key ID",
    fix: 'mint with the issuer and kid of an identity provider, or create one for yours (qs-jwt setup cloud)',
  },
  QD203: {
    severity: 'error',
    title: "the identity provider's issuer differs from the tokens' iss",
    fix: "mint with --issuer equal to the identity provider's, or create one for your issuer (qs-jwt setup cloud --replace)",
  },
  QD204: {
    severity: 'error',
    title: "the identity provider's key ID differs from the tokens' kid",
    fix: "mint with --kid equal to the identity provider's, or create one for your key ID (qs-jwt setup cloud --replace)",
  },
  QD205: {
    severity: 'error',
    title: "the identity provider's certificate does not hold the signing key's public key",
    fix: 'rotate to the right certificate with qs-jwt setup cloud --replace',
  },
  QD206: {
    severity: 'error',
    title: 'the identity provider is not active',
    fix: 'activate it in the management console (the API cannot change a JWT IdP), or create a new one',
  },
  QD207: {
    severity: 'warning',
    title: 'the identity provider allows no clock skew',
    fix: 'tokens minted on a clock slightly ahead are refused until nbf; recreate with --clock-tolerance 5s, or mint with --not-before -30s',
  },
  QD208: { severity: 'info', title: 'live login through /login/jwt-session succeeded', fix: '' },
  QD209: {
    severity: 'error',
    title: 'live login through /login/jwt-session failed',
    fix: 'run qs-jwt test cloud for the step-by-step report',
  },
} as const satisfies Record<string, DoctorRule>;

export type DoctorCode = keyof typeof DOCTOR_RULES;

export interface DoctorFinding {
  code: DoctorCode;
  severity: Severity;
  message: string;
  fix: string;
}

export function doctorFinding(code: DoctorCode, detail?: string): DoctorFinding {
  const rule: DoctorRule = DOCTOR_RULES[code];
  return { code, severity: rule.severity, message: detail ? `${rule.title}: ${detail}` : rule.title, fix: rule.fix };
}

export function hasDoctorErrors(findings: readonly DoctorFinding[]): boolean {
  return findings.some((item) => item.severity === 'error');
}

/** Errors first, then warnings, then facts; each fix once per code. */
export function doctorReportText(findings: readonly DoctorFinding[], subject: string): string {
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
  const verdict = hasDoctorErrors(findings) ? `PROBLEMS FOUND in ${subject}` : `OK: ${subject}`;
  const fixed = new Set<string>();
  const lines = sorted.flatMap((item) => {
    const showFix = item.fix !== '' && item.severity !== 'info' && !fixed.has(item.code);
    fixed.add(item.code);
    return [
      `  ${item.severity.padEnd(7)} ${item.code} ${item.message}`,
      ...(showFix ? [`          fix: ${item.fix}`] : []),
    ];
  });
  return `${[verdict, ...lines].join('\n')}\n`;
}
