import type { CreatedToken } from '../core/qlik/token-common.js';
import { isoTime } from '../core/time/token-window.js';
import type { TokenFormat } from './token-options.js';
import { writeStderr, writeStdout } from './io/standard-streams.js';

export function formatToken(created: CreatedToken, format: TokenFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ token: created.token, header: created.header, payload: created.payload, expiresAt: created.expiresAt }, null, 2)}\n`;
    case 'header':
      return `Authorization: Bearer ${created.token}\n`;
    case 'env':
      return `QLIK_JWT=${created.token}\n`;
    case 'token':
      return `${created.token}\n`;
  }
}

/** A human summary for stderr: who the token is for, where it goes, and when it is valid. */
export function summarizeToken(created: CreatedToken, subjectLine: string): string {
  const { header, payload } = created;
  const times = (['iat', 'nbf', 'exp'] as const).map(
    (claim) => `  ${claim.padEnd(4)} ${isoTime(payload[claim] as number)}`,
  );
  return [
    `${subjectLine}`,
    `  alg  ${header.alg}${header.kid ? `, kid ${header.kid}` : ''}`,
    ...(payload['aud'] !== undefined ? [`  aud  ${String(payload['aud'])}`] : []),
    ...(payload['iss'] !== undefined ? [`  iss  ${String(payload['iss'])}`] : []),
    ...times,
    '',
  ].join('\n');
}

/** Writes the token to stdout, and warnings and (on a terminal or with --verbose) a summary to stderr. */
export function emitToken(
  created: CreatedToken,
  format: TokenFormat,
  options: { summary: string; showSummary: boolean; quiet?: boolean },
): void {
  if (!options.quiet) {
    for (const warning of created.warnings) writeStderr(`qs-jwt: warning: ${warning}\n`);
  }
  if (options.showSummary) writeStderr(options.summary);
  writeStdout(formatToken(created, format));
}
