/**
 * Tokens a user meets while debugging: unsigned (alg none), payloads that are JSON but not objects,
 * time claims far outside any calendar, and claim names that are also Object.prototype's property
 * names. decode shows them as they are; lint and verify still refuse what Qlik refuses.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeToken, signatureShape } from '../src/core/lint/decode-token.js';
import { lintToken, verifyToken } from '../src/core/lint/verify-token.js';
import { formatDuration } from '../src/core/time/duration.js';
import { relativeTime } from '../src/core/time/relative-time.js';
import { userFromClaims } from '../src/emulator/qseow-identity.js';
import { runCli } from './support/run-cli.js';

const AT = 1_800_000_000;
const b64 = (text: string): string => Buffer.from(text).toString('base64url');
const unsigned = (payload: string): string => `${b64('{"alg":"none","typ":"JWT"}')}.${b64(payload)}.`;
const QSEOW_CLAIMS = `{"userId":"anna","userDirectory":"ACME","iat":${AT - 60},"exp":${AT + 600}}`;

let publicKey: KeyObject;
let keyFile: string;

before(() => {
  ({ publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  keyFile = join(mkdtempSync(join(tmpdir(), 'qs-jwt-decode-')), 'publickey.pem');
  writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
});

const codes = (findings: readonly { code: string }[]): string[] => findings.map((item) => item.code);

describe('alg none', () => {
  it('decodes as a whole, unsigned token; lint and verify refuse it with QJ010 (not QJ001)', () => {
    const token = unsigned(QSEOW_CLAIMS);
    const decoded = decodeToken(token);
    assert.deepEqual(decoded.findings, []);
    assert.equal(decoded.payload?.['userId'], 'anna');
    assert.equal(signatureShape(decoded), 'unsigned');
    const linted = lintToken(token, 'qseow', { at: AT });
    assert.equal(linted.accepted, false);
    assert.deepEqual(
      codes(linted.findings).filter((code) => code !== 'QJ022'),
      ['QJ010'],
    );
    const verified = verifyToken(token, { keys: publicKey, platform: 'qseow', at: AT });
    assert.equal(verified.accepted, false);
    assert.ok(codes(verified.findings).includes('QJ010'), codes(verified.findings).join());
    // Another algorithm with an empty signature is still a token missing its signature.
    assert.deepEqual(codes(decodeToken(`${b64('{"alg":"RS256"}')}.${b64(QSEOW_CLAIMS)}.`).findings), ['QJ001']);
  });

  it('decode shows header and payload and says plainly that the token is unsigned; verify exits 1 with QJ010', async () => {
    const token = unsigned(QSEOW_CLAIMS);
    const [text, json, verified] = await Promise.all([
      runCli(['decode', token]),
      runCli(['decode', token, '--format', 'json']),
      runCli(['verify', token, '--key', keyFile]),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Header\n {2}alg {3}"none"\n/);
    assert.match(text.stdout, /userId +"anna"/);
    assert.match(
      text.stdout,
      /^Unsigned: alg is "none", so anyone can write this token; Qlik never accepts it \(QJ010\)\.$/m,
    );
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as {
      verified: boolean;
      signature: string;
      payload: Record<string, unknown>;
    };
    assert.deepEqual([report.verified, report.signature, report.payload['userDirectory']], [false, 'unsigned', 'ACME']);
    assert.equal(verified.code, 1, verified.stderr);
    assert.match(verified.stdout, /QJ010 alg "none"/);
  });
});

describe('payloads that are JSON but not objects', () => {
  const cases: [string, string][] = [
    ['null', 'JSON null'],
    ['[1]', 'a JSON array'],
    ['"anna"', 'a JSON string'],
    ['42', 'a JSON number'],
  ];
  for (const [json, words] of cases) {
    it(`${json} is called ${words}`, () => {
      const [item] = decodeToken(`${b64('{"alg":"RS256"}')}.${b64(json)}.AAAA`).findings;
      assert.equal(item?.code, 'QJ004');
      assert.match(item?.message ?? '', new RegExp(`: ${words}, not an object$`));
    });
  }

  it('decode says "JSON null" in its one error line (exit 2)', async () => {
    const result = await runCli(['decode', `${b64('{"alg":"RS256"}')}.${b64('null')}.AAAA`]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^qs-jwt: error: the token cannot be decoded: payload .*: JSON null, not an object/);
    assert.doesNotMatch(result.stderr, /JSON object, not an object/);
  });
});

describe('times out of any plausible range', () => {
  it('durations and relative times say "out of range" instead of a garbage number', () => {
    assert.equal(formatDuration(1e300), 'out of range');
    assert.equal(formatDuration(-1e300), 'out of range');
    assert.equal(formatDuration(Number.NaN), 'out of range');
    assert.equal(formatDuration(Infinity), 'out of range');
    assert.equal(formatDuration(90_061), '1d1h1m1s');
    assert.equal(relativeTime(1e300, AT), 'out of range');
    assert.equal(relativeTime(AT + 120, AT), 'in 2 min');
  });

  it('lint flags exp 1e300 as QJ034 only, without a lifetime computed from it (QJ107, QJ208)', () => {
    const qseow = lintToken(
      `${b64('{"alg":"RS256"}')}.${b64(`{"userId":"a","userDirectory":"b","iat":${AT},"exp":1e300}`)}.AAAA`,
      'qseow',
      { at: AT },
    );
    assert.deepEqual(codes(qseow.findings), ['QJ034', 'QJ022']);
    for (const item of qseow.findings) assert.doesNotMatch(item.message, /e\+\d{3}d/, item.message);
    const cloud = lintToken(`${b64('{"alg":"RS256","kid":"k"}')}.${b64(`{"nbf":${AT},"exp":1e300}`)}.AAAA`, 'cloud', {
      at: AT,
    });
    assert.ok(!codes(cloud.findings).includes('QJ208'), codes(cloud.findings).join());
  });

  it('decode prints exp 1e300 as out of range, never as a date or a 295-digit duration', async () => {
    const result = await runCli(['decode', `${b64('{"alg":"RS256"}')}.${b64(`{"iat":${AT},"exp":1e300}`)}.AAAA`]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ {2}exp {3}1e\+300 {2}\(out of range: not a time in Unix seconds\)$/m);
    assert.doesNotMatch(result.stdout, /e\+29\dd/);
  });
});

describe("claim names that are Object.prototype's", () => {
  const NAMES = '{"constructor":1,"toString":"x","__proto__":{"a":1},"hasOwnProperty":2,"valueOf":[3]}';

  it('decode shows each as the plain claim it is, and --format json gives __proto__ back', async () => {
    const token = `${b64('{"alg":"RS256"}')}.${b64(NAMES)}.AAAA`;
    const [text, json] = await Promise.all([runCli(['decode', token]), runCli(['decode', token, '--format', 'json'])]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ {2}constructor {5}1$/m);
    assert.match(text.stdout, /^ {2}toString {8}"x"$/m);
    assert.match(text.stdout, /^ {2}__proto__ {7}\{"a":1\}$/m);
    assert.doesNotMatch(text.stdout, /undefined/);
    const report = JSON.parse(json.stdout) as { payload: Record<string, unknown>; times: Record<string, unknown> };
    assert.deepEqual(Object.keys(report.payload), [
      'constructor',
      'toString',
      '__proto__',
      'hasOwnProperty',
      'valueOf',
    ]);
    assert.deepEqual(Object.getOwnPropertyDescriptor(report.payload, '__proto__')?.value, { a: 1 });
    assert.deepEqual(Object.keys(report.times), []);
  });

  it('attribute names such as "constructor" read as missing claims, not as Object.prototype members', () => {
    const token = `${b64('{"alg":"RS256"}')}.${b64(QSEOW_CLAIMS)}.AAAA`;
    const result = lintToken(token, 'qseow', {
      at: AT,
      userIdAttribute: 'constructor',
      userDirectoryAttribute: '__proto__',
    });
    assert.deepEqual(
      codes(result.findings).filter((code) => code !== 'QJ022'),
      ['QJ101', 'QJ103'],
    );
    const present = lintToken(
      `${b64('{"alg":"RS256"}')}.${b64(`{"toString":"anna","__proto__":"ACME","exp":${AT + 60}}`)}.AAAA`,
      'qseow',
      { at: AT, userIdAttribute: 'toString', userDirectoryAttribute: '__proto__' },
    );
    assert.equal(present.accepted, true, codes(present.findings).join());
  });

  it('the emulator\'s attribute map treats a missing "constructor" claim as missing (EMU003)', () => {
    const user = userFromClaims({ userId: 'anna', userDirectory: 'ACME' }, 'userId', 'userDirectory', [
      { senseAttribute: 'role', jwtAttribute: 'constructor', isMandatory: true },
    ]);
    assert.equal('code' in user ? user.code : 'accepted', 'EMU003');
  });

  it('lint and verify --format json keep such claims intact', async () => {
    const token = `${b64('{"alg":"RS256"}')}.${b64(NAMES)}.AAAA`;
    const result = await runCli(['lint', token, '--format', 'json']);
    const report = JSON.parse(result.stdout) as { payload: Record<string, unknown> };
    assert.deepEqual(Object.getOwnPropertyDescriptor(report.payload, '__proto__')?.value, { a: 1 });
    assert.equal(report.payload['constructor'], 1);
  });
});
