import type { Platform } from '../core/lint/claim-rules.js';
import type { InspectionResult } from '../core/lint/verify-token.js';
import { isoTime } from '../core/time/token-window.js';

/** What the CLI knows beside the result: what went unchecked, and which profile configured the verifier. */
export interface ReportContext {
  unchecked: readonly string[];
  profile: { name: string; file: string; explicit: boolean } | undefined;
}

const NO_CONTEXT: ReportContext = { unchecked: [], profile: undefined };

export function reportAsJson(result: InspectionResult, context: ReportContext = NO_CONTEXT): string {
  const { accepted, signatureValid, header, payload, findings } = result;
  const profile = context.profile
    ? { name: context.profile.name, file: context.profile.file, explicit: context.profile.explicit }
    : null;
  return `${JSON.stringify(
    {
      accepted,
      signatureValid: signatureValid ?? null,
      header: header ?? null,
      payload: payload ?? null,
      findings,
      unchecked: context.unchecked,
      profile,
    },
    null,
    2,
  )}\n`;
}

/** Verdict first, then every finding with its code and fix, errors before warnings before facts. */
export function reportAsText(
  result: InspectionResult,
  platform: Platform,
  at: number,
  what: 'verify' | 'lint',
  context: ReportContext = NO_CONTEXT,
): string {
  const rules =
    platform === 'none' ? 'signature and time rules' : `${platform === 'qseow' ? 'QSEoW' : 'Qlik Cloud'} rules`;
  const verdict = result.accepted
    ? `ACCEPTED by ${rules} at ${isoTime(at)}${what === 'lint' ? ' (claims only: the signature was not checked)' : ''}`
    : `REJECTED by ${rules} at ${isoTime(at)}`;
  const order = { error: 0, warning: 1, info: 2 } as const;
  const findings = [...result.findings].sort((a, b) => order[a.severity] - order[b.severity]);
  const fixed = new Set<string>();
  const lines = findings.flatMap((item) => {
    // Several findings of one rule (each missing claim) share a fix: show it once.
    const showFix = item.fix !== '' && item.severity !== 'info' && !fixed.has(item.code);
    fixed.add(item.code);
    return [
      `  ${item.severity.padEnd(7)} ${item.code} ${item.message}`,
      ...(showFix ? [`          fix: ${item.fix}`] : []),
    ];
  });
  const notes = [
    ...context.unchecked.map((note) => `  note    not checked: ${note}`),
    ...(context.profile ? [`  note    profile "${context.profile.name}" of ${context.profile.file}`] : []),
  ];
  return `${[verdict, ...lines, ...notes].join('\n')}\n`;
}
