import type { Platform } from '../core/lint/claim-rules.js';
import type { InspectionResult } from '../core/lint/verify-token.js';
import type { CloudProbeUser, ProbeReport, ProbeStep, QseowProbeUser } from '../probe/probe-step.js';
import { reportAsText } from './inspection-report.js';

/** How `qs-jwt test` prints its report: one line per step, then the user or the diagnosis, then a verdict. */

const NAME_WIDTH = 21;

export function stepLine(step: ProbeStep): string {
  return `${(step.ok ? 'ok' : 'FAIL').padEnd(5)} ${step.name.padEnd(NAME_WIDTH)} ${String(step.status ?? '-').padEnd(4)} ${step.detail}\n`;
}

function isQseowUser(user: QseowProbeUser | CloudProbeUser): user is QseowProbeUser {
  return 'userId' in user;
}

function userLines(user: QseowProbeUser | CloudProbeUser): string[] {
  if (isQseowUser(user)) {
    return [
      `user:    ${user.userDirectory}\\${user.userId}${user.userName && user.userName !== user.userId ? ` (${user.userName})` : ''}`,
    ];
  }
  return [
    `user:    ${user.name ?? '(no name)'}`,
    `email:   ${user.email ?? '(none)'}`,
    `subject: ${user.subject ?? '(none)'}`,
    `groups:  ${user.groups.length > 0 ? user.groups.join(', ') : '(none)'}`,
    ...(user.id !== undefined ? [`id:      ${user.id}`] : []),
  ];
}

/** Everything after the step lines (which are printed as they complete). */
export function reportTail(
  report: ProbeReport,
  platform: Exclude<Platform, 'none'>,
  lint: InspectionResult | undefined,
  at: number,
): string {
  const lines: string[] = [];
  if (report.user) lines.push(...userLines(report.user));
  if (report.refusal) {
    const { refusal } = report;
    lines.push(`server:  ${refusal.status} at ${refusal.step}${refusal.body ? `: ${refusal.body}` : ''}`);
    if (refusal.reason) lines.push(`reason:  X-Qs-Jwt-Reason: ${refusal.reason}`);
  }
  if (lint) {
    lines.push(
      `local check of the token: ${reportAsText(
        lint,
        platform,
        at,
        lint.signatureValid === undefined ? 'lint' : 'verify',
      )
        .trimEnd()
        .split('\n')
        .join('\n')}`,
    );
  }
  if (report.diagnosis && report.diagnosis.length > 0)
    lines.push('likely cause:', ...report.diagnosis.map((line) => `  ${line}`));
  const failed = report.steps.find((item) => !item.ok);
  lines.push(
    report.ok
      ? `PASSED: all ${report.steps.length} steps succeeded`
      : `FAILED at ${failed?.name ?? 'the first step'}${failed?.status != null ? ` (${failed.status})` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
