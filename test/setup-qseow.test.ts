import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import enigma from 'enigma.js';
import WebSocket from 'ws';
import { runSetupQseow } from '../src/provisioning/client/qseow-setup-run.js';
import { REPOSITORY_USER } from '../src/provisioning/client/qrs-client.js';
import type { QrsEntity } from '../src/provisioning/qseow-plan.js';
import { startCliEmulator, type CliEmulator } from './support/cli-emulator.js';
import { KEYS, OTHER_KEYS, PUBLIC_PEM, qseowToken } from './support/emulator-harness.js';
import { hasCommand, temporaryFolder } from './support/fixtures.js';
import { qrsCall, startQrsEmulator, type QrsTestEmulator } from './support/qrs-harness.js';
import { runCli } from './support/run-cli.js';
import { createSelfSignedCertificate } from '../src/core/keys/certificate.js';
import { createIssuedCertificate } from '../src/core/keys/issued-certificate.js';

/**
 * setup qseow end to end: the emulator starts with the QRS API and no JWT virtual proxy; setup creates
 * and links one from the certificate; a token from the same key then passes curl and enigma.js.
 */

const folder = temporaryFolder('qs-jwt-setup-qseow-');
const keyFile = join(folder, 'privatekey.pem');
writeFileSync(keyFile, KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
const certFile = join(folder, 'publickey.cer');
const otherCertFile = join(folder, 'other.cer');

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('enigma.js/schemas/12.2027.0.json'), 'utf8')) as object;

function curl(args: readonly string[]): Promise<{ status: string; body: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['-sS', '--max-time', '10', '-w', '\n%{http_code}', ...args],
      { encoding: 'utf8', timeout: 15_000 },
      (error, stdout) => {
        if (error) return reject(error);
        const cut = stdout.lastIndexOf('\n');
        resolve({ body: stdout.slice(0, cut), status: stdout.slice(cut + 1) });
      },
    );
  });
}

describe(
  'setup qseow against emulate qseow --qrs-port (CLI, end to end)',
  { skip: hasCommand('curl') ? false : 'curl is not installed' },
  () => {
    let emulator: CliEmulator;
    let url: string;
    let qrsUrl: string;
    const certs = join(folder, 'qrs-certs');
    const setup = (extra: readonly string[]) =>
      runCli(
        [
          'setup',
          'qseow',
          '--qrs',
          qrsUrl,
          '--client-cert',
          join(certs, 'client.pem'),
          '--client-key',
          join(certs, 'client_key.pem'),
          '--ca',
          join(certs, 'root.pem'),
          '--prefix',
          'jwt',
          '--cert',
          certFile,
          '--attribute',
          'group=groups',
          '--allow-host',
          'portal.example.com',
          ...extra,
        ],
        { timeoutMs: 60_000 },
      );

    before(async () => {
      writeFileSync(certFile, await createSelfSignedCertificate({ ...KEYS, commonName: 'setup test', days: 2 }));
      writeFileSync(otherCertFile, await createSelfSignedCertificate({ ...OTHER_KEYS, commonName: 'other', days: 2 }));
      emulator = await startCliEmulator(['qseow', '--qrs-port', '0', '--qrs-certs', certs], 2, folder);
      [url = '', qrsUrl = ''] = emulator.lines;
    });
    after(() => emulator.stop());

    it('writes client.pem, client_key.pem (PKCS#1) and root.pem, and prints the QRS URL second', () => {
      assert.match(qrsUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.match(readFileSync(join(certs, 'client_key.pem'), 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----/);
      assert.match(readFileSync(join(certs, 'root.pem'), 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    });

    it('curl reaches QRS with the exported client certificate', async () => {
      const answer = await curl([
        '--cacert',
        join(certs, 'root.pem'),
        '--cert',
        join(certs, 'client.pem'),
        '--key',
        join(certs, 'client_key.pem'),
        '-H',
        'X-Qlik-Xrfkey: abcdefghij012345',
        '-H',
        `X-Qlik-User: ${REPOSITORY_USER}`,
        `${qrsUrl}/qrs/about?xrfkey=abcdefghij012345`,
      ]);
      assert.equal(answer.status, '200');
    });

    it('--dry-run prints the changes and writes nothing', async () => {
      const result = await setup(['--dry-run']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /would create virtual proxy \/jwt/);
      assert.match(result.stdout, /jwtAttributeUserId: \(none\) → userId/);
      assert.match(result.stdout, /would link to proxy service Central/);
      const answer = await curl([`${url}/jwt/qps/user`]);
      assert.equal(answer.status, '404', 'no virtual proxy exists after a dry run');
    });

    it('creates and links the virtual proxy; a token from the same key passes curl and enigma.js', async () => {
      const result = await setup(['--server', url, '--wait', '20s']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /created virtual proxy \/jwt/);
      assert.match(result.stdout, /linked to proxy service Central/);
      assert.match(result.stderr, /qs-jwt: warning: linking restarts the proxy/);
      const token = qseowToken({ userId: 'anna', userDirectory: 'ACME' });
      const answer = await curl(['-H', `Authorization: Bearer ${token}`, `${url}/jwt/qps/user`]);
      assert.equal(answer.status, '200');
      assert.equal((JSON.parse(answer.body) as { userId: string }).userId, 'anna');
      const qix = enigma.create({
        schema,
        url: `${url.replace(/^http/, 'ws')}/jwt/app/engineData`,
        createSocket: (socketUrl: string) =>
          new WebSocket(socketUrl, { headers: { authorization: `Bearer ${token}` } }) as unknown as ReturnType<
            NonNullable<EnigmaJS.Configuration['createSocket']>
          >,
      });
      const global = (await qix.open()) as unknown as { getAuthenticatedUser: () => Promise<string> };
      try {
        assert.equal(await global.getAuthenticatedUser(), 'UserDirectory=ACME; UserId=anna');
      } finally {
        await qix.close();
      }
    });

    it('a second identical run changes nothing and says so; --format json says changed: false', async () => {
      const text = await setup([]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /no change/);
      const json = await setup(['--format', 'json']);
      const parsed = JSON.parse(json.stdout) as {
        changed: boolean;
        virtualProxy: { prefix: string };
        linked: unknown[];
        warnings: unknown[];
      };
      assert.deepEqual(
        [parsed.changed, parsed.virtualProxy.prefix, parsed.linked, parsed.warnings],
        [false, 'jwt', [], []],
      );
    });

    it('a new certificate updates the proxy in place: field: old → new', async () => {
      const result = await runCli(
        [
          'setup',
          'qseow',
          '--qrs',
          qrsUrl,
          '--client-cert',
          join(certs, 'client.pem'),
          '--client-key',
          join(certs, 'client_key.pem'),
          '--ca',
          join(certs, 'root.pem'),
          '--prefix',
          'jwt',
          '--cert',
          otherCertFile,
          '--attribute',
          'group=groups',
          '--allow-host',
          'portal.example.com',
        ],
        { timeoutMs: 60_000 },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /updated virtual proxy \/jwt/);
      assert.match(result.stdout, /jwtPublicKeyCertificate: certificate …\S+ → certificate …/);
      const answer = await curl(['-H', `Authorization: Bearer ${qseowToken()}`, `${url}/jwt/qps/user`]);
      assert.equal(answer.status, '401', 'the old key no longer signs for /jwt');
    });
  },
);

describe('setup qseow: a concurrent change makes the PUT hit 409, and the retry succeeds', () => {
  let emulator: QrsTestEmulator;
  before(async () => {
    emulator = await startQrsEmulator({
      virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'injected', jwtAttributeUserId: 'old' }],
    });
  });
  after(() => emulator.close());

  it('re-reads after 409 and writes once more, keeping the concurrent change', async () => {
    let interfered = false;
    const connection = {
      baseUrl: new URL(emulator.qrsUrl),
      timeoutMs: 10_000,
      authHeaders: { 'x-qlik-user': REPOSITORY_USER },
      tls: { ca: emulator.material.ca, insecure: false, ...emulator.material.client },
    };
    const result = await runSetupQseow({
      connection,
      link: { kind: 'central' },
      dryRun: false,
      desired: {
        prefix: 'jwt',
        description: 'x',
        certificatePem: PUBLIC_PEM,
        userIdAttribute: 'userId',
        userDirectoryAttribute: 'userDirectory',
        attributeMap: [],
        audience: undefined,
        sessionCookieHeaderName: undefined,
        allowHosts: [],
      },
      beforeWrite: async (what) => {
        if (what !== 'virtualproxy' || interfered) return;
        interfered = true;
        const [current] = (
          await qrsCall(emulator, 'GET', "/qrs/virtualproxyconfig/full?filter=prefix eq 'jwt'")
        ).json() as QrsEntity[];
        const changed = await qrsCall(emulator, 'PUT', `/qrs/virtualproxyconfig/${String(current?.['id'])}`, {
          body: { ...current, description: 'changed meanwhile' },
        });
        assert.equal(changed.status, 200);
      },
    });
    assert.equal(interfered, true);
    assert.equal(result.virtualProxy.action, 'update');
    const [stored] = (
      await qrsCall(emulator, 'GET', "/qrs/virtualproxyconfig/full?filter=prefix eq 'jwt'")
    ).json() as QrsEntity[];
    assert.deepEqual([stored?.['jwtAttributeUserId'], stored?.['description']], ['userId', 'changed meanwhile']);
  });
});

describe('setup qseow through an existing JWT virtual proxy (--bearer-key)', () => {
  let emulator: QrsTestEmulator;
  before(async () => {
    writeFileSync(certFile, await createSelfSignedCertificate({ ...KEYS, commonName: 'setup test', days: 2 }));
    emulator = await startQrsEmulator({ virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'injected' }] });
  });
  after(() => emulator.close());

  it('reaches QRS at /jwt/qrs/ with a token it mints, creates /jwt2, and /jwt2 then accepts tokens', async () => {
    const result = await runCli([
      'setup',
      'qseow',
      '--qrs',
      `${emulator.url}/jwt`,
      '--bearer-key',
      keyFile,
      '--userid',
      'admin',
      '--userdir',
      'INTERNAL',
      '--prefix',
      'jwt2',
      '--cert',
      certFile,
      '--format',
      'json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as {
      changed: boolean;
      virtualProxy: { action: string };
      linked: unknown[];
    };
    assert.deepEqual([parsed.changed, parsed.virtualProxy.action, parsed.linked.length], [true, 'create', 1]);
    const answer = await fetch(`${emulator.url}/jwt2/qps/user`, {
      headers: { authorization: `Bearer ${qseowToken()}` },
    });
    assert.equal(answer.status, 200);
  });
});

describe('setup qseow: bad input and failing servers give one line naming the cause', () => {
  let fake: Server;
  let fakeUrl: string;
  let fakeCert: string;
  let answer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };
  let emulator: QrsTestEmulator;
  const files = join(folder, 'bad');

  before(async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(files, { recursive: true });
    // Valid for 127.0.0.1 and qrs.test only: https://localhost:… is the name mismatch.
    fakeCert = await createIssuedCertificate({
      publicKey: OTHER_KEYS.publicKey,
      signingKey: OTHER_KEYS.privateKey,
      commonName: 'qrs.test',
      role: 'server',
      days: 2,
      dnsNames: ['qrs.test'],
      ipAddresses: ['127.0.0.1'],
    });
    fake = createServer(
      { cert: fakeCert, key: OTHER_KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
      (request, response) => {
        request.resume();
        response.writeHead(answer.status, { 'content-type': answer.type });
        response.end(answer.body);
      },
    );
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `https://localhost:${(fake.address() as AddressInfo).port}`;
    writeFileSync(join(files, 'fake-ca.pem'), fakeCert);
    emulator = await startQrsEmulator();
    writeFileSync(join(files, 'client.pem'), emulator.material.client.cert);
    writeFileSync(join(files, 'client_key.pem'), emulator.material.client.key);
    writeFileSync(join(files, 'root.pem'), emulator.material.ca);
    writeFileSync(join(files, 'stranger.pem'), PUBLIC_PEM);
    writeFileSync(
      join(files, 'stranger-cert.pem'),
      await createSelfSignedCertificate({ ...OTHER_KEYS, commonName: 'stranger', days: 2 }),
    );
    writeFileSync(
      join(files, 'stranger-key.pem'),
      OTHER_KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    );
    writeFileSync(
      join(files, 'malformed.cer'),
      '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n',
    );
    writeFileSync(certFile, await createSelfSignedCertificate({ ...KEYS, commonName: 'setup test', days: 2 }));
  });
  after(async () => {
    fake.closeAllConnections();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
    await emulator.close();
  });

  const setupAt = (
    qrs: string,
    extra: readonly string[] = [],
    client = ['client.pem', 'client_key.pem'],
    ca = 'root.pem',
  ) =>
    runCli([
      'setup',
      'qseow',
      '--qrs',
      qrs,
      '--client-cert',
      join(files, client[0] ?? ''),
      '--client-key',
      join(files, client[1] ?? ''),
      '--ca',
      join(files, ca),
      '--prefix',
      'jwt',
      '--cert',
      certFile,
      '--timeout',
      '5s',
      ...extra,
    ]);
  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    return lines[0] ?? '';
  };

  it('unreachable host: exit 1, connection refused', async () => {
    const result = await setupAt('https://127.0.0.1:1');
    assert.equal(result.code, 1);
    assert.match(oneLine(result.stderr), /connection refused/);
  });

  it('wrong client certificate: exit 1, the server refused it', async () => {
    const result = await setupAt(emulator.qrsUrl, [], ['stranger-cert.pem', 'stranger-key.pem']);
    assert.equal(result.code, 1);
    assert.match(oneLine(result.stderr), /refused the client certificate|closed the connection/);
  });

  it('TLS name mismatch: exit 1, names the host', async () => {
    const result = await setupAt(fakeUrl, [], undefined, 'fake-ca.pem');
    assert.equal(result.code, 1);
    assert.match(oneLine(result.stderr), /not valid for the host "localhost"/);
  });

  const statusCases: [string, { status: number; type: string; body: string }, RegExp][] = [
    [
      'HTML instead of JSON',
      { status: 200, type: 'text/html', body: '<html><body>Hub</body></html>' },
      /HTML page instead of QRS JSON/,
    ],
    ['401', { status: 401, type: 'text/plain', body: '' }, /401 Unauthorized/],
    ['403', { status: 403, type: 'text/plain', body: 'Forbidden' }, /403 Forbidden.*RootAdmin/],
    ['404', { status: 404, type: 'text/plain', body: 'Not Found' }, /404 Not Found.*no QRS API/],
    [
      '500',
      { status: 500, type: 'text/plain', body: 'Object reference not set' },
      /500 \(server error\).*Object reference/,
    ],
  ];
  for (const [name, shape, expected] of statusCases) {
    it(`a QRS that answers ${name}: exit 1, one line`, async () => {
      answer = shape;
      const result = await setupAt(fakeUrl.replace('localhost', '127.0.0.1'), [], undefined, 'fake-ca.pem');
      assert.equal(result.code, 1, result.stderr);
      assert.match(oneLine(result.stderr), expected);
    });
  }

  it('a malformed certificate file: exit 2, names the file', async () => {
    const result = await runCli([
      'setup',
      'qseow',
      '--qrs',
      emulator.qrsUrl,
      '--client-cert',
      join(files, 'client.pem'),
      '--client-key',
      join(files, 'client_key.pem'),
      '--prefix',
      'jwt',
      '--cert',
      join(files, 'malformed.cer'),
    ]);
    assert.equal(result.code, 2);
    assert.match(oneLine(result.stderr), /malformed\.cer/);
  });

  it('a public key where the certificate belongs: exit 2', async () => {
    const result = await runCli([
      'setup',
      'qseow',
      '--qrs',
      emulator.qrsUrl,
      '--client-cert',
      join(files, 'client.pem'),
      '--client-key',
      join(files, 'client_key.pem'),
      '--prefix',
      'jwt',
      '--cert',
      join(files, 'stranger.pem'),
    ]);
    assert.equal(result.code, 2);
    assert.match(oneLine(result.stderr), /no -----BEGIN CERTIFICATE----- block/);
  });
});
