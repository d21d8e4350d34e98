import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  cloudToken,
  ISSUER,
  KID,
  qseowToken,
  startTestEmulator,
  type TestEmulator,
} from './support/emulator-harness.js';
import { hasCommand, temporaryFolder } from './support/fixtures.js';

/**
 * curl, a client nobody here wrote, against the emulator on a free port: its own header parsing, its own
 * cookie jar (Netscape format, -b/-c), its own idea of HttpOnly cookies. If the emulator's Set-Cookie or
 * status lines were off, curl's jar would stay empty and the cookie-only requests below would be 401.
 */

const curlMissing = hasCommand('curl') ? false : 'curl is not installed';

const NO_AUTH = 'Could not authenticate the request: Expected an authentication header.';
const XRF = 'XSRF prevention check failed. Possible XSRF discovered.';
const XRFKEY = 'abcdefghij012345';

interface CurlAnswer {
  status: number;
  /** Lower-case header name → values, from curl's own -D dump (last response only). */
  headers: Map<string, string[]>;
  body: string;
}

const folder = temporaryFolder('qs-jwt-curl-');
let counter = 0;

/**
 * Runs curl asynchronously (the emulator runs in this process, so a synchronous child would deadlock it),
 * bounded by --max-time, and reads back the status, the dumped headers and the body.
 */
function curl(args: readonly string[]): Promise<CurlAnswer> {
  counter += 1;
  const headerFile = join(folder, `headers-${counter}.txt`);
  const bodyFile = join(folder, `body-${counter}.txt`);
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['-sS', '--max-time', '10', '-D', headerFile, '-o', bodyFile, '-w', '%{http_code}', ...args],
      { encoding: 'utf8', timeout: 15_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`curl failed: ${stderr || error.message}`));
          return;
        }
        const headers = new Map<string, string[]>();
        for (const line of readFileSync(headerFile, 'latin1').split('\r\n').slice(1)) {
          const colon = line.indexOf(':');
          if (colon <= 0) continue;
          const name = line.slice(0, colon).trim().toLowerCase();
          headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
        }
        resolve({ status: Number(stdout.trim()), headers, body: readFileSync(bodyFile, 'utf8') });
      },
    );
  });
}

/** The cookie names in a curl jar (Netscape format; HttpOnly lines start with #HttpOnly_). */
function jarCookies(jar: string): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const raw of readFileSync(jar, 'utf8').split('\n')) {
    const line = raw.startsWith('#HttpOnly_') ? raw.slice('#HttpOnly_'.length) : raw;
    if (line.startsWith('#') || line.trim() === '') continue;
    const fields = line.split('\t');
    if (fields.length >= 7) cookies.set(fields[5] ?? '', fields[6] ?? '');
  }
  return cookies;
}

let emulator: TestEmulator;

before(async () => {
  emulator = await startTestEmulator({
    virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'injected' }],
    tenant: { issuer: ISSUER, keyId: KID, publicKey: 'injected', clockTolerance: '5s', tenantId: 'tenant-1' },
  });
  assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(emulator.port, 0);
});
after(() => emulator.close());

describe('curl against the QSEoW virtual proxy', { skip: curlMissing }, () => {
  it('Bearer → 200 from /jwt/qps/user with a Set-Cookie; then the cookie jar alone → 200', async () => {
    const jar = join(folder, 'qseow.jar');
    const first = await curl([
      '-c',
      jar,
      '-H',
      `Authorization: Bearer ${qseowToken()}`,
      `${emulator.url}/jwt/qps/user`,
    ]);
    assert.equal(first.status, 200);
    assert.equal((JSON.parse(first.body) as { userId: string }).userId, 'anna');
    assert.match(first.headers.get('set-cookie')?.[0] ?? '', /^X-Qlik-Session-jwt-HTTP=[^;]+; Path=\/; HttpOnly/);
    assert.ok(jarCookies(jar).has('X-Qlik-Session-jwt-HTTP'), 'curl stored the session cookie');
    const again = await curl(['-b', jar, '-c', jar, `${emulator.url}/jwt/qps/user`]);
    assert.equal(again.status, 200);
    assert.deepEqual(JSON.parse(again.body), {
      userId: 'anna',
      userDirectory: 'ACME',
      userName: 'anna',
      logoutUri: `${emulator.url}/jwt/qps/user`,
    });
    assert.equal(emulator.logs.at(-1)?.['via'], 'session', 'the second request was authenticated by the cookie');
  });

  it("/qrs/about: 200 with the xrfkey in query and header, 403 with Qlik's text without", async () => {
    const token = qseowToken();
    const ok = await curl([
      '-H',
      `Authorization: Bearer ${token}`,
      '-H',
      `X-Qlik-Xrfkey: ${XRFKEY}`,
      `${emulator.url}/jwt/qrs/about?xrfkey=${XRFKEY}`,
    ]);
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as { schemaPath: string }).schemaPath, 'About');
    const without = await curl(['-H', `Authorization: Bearer ${token}`, `${emulator.url}/jwt/qrs/about`]);
    assert.equal(without.status, 403);
    assert.equal(without.body, XRF);
  });

  it("no token → 401 with Qlik's text", async () => {
    const answer = await curl([`${emulator.url}/jwt/qps/user`]);
    assert.equal(answer.status, 401);
    assert.equal(answer.body, NO_AUTH);
  });
});

describe('curl against the Qlik Cloud tenant', { skip: curlMissing }, () => {
  it('logs in, fetches the CSRF token, reads /users/me with the jar, and is refused a POST without the header', async () => {
    const jar = join(folder, 'cloud.jar');
    const login = await curl([
      '-c',
      jar,
      '-X',
      'POST',
      '-H',
      `Authorization: Bearer ${cloudToken()}`,
      `${emulator.url}/login/jwt-session`,
    ]);
    assert.equal(login.status, 200);
    assert.deepEqual(JSON.parse(login.body), {});
    assert.deepEqual([...jarCookies(jar).keys()].sort(), ['_csrfToken', '_csrfToken.sig', 'eas.sid', 'eas.sid.sig']);

    const csrf = await curl(['-b', jar, '-c', jar, `${emulator.url}/api/v1/csrf-token`]);
    assert.equal(csrf.status, 204);
    const token = csrf.headers.get('qlik-csrf-token')?.[0] ?? '';
    assert.match(token, /^[\w-]{20,}$/);
    assert.equal(
      decodeURIComponent(jarCookies(jar).get('_csrfToken') ?? ''),
      token,
      'the header matches the _csrfToken cookie',
    );

    const me = await curl(['-b', jar, `${emulator.url}/api/v1/users/me`]);
    assert.equal(me.status, 200);
    const user = JSON.parse(me.body) as {
      subject: string;
      email: string;
      tenantId: string;
      assignedGroups: { name: string }[];
    };
    assert.deepEqual(
      { subject: user.subject, email: user.email, tenantId: user.tenantId },
      { subject: 'anna-sub', email: 'anna@acme.test', tenantId: 'tenant-1' },
    );
    assert.deepEqual(
      user.assignedGroups.map((group) => group.name),
      ['Sales', 'EMEA'],
    );

    const post = await curl([
      '-b',
      jar,
      '-X',
      'POST',
      '-H',
      'content-type: application/json',
      '--data',
      '{}',
      `${emulator.url}/api/v1/items`,
    ]);
    assert.equal(post.status, 403);
    assert.equal((JSON.parse(post.body) as { errors: { code: string }[] }).errors[0]?.code, 'CSRF-TOKEN-2');
    const withHeader = await curl([
      '-b',
      jar,
      '-X',
      'POST',
      '-H',
      `qlik-csrf-token: ${token}`,
      '--data',
      '{}',
      `${emulator.url}/api/v1/items`,
    ]);
    assert.notEqual(
      withHeader.status,
      403,
      'with the header the CSRF check passes (the endpoint itself is not emulated)',
    );
  });
});
