// Bad input to the CLI, run as a subprocess: every failure is a real exit code, an empty stdout and exactly
// one line on stderr that starts with `qs-jwt`, names what was wrong, and carries no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeKeyFixtures, temporaryFolder } from './support/fixtures.js';
import { runCli, type CliResult, type CliRunOptions } from './support/run-cli.js';

const keys = makeKeyFixtures();
const work = temporaryFolder();
/** Filled by `keys create` before the table runs: a certificate, and files a second run must not replace. */
const existing = join(work, 'existing');
const certificate = join(existing, 'publickey.cer');
const wrongPassphraseFile = join(work, 'wrong-passphrase.txt');
const emptyPassphraseFile = join(work, 'empty-passphrase.txt');
const keyFolder = join(work, 'a-folder');
const regularFile = join(work, 'a-regular-file.txt');
const UNSET_VARIABLE = 'QS_JWT_TEST_VARIABLE_THAT_IS_NEVER_SET';

const qseow = (...extra: string[]): string[] => [
  'create',
  'qseow',
  '--key',
  keys.pkcs8,
  '--userid',
  'anna',
  '--userdir',
  'ACME',
  ...extra,
];
const qseowWithKey = (key: string, ...extra: string[]): string[] => [
  'create',
  'qseow',
  '--key',
  key,
  '--userid',
  'anna',
  '--userdir',
  'ACME',
  ...extra,
];
const cloud = (...extra: string[]): string[] => [
  'create',
  'cloud',
  '--key',
  keys.pkcs8,
  '--sub',
  'anna',
  '--name',
  'Anna',
  '--email',
  'anna@acme.com',
  '--issuer',
  'https://idp.acme.com',
  ...extra,
];

function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

interface KnownBug {
  /** What the line should also do, as the test title. */
  what: string;
  todo?: string;
  mentions?: RegExp[];
  avoids?: RegExp[];
}

interface ErrorCase {
  name: string;
  args: string[];
  code: 1 | 2;
  /** Every pattern must occur in the one stderr line: the flag, file or claim at fault, and the fix. */
  mentions: RegExp[];
  options?: CliRunOptions;
  /** Expectations the CLI does not meet yet, run as a separate todo test. */
  bug?: KnownBug;
  /** The whole contract is not met yet. */
  todo?: string;
}

const CASES: ErrorCase[] = [
  // The signing key
  {
    name: 'no --key at all',
    args: ['create', 'qseow', '--userid', 'anna', '--userdir', 'ACME'],
    code: 2,
    mentions: [/--key\b/, /keys create/],
  },
  {
    name: 'a key file that does not exist',
    args: qseowWithKey(join(work, 'nope.pem')),
    code: 1,
    mentions: [/--key/, literally(join(work, 'nope.pem')), /does not exist/],
  },
  { name: 'a junk key file', args: qseowWithKey(keys.junk), code: 2, mentions: [/--key/, literally(keys.junk), /PEM/] },
  {
    name: 'an empty key file',
    args: qseowWithKey(keys.empty),
    code: 2,
    mentions: [/--key/, literally(keys.empty), /empty/],
  },
  {
    name: 'a public key where the private key is needed',
    args: qseowWithKey(keys.publicPem),
    code: 2,
    mentions: [/--key/, literally(keys.publicPem), /public key/, /private key/],
  },
  {
    name: 'a certificate where the private key is needed',
    args: qseowWithKey(certificate),
    code: 2,
    mentions: [/--key/, literally(certificate), /certificate/, /private key/],
  },
  {
    name: 'a public JWK',
    args: qseowWithKey(keys.publicJwk),
    code: 2,
    mentions: [/--key/, literally(keys.publicJwk), /public key/],
  },
  { name: 'an EC key', args: qseowWithKey(keys.ec), code: 2, mentions: [/--key/, literally(keys.ec), /\bEC\b/, /RSA/] },
  {
    name: 'a 1024-bit RSA key',
    args: qseowWithKey(keys.small),
    code: 2,
    mentions: [/--key/, literally(keys.small), /1024/, /2048/],
  },
  {
    name: 'an encrypted key without a passphrase',
    args: qseowWithKey(keys.encryptedPkcs8),
    code: 2,
    mentions: [/--key/, /encrypted/, /--passphrase-file/, /QSJWT_PASSPHRASE/],
  },
  {
    name: 'an encrypted key with the wrong passphrase',
    args: qseowWithKey(keys.encryptedPkcs8, '--passphrase-file', wrongPassphraseFile),
    code: 2,
    mentions: [/--key/, /passphrase does not decrypt/],
  },
  {
    name: 'a passphrase file that does not exist',
    args: qseowWithKey(keys.encryptedPkcs8, '--passphrase-file', join(work, 'nope.txt')),
    code: 1,
    mentions: [/passphrase file/, literally(join(work, 'nope.txt'))],
  },
  {
    name: '--key pointing to a folder',
    args: qseowWithKey(keyFolder),
    code: 1,
    mentions: [/--key/, literally(keyFolder), /folder/],
  },
  {
    name: '--key-env naming an unset variable',
    args: ['create', 'qseow', '--key-env', UNSET_VARIABLE, '--userid', 'anna', '--userdir', 'ACME'],
    code: 2,
    mentions: [/--key-env/, literally(UNSET_VARIABLE), /not set/],
  },
  {
    name: '--key and --key-env together',
    args: qseow('--key-env', 'HOME'),
    code: 2,
    mentions: [/--key\b/, /--key-env/, /only one/],
  },
  // Algorithms
  { name: '--alg HS256', args: qseow('--alg', 'HS256'), code: 2, mentions: [/--alg "HS256"/, /RS256/] },
  { name: '--alg none', args: qseow('--alg', 'none'), code: 2, mentions: [/--alg "none"/, /unsigned/] },
  { name: '--alg ES256', args: qseow('--alg', 'ES256'), code: 2, mentions: [/--alg "ES256"/, /RS256/] },
  {
    name: '--alg rs256 (lowercase)',
    args: qseow('--alg', 'rs256'),
    code: 2,
    mentions: [/--alg "rs256"/, /case-sensitive/, /RS256/],
  },
  // Times
  {
    name: '--expires 0s',
    args: qseow('--expires', '0s'),
    code: 2,
    mentions: [/expires/, /"0s"/, /zero/],
    bug: { what: 'names the --expires flag', mentions: [/--expires/] },
  },
  {
    name: '--expires -5m',
    args: qseow('--expires', '-5m'),
    code: 2,
    mentions: [/expires/, /"-5m"/, /negative/],
    bug: { what: 'names the --expires flag', mentions: [/--expires/] },
  },
  {
    name: '--expires soon',
    args: qseow('--expires', 'soon'),
    code: 2,
    mentions: [/expires/, /"soon"/, /5m/],
    bug: { what: 'names the --expires flag', mentions: [/--expires/] },
  },
  {
    name: '--expires 3600 (a bare number is a Unix time in 1970)',
    args: qseow('--expires', '3600'),
    code: 2,
    mentions: [/expires/, /Unix time/, /3600s/],
    bug: { what: 'names the --expires flag', mentions: [/--expires/] },
  },
  {
    name: '--expires 2026-02-30T00:00:00Z (no such day)',
    args: qseow('--expires', '2026-02-30T00:00:00Z'),
    code: 2,
    mentions: [/2026-02-30T00:00:00Z/, /not a real date/],
    bug: { what: 'says which flag the impossible date came from', mentions: [/--expires/] },
  },
  {
    name: '--expires in milliseconds (Date.now())',
    args: qseow('--expires', '1700000000000'),
    code: 2,
    mentions: [/expires/, /1700000000000/],
    bug: { what: 'hints at seconds, not milliseconds', mentions: [/milliseconds/] },
  },
  {
    name: '--not-before after the expiry',
    args: qseow('--not-before', '2h'),
    code: 2,
    mentions: [/not-before/, /never be valid/],
    bug: { what: 'names the --not-before flag', mentions: [/--not-before/] },
  },
  {
    name: '--issued-at given as a duration',
    args: qseow('--issued-at', '5m'),
    code: 2,
    mentions: [/issued-at/, /"5m"/, /RFC 3339/],
    bug: { what: 'names the --issued-at flag', mentions: [/--issued-at/] },
  },
  {
    name: 'create cloud --expires 2h (the one-hour rule)',
    args: cloud('--kid', 'k1', '--expires', '2h'),
    code: 2,
    mentions: [/60 minutes/, /--expires/, /2h/],
  },
  {
    name: 'create cloud --expires 61m',
    args: cloud('--kid', 'k1', '--expires', '61m'),
    code: 2,
    mentions: [/60 minutes/, /1h1m/],
  },
  // Claims
  {
    name: 'missing --userid',
    args: ['create', 'qseow', '--key', keys.pkcs8, '--userdir', 'ACME'],
    code: 2,
    mentions: [/--userid\b/, /is required/],
  },
  {
    name: 'missing --userdir',
    args: ['create', 'qseow', '--key', keys.pkcs8, '--userid', 'anna'],
    code: 2,
    mentions: [/--userdir\b/, /is required/],
  },
  ...(['sub', 'iss', 'aud', 'exp', 'nbf', 'iat', 'jti'] as const).map((claim, index): ErrorCase => {
    const [flag, label] =
      index % 2 === 0 ? ['--userid-attr', 'user ID attribute'] : ['--userdir-attr', 'user directory attribute'];
    return {
      name: `${flag} ${claim} (a registered claim)`,
      args: qseow(flag, claim),
      code: 2,
      mentions: [new RegExp(`${label}|${flag}`), new RegExp(`"${claim}"`), /registered/],
    };
  }),
  {
    name: '--userid-attr equal to --userdir-attr',
    args: qseow('--userid-attr', 'uid', '--userdir-attr', 'uid'),
    code: 2,
    mentions: [/"uid"/, /two different claims/],
  },
  {
    name: '--groups-attr clashing with the user ID claim',
    args: qseow('--groups', 'Sales', '--groups-attr', 'userId'),
    code: 2,
    mentions: [/groups attribute/, /"userId"/],
  },
  {
    name: '--claim without "="',
    args: qseow('--claim', 'department'),
    code: 2,
    mentions: [/--claim/, /"department"/, /key=value/],
  },
  {
    name: '--claim given twice',
    args: qseow('--claim', 'a=1', '--claim', 'a=2'),
    code: 2,
    mentions: [/--claim a\b/, /twice/],
  },
  {
    name: '--claim exp=1 (set by its own option)',
    args: qseow('--claim', 'exp=1'),
    code: 2,
    mentions: [/"exp"/, /own option/],
    bug: { what: 'points to --expires, the option that sets exp', mentions: [/--expires/] },
  },
  { name: 'create cloud without --kid', args: cloud(), code: 2, mentions: [/--kid\b/, /required/] },
  // Commands and flags
  {
    name: 'an unknown command',
    args: ['frobnicate'],
    code: 2,
    mentions: [/unknown command/, /"frobnicate"/, /--help/],
  },
  {
    name: 'an unknown subcommand',
    args: ['create', 'qsaas'],
    code: 2,
    mentions: [/unknown command/, /"create qsaas"/],
  },
  { name: 'an unknown flag', args: qseow('--frobnicate'), code: 2, mentions: [/unknown option/, /'--frobnicate'/] },
  {
    name: 'an unknown --format',
    args: qseow('--format', 'yaml'),
    code: 2,
    mentions: [/--format/, /'yaml'/, /token, json, header, env/],
  },
  {
    name: '`qs-jwt keys` without a subcommand',
    args: ['keys'],
    code: 2,
    mentions: [/keys create/],
  },
  {
    name: '`qs-jwt` without any arguments',
    args: [],
    code: 2,
    mentions: [/--help/],
  },
  // keys create and keys show
  {
    name: 'keys create --bits 1000',
    args: ['keys', 'create', '--out', join(work, 'never'), '--bits', '1000'],
    code: 2,
    mentions: [/--bits/, /'1000'/, /2048, 3072, 4096/],
  },
  {
    name: 'keys create --bits 1024',
    args: ['keys', 'create', '--out', join(work, 'never'), '--bits', '1024'],
    code: 2,
    mentions: [/--bits/, /'1024'/, /2048/],
  },
  {
    name: 'keys create --days 0',
    args: ['keys', 'create', '--out', join(work, 'never'), '--bits', '2048', '--days', '0'],
    code: 2,
    mentions: [/--days/, /'0'/, /1 to 36500/],
  },
  {
    name: 'keys create --file-prefix with a path separator',
    args: ['keys', 'create', '--out', join(work, 'never'), '--bits', '2048', '--file-prefix', 'a/b'],
    code: 2,
    mentions: [/--file-prefix/, /"a\/b"/, /--out/],
  },
  {
    name: 'keys create --passphrase-file of an empty file',
    args: ['keys', 'create', '--out', join(work, 'never'), '--bits', '2048', '--passphrase-file', emptyPassphraseFile],
    code: 2,
    mentions: [/--passphrase-file/, literally(emptyPassphraseFile), /empty/],
  },
  {
    name: 'keys create into existing files',
    args: ['keys', 'create', '--out', existing, '--bits', '2048'],
    code: 1,
    mentions: [literally(join(existing, 'privatekey.pem')), /already exists/, /--force/],
  },
  {
    name: 'keys create --out naming a regular file',
    args: ['keys', 'create', '--out', regularFile, '--bits', '2048'],
    code: 1,
    mentions: [literally(regularFile)],
    bug: {
      what: 'is a plain error naming --out, not an "unexpected error"',
      mentions: [/--out/],
      avoids: [/unexpected error/],
    },
  },
  {
    name: 'keys show of a file that does not exist',
    args: ['keys', 'show', join(work, 'nope.cer')],
    code: 1,
    mentions: [literally(join(work, 'nope.cer')), /does not exist/],
  },
  {
    name: 'keys show of a junk file',
    args: ['keys', 'show', keys.junk],
    code: 2,
    mentions: [literally(keys.junk), /PEM/],
  },
  {
    name: 'keys show of an encrypted key with the wrong passphrase',
    args: ['keys', 'show', keys.encryptedPkcs8, '--passphrase-file', wrongPassphraseFile],
    code: 2,
    mentions: [literally(keys.encryptedPkcs8), /passphrase/],
  },
  {
    name: 'keys show --format single-line of a private key without --public',
    args: ['keys', 'show', keys.pkcs8, '--format', 'single-line'],
    code: 2,
    mentions: [literally(keys.pkcs8), /--public/],
  },
  {
    name: 'keys show --format pem of an encrypted key without a passphrase',
    args: ['keys', 'show', keys.encryptedPkcs8, '--format', 'pem'],
    code: 2,
    mentions: [literally(keys.encryptedPkcs8), /encrypted/, /--passphrase-file/],
  },
];

/** Checks the failure contract and returns the one stderr line. */
function assertCleanFailure(result: CliResult, code: number): string {
  assert.equal(result.code, code, `exit code (stderr: ${result.stderr})`);
  assert.equal(result.stdout, '', 'nothing on stdout');
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  assert.ok(result.stderr.endsWith('\n'), `stderr ends with a line break: ${JSON.stringify(result.stderr)}`);
  const lines = result.stderr.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${result.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, /^qs-jwt[ :]/, 'the line starts with qs-jwt');
  assert.match(line, /\berror\b/, 'the line says it is an error');
  return line;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// One setup and one concurrent run of the whole table; the tests below only read the results.
const outcomes: Promise<Map<string, CliResult>> = (async () => {
  writeFileSync(wrongPassphraseFile, 'not the passphrase\n');
  writeFileSync(emptyPassphraseFile, '');
  writeFileSync(regularFile, 'a file, not a folder\n');
  mkdirSync(keyFolder);
  const created = await runCli(['keys', 'create', '--out', existing, '--bits', '2048']);
  assert.equal(created.code, 0, created.stderr);
  const results = await mapLimit(CASES, 4, (entry) => runCli(entry.args, entry.options));
  return new Map(CASES.map((entry, index) => [entry.name, results[index] as CliResult]));
})();

async function outcome(name: string): Promise<CliResult> {
  const result = (await outcomes).get(name);
  assert.ok(result, name);
  return result;
}

test('the error table has at least 30 distinct cases', () => {
  assert.ok(CASES.length >= 30, String(CASES.length));
  assert.equal(new Set(CASES.map((entry) => entry.name)).size, CASES.length);
});

for (const entry of CASES) {
  test(
    `${entry.name}: exit ${entry.code}, empty stdout, one line naming it`,
    entry.todo ? { todo: entry.todo } : {},
    async () => {
      const line = assertCleanFailure(await outcome(entry.name), entry.code);
      for (const pattern of entry.mentions) assert.match(line, pattern);
    },
  );
  const { bug } = entry;
  if (bug) {
    test(`${entry.name}: the message ${bug.what}`, bug.todo ? { todo: bug.todo } : {}, async () => {
      const line = (await outcome(entry.name)).stderr;
      for (const pattern of bug.mentions ?? []) assert.match(line, pattern);
      for (const pattern of bug.avoids ?? []) assert.doesNotMatch(line, pattern);
    });
  }
}

test('a failed keys create leaves the existing files byte for byte', async () => {
  await outcome('keys create into existing files');
  const before = readFileSync(join(existing, 'privatekey.pem'));
  const again = await runCli(['keys', 'create', '--out', existing, '--bits', '2048']);
  assert.equal(again.code, 1);
  assert.deepEqual(readFileSync(join(existing, 'privatekey.pem')), before);
});

test('--debug adds a stack trace after the one-line message, and keeps exit 2', async () => {
  await outcomes;
  for (const args of [qseow('--expires', '0s', '--debug'), ['--debug', ...qseow('--expires', '0s')]]) {
    const result = await runCli(args);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    const [first, ...rest] = result.stderr.trimEnd().split('\n');
    assert.match(first ?? '', /^qs-jwt: error: .*"0s"/);
    assert.ok(
      rest.some((line) => /^\s+at /.test(line)),
      `a stack trace follows:\n${result.stderr}`,
    );
  }
});

test('an unexpected error is one line without --debug and has its stack trace with --debug', async () => {
  await outcomes;
  const [plain, debug] = await Promise.all([
    runCli(['keys', 'create', '--out', regularFile, '--bits', '2048']),
    runCli(['keys', 'create', '--out', regularFile, '--bits', '2048', '--debug']),
  ]);
  assert.notEqual(plain.code, 0);
  assert.equal(plain.stderr.trimEnd().split('\n').length, 1, plain.stderr);
  assert.doesNotMatch(plain.stderr, /^\s+at /m);
  assert.equal(debug.code, plain.code);
  const [first, ...rest] = debug.stderr.trimEnd().split('\n');
  assert.match(first ?? '', /^qs-jwt: error: /);
  assert.ok(
    rest.some((line) => /^\s+at /.test(line)),
    `a stack trace follows:\n${debug.stderr}`,
  );
});

const HELP: string[][] = [
  [],
  ['quickstart'],
  ['keys', 'create'],
  ['keys', 'show'],
  ['create', 'qseow'],
  ['create', 'cloud'],
  ['create-qseow'],
  ['create-qscloud'],
];

test('--help works for every command: exit 0, usage and examples on stdout, nothing on stderr', async () => {
  const results = await Promise.all(HELP.map((words) => runCli([...words, '--help'])));
  for (const [index, result] of results.entries()) {
    const words = (HELP[index] ?? []).join(' ');
    assert.equal(result.code, 0, `qs-jwt ${words} --help: ${result.stderr}`);
    assert.equal(result.stderr, '', words);
    assert.match(result.stdout, new RegExp(`^Usage: qs-jwt ${words}`.trim()), words);
    assert.match(result.stdout, /Examples:\n {2}\S/, words);
  }
  const top = results[0] as CliResult;
  for (const words of HELP.slice(1))
    assert.match(top.stdout, new RegExp(`\\n {2}${words.join(' ')}\\s`), `top-level help lists ${words.join(' ')}`);
});

test('-h and help are --help too', async () => {
  const [short, word] = await Promise.all([runCli(['-h']), runCli(['help'])]);
  assert.equal(short.code, 0);
  assert.equal(word.code, 0);
  assert.match(short.stdout, /Examples:/);
  assert.equal(word.stdout, short.stdout);
});

test('--version prints the package.json version and nothing else', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  for (const flag of ['--version', '-V']) {
    const result = await runCli([flag]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${version}\n`);
    assert.equal(result.stderr, '');
  }
});
