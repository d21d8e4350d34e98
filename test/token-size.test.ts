// Token size (issue 10, defect 5): the minters refuse what qs-jwt's own verifier refuses (QJ005, over
// MAX_TOKEN_LENGTH), and warn when the Authorization header line passes 8 KiB, which many servers and
// proxies refuse. Library calls in-process; the CLI as a subprocess.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { ClaimError, createCloudToken, createQseowToken, MAX_TOKEN_LENGTH, verifyToken } from '../src/index.js';
import { makeKeyFixtures } from './support/fixtures.js';
import { runCli } from './support/run-cli.js';

const keys = makeKeyFixtures();
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });

/** Groups whose JSON array is about `characters` long (base64url makes it a third longer in the token). */
function groupsOf(characters: number): string[] {
  return Array.from({ length: Math.ceil(characters / 15) }, (_, index) => `group-${String(index).padStart(6, '0')}`);
}

test('the library refuses a token over MAX_TOKEN_LENGTH with a typed error, before signing', () => {
  assert.throws(
    () => createQseowToken({ privateKey, userId: 'anna', userDirectory: 'ACME', groups: groupsOf(52_000) }),
    (error: unknown) =>
      error instanceof ClaimError &&
      error.code === 'TOKEN_TOO_LARGE' &&
      /would be \d+ characters, over the 65536/.test(error.message) &&
      !/--/.test(error.message),
  );
  assert.throws(
    () =>
      createCloudToken({
        privateKey,
        subject: 'a',
        name: 'A',
        email: 'a@acme.com',
        issuer: 'i',
        keyId: 'k',
        claims: { blob: 'x'.repeat(50_000) },
      }),
    (error: unknown) => error instanceof ClaimError && error.code === 'TOKEN_TOO_LARGE',
  );
});

test('whatever the minter makes, the verifier takes: the largest token allowed is not refused as too large', () => {
  // Grow the groups until minting refuses; the last token minted must pass verify's size check.
  let largest: string | undefined;
  for (let size = 40_000; size < 60_000; size += 300) {
    try {
      largest = createQseowToken({ privateKey, userId: 'anna', userDirectory: 'ACME', groups: groupsOf(size) }).token;
    } catch (error) {
      assert.ok(error instanceof ClaimError && error.code === 'TOKEN_TOO_LARGE', String(error));
      break;
    }
  }
  assert.ok(largest !== undefined, 'some token was minted');
  assert.ok(largest.length > MAX_TOKEN_LENGTH - 1000 && largest.length <= MAX_TOKEN_LENGTH, String(largest.length));
  const result = verifyToken(largest, { keys: publicKey, platform: 'qseow' });
  assert.equal(
    result.findings.some((item) => item.code === 'QJ005'),
    false,
  );
  assert.equal(result.signatureValid, true);
});

test('a token whose Authorization header line passes 8 KiB is minted with a warning', () => {
  const small = createQseowToken({ privateKey, userId: 'anna', userDirectory: 'ACME', groups: groupsOf(2_000) });
  assert.equal(
    small.warnings.some((warning) => /8 KiB/.test(warning)),
    false,
  );
  const large = createQseowToken({ privateKey, userId: 'anna', userDirectory: 'ACME', groups: groupsOf(7_000) });
  const warning = large.warnings.find((item) => /8 KiB/.test(item)) ?? '';
  const line = large.token.length + 'Authorization: Bearer '.length;
  assert.match(warning, new RegExp(`is ${line} bytes: .*may be refused`));
});

test('create qseow: too large is one error line (exit 2, nothing on stdout); over 8 KiB warns on stderr', async () => {
  const base = ['create', 'qseow', '--key', keys.pkcs8, '--userid', 'anna', '--userdir', 'ACME', '--groups'];
  const refused = await runCli([...base, ...groupsOf(52_000)]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /^qs-jwt: error: the token would be \d+ characters, over the 65536/);
  assert.equal(refused.stderr.trimEnd().split('\n').length, 1);
  const warned = await runCli([...base, ...groupsOf(7_000)]);
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stdout, /^ey[\w-]+\.[\w-]+\.[\w-]+\n$/);
  assert.match(warned.stderr, /^qs-jwt: warning: the header line "Authorization: Bearer <token>" is \d+ bytes: /m);
  assert.match(warned.stderr, /the token may be refused/);
});

test('batch: an oversized row fails alone; tokens over 8 KiB get one warning naming the first line', async () => {
  const row = (user: string, groups: string[]): string => JSON.stringify({ userid: user, userdir: 'ACME', groups });
  const large = groupsOf(7_000);
  const rows = [row('anna', ['Sales']), row('bert', large), row('carl', groupsOf(52_000)), row('dora', large)];
  const input = rows.join('\n');
  const result = await runCli(['batch', 'qseow', '--key', keys.pkcs8, '--input', '-'], { stdin: `${input}\n` });
  assert.equal(result.code, 1, result.stderr);
  type Output = { line: number; token?: string; error?: string };
  const lines = result.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Output);
  const minted = lines.map((line) => [line.line, line.token !== undefined]);
  assert.deepEqual(minted, [
    [1, true],
    [2, true],
    [3, false],
    [4, true],
  ]);
  assert.match(lines[2]?.error ?? '', /the token would be \d+ characters/);
  const warning = /^qs-jwt: warning: 2 tokens \(first at line 2\) make an "Authorization: Bearer" header line over 8/m;
  assert.match(result.stderr, warning);
  assert.match(result.stderr, /so they may be refused/);
});
