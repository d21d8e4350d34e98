import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, parseAbsoluteTime, parseSignedDuration, resolveTimeWindow, TimeError } from '../src/index.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

test('durations in every unit parse to seconds', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 99 }), fc.constantFrom(...Object.keys(UNITS)), (amount, unit) => {
      assert.equal(parseSignedDuration(`${amount}${unit}`), amount * (UNITS[unit] as number));
    }),
  );
});

test('formatDuration output parses back to the same number of seconds', () => {
  fc.assert(
    fc.property(fc.integer({ min: -10 * 31_536_000, max: 10 * 31_536_000 }), (seconds) => {
      assert.equal(parseSignedDuration(formatDuration(seconds)), seconds);
    }),
  );
});

test('the duration parser never throws anything but TimeError and never accepts garbage as a number', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      try {
        const value = parseSignedDuration(text);
        if (value !== undefined) assert.ok(Number.isSafeInteger(value));
      } catch (error) {
        assert.ok(error instanceof TimeError, String(error));
      }
    }),
    { numRuns: 5000 },
  );
});

test('RFC 3339 times round-trip through ISO strings', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 253_402_300_799 }), (seconds) => {
      const iso = new Date(seconds * 1000).toISOString();
      assert.equal(parseAbsoluteTime(iso), seconds);
      assert.equal(parseAbsoluteTime(String(seconds)), seconds);
    }),
  );
});

test('a positive lifetime always gives iat <= nbf < exp, and zero or negative is refused', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 400 * 86_400 }),
      fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
      (lifetime, now) => {
        const window = resolveTimeWindow({ expires: `${lifetime}s` }, '1h', now);
        assert.deepEqual(window, { iat: now, nbf: now, exp: now + lifetime });
      },
    ),
  );
  for (const bad of ['0s', '-5m', '0', 'soon', '5 parsecs', '', '1.5h', '2026-02-30T00:00:00Z']) {
    assert.throws(() => resolveTimeWindow({ expires: bad }, '1h', 1_800_000_000), TimeError, bad);
  }
});
