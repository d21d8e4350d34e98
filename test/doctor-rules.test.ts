import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DOCTOR_RULES } from '../src/provisioning/doctor-rules.js';

const reference = readFileSync(new URL('../docs/setup.md', import.meta.url), 'utf8');

test('docs/setup.md documents every doctor finding with its code, severity and title, and no others', () => {
  for (const [code, rule] of Object.entries(DOCTOR_RULES)) {
    assert.ok(
      reference.includes(`| ${code} | ${rule.severity} | ${rule.title} |`),
      `${code} is missing from the docs/setup.md table or differs`,
    );
  }
  const documented = [...reference.matchAll(/^\| (QD\d{3}) \|/gm)].map((match) => match[1]);
  assert.deepEqual(documented.sort(), Object.keys(DOCTOR_RULES).sort());
});

test('every error and warning finding has a fix', () => {
  for (const [code, rule] of Object.entries(DOCTOR_RULES)) {
    if (rule.severity !== 'info') assert.notEqual(rule.fix, '', `${code} has no fix`);
  }
});
