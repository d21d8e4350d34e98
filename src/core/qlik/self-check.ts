import { ClaimError } from '../errors.js';
import type { JwsHeader, JwtPayload } from '../jose/compact-jws.js';
import { lintClaims, type LintOptions, type Platform } from '../lint/claim-rules.js';
import type { TimeWindow } from '../time/token-window.js';

/**
 * Runs the platform's acceptance rules on a token about to be signed, so create never outputs a token
 * verify would reject. Time rules are evaluated when the token is meant to be used (its nbf), so tokens
 * minted for later still pass. Returns the warnings; throws on the first error.
 */
export function refuseRejected(
  header: JwsHeader,
  payload: JwtPayload,
  platform: Platform,
  options: LintOptions,
  window: TimeWindow,
): string[] {
  const findings = lintClaims(
    header,
    payload,
    platform,
    Object.assign({}, options, { at: Math.max(window.iat, window.nbf) }),
  );
  const error = findings.find((item) => item.severity === 'error');
  if (error) throw new ClaimError('CLAIM_INVALID', `${error.message} [${error.code}]: ${error.fix}`);
  return findings
    .filter((item) => item.severity === 'warning')
    .map((item) => `${item.message} [${item.code}]: ${item.fix}`);
}
