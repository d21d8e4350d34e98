import type { Finding } from './api-client.js';
import { el } from './element.js';

const ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Findings as a labelled list, errors first; each item shows severity, rule code, message and fix. */
export function findingsList(findings: readonly Finding[], label = 'Findings'): HTMLUListElement {
  const sorted = [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  return el(
    'ul',
    { className: 'findings', attrs: { 'aria-label': label } },
    ...sorted.map((item) =>
      el(
        'li',
        { className: item.severity },
        el('span', { className: 'badge', text: item.severity }),
        ' ',
        el('code', { text: item.code }),
        ' ',
        el('span', { text: item.message }),
        item.fix && item.severity !== 'info' ? el('span', { className: 'fix', text: ` Fix: ${item.fix}` }) : null,
      ),
    ),
  );
}

/** A short verdict line: accepted or rejected, with counts. */
export function verdict(accepted: boolean, findings: readonly Finding[], what: string): string {
  const count = (severity: Finding['severity']) => findings.filter((item) => item.severity === severity).length;
  return `${accepted ? 'Accepted' : 'Rejected'} ${what}: ${count('error')} error(s), ${count('warning')} warning(s)`;
}
