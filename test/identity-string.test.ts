/**
 * QSEoW hands the user on as `UserDirectory=<dir>; UserId=<id>`. A ";", "=", control character or edge
 * space in either value splits or forges that string: lint/verify report QJ108, create and batch refuse
 * it, and `qs-jwt test` reads the engine's answer strictly (no last-wins) and names the cause.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ClaimError } from '../src/core/errors.js';
import { createQseowToken, qseowTokenMinter } from '../src/core/qlik/qseow-token.js';
import { parseAuthenticatedUser, MAX_ENGINE_USER_LENGTH } from '../src/probe/engine-user.js';
import { KEYS, qseowToken } from './support/emulator-harness.js';
import { runCli } from './support/run-cli.js';

let folder: string;
let keyFile: string;

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'qs-jwt-identity-'));
  keyFile = join(folder, 'privatekey.pem');
  writeFileSync(keyFile, KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
});
after(() => rmSync(folder, { recursive: true, force: true }));

const FORGING = ['anna; UserId=admin', 'AC=ME', 'anna\n', 'an\u0000na', ' anna', 'anna\t', 'an\u007fna'];

describe('create and batch refuse what the engine cannot carry', () => {
  it('createQseowToken and a minter throw a ClaimError naming QJ108, for the user ID and the directory', () => {
    for (const value of FORGING) {
      for (const user of [
        { userId: value, userDirectory: 'ACME' },
        { userId: 'anna', userDirectory: value },
      ]) {
        assert.throws(
          () => createQseowToken({ privateKey: KEYS.privateKey, ...user }),
          (error: unknown) => {
            assert.ok(error instanceof ClaimError, String(error));
            assert.match(error.message, /\[QJ108\]: Qlik passes the user on as "UserDirectory=<dir>; UserId=<id>"/);
            return true;
          },
          JSON.stringify(user),
        );
      }
    }
    const mint = qseowTokenMinter({ privateKey: KEYS.privateKey });
    assert.throws(
      () => mint.create({ userId: 'a=b', userDirectory: 'ACME' }),
      /"userId" contains "=" at position 2 \[QJ108\]/,
    );
    assert.ok(mint.create({ userId: 'Anna Andersson', userDirectory: 'ACME Corp' }).token, 'inner spaces are fine');
  });

  it('create qseow exits 2 with one line and prints no token', async () => {
    const result = await runCli([
      'create',
      'qseow',
      '--key',
      keyFile,
      '--userid',
      'anna; UserId=admin',
      '--userdir',
      'ACME',
    ]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^qs-jwt: error: .*"userId" contains ";" at position 5 \[QJ108\]/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });

  it('batch qseow fails the forging row, mints the others, and exits 1', async () => {
    const input = join(folder, 'users.jsonl');
    writeFileSync(
      input,
      '{"userid":"anna","userdir":"ACME"}\n{"userid":"bert","userdir":"AC=ME"}\n{"userid":"carl","userdir":"ACME"}\n',
    );
    const result = await runCli(['batch', 'qseow', '--key', keyFile, '--input', input, '--workers', '0']);
    assert.equal(result.code, 1, result.stderr);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: number; token?: string; error?: string });
    assert.deepEqual(
      rows.map((row) => [row.line, row.token !== undefined]),
      [
        [1, true],
        [2, false],
        [3, true],
      ],
    );
    assert.match(rows[1]?.error ?? '', /"userDirectory" contains "=" .*QJ108/);
  });
});

describe('lint and verify report QJ108', () => {
  it('lint --profile qseow names the claim and the character, exit 1', async () => {
    const token = createQseowToken({ privateKey: KEYS.privateKey, userId: 'anna', userDirectory: 'ACME' }).token;
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(
      JSON.stringify({ userId: 'anna; UserId=admin', userDirectory: 'ACME', exp: 4_000_000_000 }),
    ).toString('base64url');
    const result = await runCli(['lint', `${header}.${payload}.${signature}`, '--profile', 'qseow']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /error {3}QJ108 .*: "userId" contains ";" at position 5/);
  });
});

describe('parseAuthenticatedUser', () => {
  const identity = (directory: string, id: string): string => `UserDirectory=${directory}; UserId=${id}`;
  /** A value the identity string carries unambiguously. */
  const plainValue = fc
    .string({ minLength: 1, maxLength: 30, unit: 'grapheme' })
    .filter((value) => !/[;=\p{Cc}]/u.test(value) && value.trim() === value && value !== '');

  it('reads back any plain directory and user ID, in either order (property)', () => {
    fc.assert(
      fc.property(plainValue, plainValue, (directory, id) => {
        assert.deepEqual(parseAuthenticatedUser(identity(directory, id)), {
          ok: true,
          userDirectory: directory,
          userId: id,
        });
        assert.deepEqual(parseAuthenticatedUser(`UserId=${id};UserDirectory=${directory}`), {
          ok: true,
          userDirectory: directory,
          userId: id,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('never reads a forged identity string as another user: either the exact user or "not one user" (property)', () => {
    const tricky = fc
      .array(fc.constantFrom('a', 'B', ' ', ';', '=', '; ', 'UserId=', 'UserDirectory=', 'admin', '\n', '%3B'), {
        maxLength: 8,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(tricky, tricky, (directory, id) => {
        const reading = parseAuthenticatedUser(identity(directory, id));
        if (reading.ok) assert.deepEqual([reading.userDirectory, reading.userId], [directory, id]);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws and stays bounded, whatever the engine answers (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const reading = parseAuthenticatedUser(text);
        if (!reading.ok) assert.ok(reading.problem.length < 200, reading.problem);
      }),
      { numRuns: 2000 },
    );
    assert.equal(parseAuthenticatedUser('x'.repeat(MAX_ENGINE_USER_LENGTH + 1)).ok, false);
  });

  const cases: [string, RegExp, boolean][] = [
    ['UserDirectory=ACME; UserId=anna; UserId=admin', /UserId is given twice/, true],
    ['UserDirectory=ACME; UserId=anna; Role=admin', /unknown key "Role"/, true],
    ['UserDirectory=ACME; UserId=anna;', /stray ";"/, true],
    ['UserDirectory=ACME;; UserId=anna', /stray ";"/, true],
    ['UserDirectory=ACME; UserId=an;na', /"na" is not key=value/, true],
    ['UserDirectory=AC=ME; UserId=anna', /UserDirectory "AC=ME" contains "="/, true],
    ['UserDirectory=ACME; UserId= anna', /leading or trailing whitespace/, true],
    ['UserDirectory=ACME; UserId=', /UserId is empty/, true],
    ['UserId=anna', /no UserDirectory/, false],
    ['anna', /not UserDirectory=…; UserId=…/, false],
  ];
  for (const [text, problem, ambiguous] of cases) {
    it(`reports ${JSON.stringify(text)} as ${ambiguous ? 'ambiguous' : 'not an identity string'}`, () => {
      const reading = parseAuthenticatedUser(text);
      assert.equal(reading.ok, false, JSON.stringify(reading));
      if (!reading.ok) {
        assert.match(reading.problem, problem);
        assert.equal(reading.ambiguous, ambiguous);
      }
    });
  }
});

describe('qs-jwt test qseow names the cause of an ambiguous engine user', () => {
  let stub: Server;
  let port: number;

  before(async () => {
    // A server whose user ID carries "; UserId=admin": the proxy reports it whole, the engine's string forks.
    const { WebSocketServer } = await import('ws');
    const engine = new WebSocketServer({ noServer: true });
    stub = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path === '/jwt/qrs/about') {
        response
          .writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'X-Qlik-Session-jwt-HTTP=s1; Path=/' })
          .end('{"buildVersion":"1.0"}');
      } else if (path === '/jwt/qps/user') {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"userId":"anna; UserId=admin","userDirectory":"ACME"}');
      } else response.writeHead(404).end('Not Found');
    });
    stub.on('upgrade', (request, socket, head) => {
      engine.handleUpgrade(request, socket, head, (ws) => {
        ws.on('message', (data) => {
          const { id } = JSON.parse(data.toString()) as { id: number };
          ws.send(
            JSON.stringify({
              jsonrpc: '2.0',
              id,
              result: { qReturn: 'UserDirectory=ACME; UserId=anna; UserId=admin' },
            }),
          );
        });
        ws.send(
          JSON.stringify({ jsonrpc: '2.0', method: 'OnConnected', params: { qSessionState: 'SESSION_CREATED' } }),
        );
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    port = (stub.address() as { port: number }).port;
  });
  after(async () => {
    stub.closeAllConnections();
    await new Promise<void>((resolve) => stub.close(() => resolve()));
  });

  it('fails GetAuthenticatedUser saying the string is ambiguous and why, instead of printing one of its users', async () => {
    const result = await runCli(
      ['test', 'qseow', '--server', `http://127.0.0.1:${port}`, '--token', qseowToken(), '--timeout', '5s'],
      { timeoutMs: 30_000 },
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const line = result.stdout.split('\n').find((entry) => entry.includes('GetAuthenticatedUser')) ?? '';
    assert.match(
      line,
      /^FAIL +GetAuthenticatedUser .*ambiguous \(UserId is given twice\): the user "ACME\\\\anna; UserId=admin" has ";"/,
    );
    assert.match(line, /\[QJ108\]/);
    assert.match(result.stdout, /^FAILED at GetAuthenticatedUser/m);
  });
});
