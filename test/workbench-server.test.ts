import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  cloudToken,
  ISSUER,
  KEYS,
  KID,
  PUBLIC_PEM,
  qseowToken,
  startTestEmulator,
} from './support/emulator-harness.js';
import { temporaryFolder } from './support/fixtures.js';
import { runCli } from './support/run-cli.js';
import { admit, startWorkbenchProcess, type WorkbenchProcess } from './support/workbench-process.js';
import { allowedHosts, hostAllowed, originAllowed } from '../src/workbench/request-guard.js';
import { cookieFromHeader, secretMatches } from '../src/workbench/run-secret.js';
import { commandLine, shellQuote } from '../src/workbench/command-line.js';
import { KeyStore } from '../src/workbench/key-store.js';
import { closeUnserved, listenForWorkbench } from '../src/workbench/workbench-listener.js';
import { serveWorkbench } from '../src/workbench/workbench-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ASSETS = join(ROOT, 'dist/cli-bundle/workbench');
const built = existsSync(join(ASSETS, 'app.js'));
const folder = temporaryFolder('qs-jwt-ui-');
const keyFile = join(folder, 'privatekey.pem');
writeFileSync(keyFile, KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
const PRIVATE_KEY_BODY = (KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).split('\n')[1] ?? '';

/** A raw request, so the Host header can be anything (fetch does not let it be set). */
function raw(
  origin: string,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body = '',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('workbench request checks (pure)', () => {
  it('serves only Host values naming the bound address or localhost with the port', () => {
    const allowed = allowedHosts('127.0.0.1', 8123);
    for (const host of ['127.0.0.1:8123', 'localhost:8123', 'LOCALHOST:8123', '[::1]:8123'])
      assert.ok(hostAllowed(host, allowed), host);
    for (const host of ['evil.example:8123', '127.0.0.1:80', 'localhost', undefined, '127.0.0.1.nip.io:8123'])
      assert.ok(!hostAllowed(host, allowed), String(host));
  });

  it('lets GET through and requires this origin on anything else', () => {
    const allowed = allowedHosts('127.0.0.1', 8123);
    assert.ok(originAllowed('GET', undefined, allowed));
    assert.ok(originAllowed('POST', 'http://127.0.0.1:8123', allowed));
    assert.ok(!originAllowed('POST', undefined, allowed));
    assert.ok(!originAllowed('POST', 'null', allowed));
    assert.ok(!originAllowed('POST', 'https://127.0.0.1:8123', allowed));
    assert.ok(!originAllowed('POST', 'http://evil.example', allowed));
  });

  it('compares secrets in full and reads only its own cookie', () => {
    assert.ok(secretMatches('abc', 'abc'));
    assert.ok(!secretMatches('ab', 'abc'));
    assert.ok(!secretMatches(undefined, 'abc'));
    assert.equal(cookieFromHeader('a=1; qsjwt-workbench-9=v; b=2', 'qsjwt-workbench-9'), 'v');
    assert.equal(cookieFromHeader('qsjwt-workbench-99=v', 'qsjwt-workbench-9'), undefined);
  });

  it('quotes any text so that sh gives back exactly that text (property, 300 strings in one shell)', () => {
    // Arguments cannot hold NUL; everything else (quotes, $, backticks, newlines, non-ASCII) can.
    const text = fc
      .string({
        unit: fc.oneof(
          fc.constantFrom("'", '"', '$', '`', '\\', '\n', ' ', '*', '!', '~', '#', '-', '='),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        ),
        maxLength: 24,
      })
      .filter((value) => !value.includes('\0'));
    const samples = fc.sample(text, { numRuns: 300, seed: 12 });
    const printed = execFileSync(
      'sh',
      ['-c', `for a in ${samples.map(shellQuote).join(' ')}; do printf '%s\\0' "$a"; done`],
      { encoding: 'utf8' },
    );
    assert.deepEqual(printed.split('\0').slice(0, -1), samples);
  });

  it('finds its own cookie among any others (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 6 }), value, fc.nat(6), (others, own, at) => {
        const pairs = others.filter(([other]) => other !== 'qsjwt-workbench-1');
        pairs.splice(Math.min(at, pairs.length), 0, ['qsjwt-workbench-1', own]);
        return cookieFromHeader(pairs.map(([n, v]) => `${n}=${v}`).join('; '), 'qsjwt-workbench-1') === own;
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('quotes command-line values for a POSIX shell', () => {
    assert.equal(shellQuote('anna'), 'anna');
    assert.equal(shellQuote("O'Brien & co"), `'O'\\''Brien & co'`);
    const line = commandLine(
      ['create', 'qseow'],
      [
        ['--userid', 'anna'],
        ['--groups', ['Sales', 'EMEA Managers']],
        ['--kid', undefined],
      ],
    );
    assert.equal(line, "qs-jwt create qseow --userid anna --groups Sales 'EMEA Managers'");
    // What the shell makes of it is what was typed.
    const echoed = execFileSync('sh', ['-c', `printf '%s|' ${shellQuote("it's $HOME `x`")}`], { encoding: 'utf8' });
    assert.equal(echoed, "it's $HOME `x`|");
  });
});

describe('workbench start: the URL before the HTTP server', () => {
  it(
    'answers a browser that connected before the HTTP server took the socket over, and those after',
    { timeout: 10_000 },
    async () => {
      // qs-jwt ui prints the URL once a node:net server listens and loads the HTTP server afterwards.
      const listener = await listenForWorkbench('127.0.0.1', 0);
      let workbench;
      try {
        const early = fetch(listener.url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
        for (let waited = 0; listener.early.length === 0 && waited < 2000; waited += 10)
          await new Promise((resolve) => setTimeout(resolve, 10));
        assert.equal(listener.early.length, 1, 'the connection was accepted and held before the hand-over');
        workbench = await serveWorkbench(listener, { assets: new Map(), keys: new KeyStore(), defaults: {} });
        const admitted = await early;
        assert.equal(admitted.status, 303);
        const cookie = (admitted.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
        const state = await fetch(`${listener.origin}/api/state`, { headers: { cookie } });
        assert.equal(state.status, 200);
        assert.deepEqual(await state.json(), { keys: [], defaults: {} });
        assert.equal((await fetch(`${listener.origin}/api/state`)).status, 403, 'no cookie, no answer');
      } finally {
        if (workbench) await workbench.close();
        else closeUnserved(listener);
      }
    },
  );
});

describe(
  'qs-jwt ui (server)',
  { skip: built ? false : 'run npm run build first: dist/cli-bundle/workbench is missing' },
  () => {
    let ui: WorkbenchProcess;
    let cookie: string;
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${ui.origin}${path}`, {
        method: 'POST',
        headers: { cookie, origin: ui.origin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    before(async () => {
      ui = await startWorkbenchProcess(['--key', keyFile], folder);
      cookie = await admit(ui.url);
    });
    after(async () => {
      assert.equal(await ui.stop(), 0);
    });

    it('prints the URL with a secret first on stdout, on 127.0.0.1', () => {
      assert.match(ui.url, /^http:\/\/127\.0\.0\.1:\d+\/\?secret=[\w-]{43}$/);
      assert.match(ui.stderr(), /1 key loaded/);
    });

    it('refuses every request without the secret or its cookie (403)', async () => {
      for (const path of ['/', '/app.js', '/api/state', '/?secret=wrong']) {
        const response = await fetch(`${ui.origin}${path}`, { redirect: 'manual' });
        assert.equal(response.status, 403, path);
      }
      const forged = await fetch(`${ui.origin}/api/state`, { headers: { cookie: `${cookie.split('=')[0]}=forged` } });
      assert.equal(forged.status, 403);
    });

    it('exchanges the secret for an HttpOnly SameSite=Strict cookie and redirects to a URL without it', async () => {
      const response = await fetch(ui.url, { redirect: 'manual' });
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), '/');
      const setCookie = response.headers.get('set-cookie') ?? '';
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Strict/);
      assert.ok(
        !setCookie.includes(new URL(ui.url).searchParams.get('secret') ?? '?'),
        'the cookie is not the URL secret',
      );
      const page = await fetch(`${ui.origin}/`, { headers: { cookie } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<script type="module" src="\/app\.js"><\/script>/);
    });

    it('refuses a foreign Host even with the cookie (DNS rebinding)', async () => {
      const port = new URL(ui.origin).port;
      const foreign = await raw(ui.origin, '/api/state', { host: `attacker.example:${port}`, cookie });
      assert.equal(foreign.status, 403);
      const local = await raw(ui.origin, '/api/state', { host: `localhost:${port}`, cookie });
      assert.equal(local.status, 200);
    });

    it('sends a strict Content-Security-Policy and the other security headers on every answer', async () => {
      for (const response of [
        await fetch(`${ui.origin}/`, { headers: { cookie } }),
        await fetch(`${ui.origin}/nothing`),
      ]) {
        const csp = response.headers.get('content-security-policy') ?? '';
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /script-src 'self'(;|$)/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.ok(!csp.includes('unsafe-inline') && !csp.includes('http'), csp);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      }
    });

    it('refuses state-changing requests from another origin or without Origin', async () => {
      for (const origin of [undefined, 'http://attacker.example']) {
        const response = await fetch(`${ui.origin}/api/keys/create`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
          body: '{}',
        });
        assert.equal(response.status, 403, String(origin));
      }
    });

    it("names key files, never sends their contents, and answers API errors with the core's codes", async () => {
      const state = await (await fetch(`${ui.origin}/api/state`, { headers: { cookie } })).text();
      assert.match(state, /privatekey\.pem/);
      assert.ok(!state.includes(PRIVATE_KEY_BODY));
      const tooLong = await post('/api/token', {
        platform: 'cloud',
        key: 'k1',
        subject: 'a',
        name: 'A',
        email: 'a@b.c',
        issuer: 'i',
        kid: 'k',
        expires: '2h',
      });
      assert.equal(tooLong.status, 400);
      assert.equal(((await tooLong.json()) as { error: { code: string } }).error.code, 'CLOUD_LIFETIME_TOO_LONG');
      const small = await post('/api/keys/create', { bits: 1024 });
      assert.equal(((await small.json()) as { error: { code: string } }).error.code, 'KEY_SIZE_UNSUPPORTED');
    });

    it('keeps a created private key out of every answer but the explicit POST download', async () => {
      const created = await post('/api/keys/create', { bits: 2048, days: 30, commonName: 'ui test' });
      const text = await created.text();
      assert.equal(created.status, 200, text);
      assert.ok(!text.includes('PRIVATE KEY'));
      const { key } = JSON.parse(text) as { key: { id: string } };
      const viaGet = await fetch(`${ui.origin}/api/keys/${key.id}/privatekey.pem`, { headers: { cookie } });
      assert.equal(viaGet.status, 405);
      const viaPost = await fetch(`${ui.origin}/api/keys/${key.id}/privatekey.pem`, {
        method: 'POST',
        headers: { cookie, origin: ui.origin },
      });
      assert.equal(viaPost.status, 200);
      assert.match(viaPost.headers.get('content-disposition') ?? '', /attachment; filename="privatekey.pem"/);
      assert.match(await viaPost.text(), /^-----BEGIN PRIVATE KEY-----/);
      const certificate = await fetch(`${ui.origin}/api/keys/${key.id}/publickey.cer`, { headers: { cookie } });
      assert.match(await certificate.text(), /^-----BEGIN CERTIFICATE-----/);
      assert.ok(!ui.stderr().includes('PRIVATE KEY'), 'no key in the log');
    });

    it('inspects with a pasted public key or JWKS as verify does, and without one as lint does', async () => {
      const token = cloudToken();
      type Answer = {
        accepted: boolean;
        signatureValid?: boolean;
        findings: { code: string }[];
        times: Record<string, unknown>;
        parts: string[];
      };
      const codes = (answer: Answer) => answer.findings.map((item) => item.code);
      const linted = (await (
        await post('/api/inspect', { token, platform: 'cloud', issuer: ISSUER, kid: KID })
      ).json()) as Answer;
      assert.ok(codes(linted).includes('QJ022'));
      assert.deepEqual(Object.keys(linted.times).sort(), ['exp', 'iat', 'nbf']);
      assert.equal(linted.parts.length, 3);
      const verified = (await (
        await post('/api/inspect', { token, platform: 'cloud', issuer: ISSUER, kid: KID, key: PUBLIC_PEM })
      ).json()) as Answer;
      assert.equal(verified.accepted, true);
      assert.ok(codes(verified).includes('QJ021'));
      const jwks = JSON.stringify({ keys: [{ ...KEYS.publicKey.export({ format: 'jwk' }), kid: 'other' }] });
      const wrongKid = (await (await post('/api/inspect', { token, platform: 'cloud', key: jwks })).json()) as Answer;
      assert.equal(wrongKid.accepted, false);
      assert.ok(codes(wrongKid).includes('QJ015'));
    });

    it('describes pasted key material as keys show, and keeps a pasted private key only when asked', async () => {
      const pem = KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      const described = await (await post('/api/keys/describe', { text: pem })).text();
      assert.ok(!described.includes(PRIVATE_KEY_BODY));
      const answer = JSON.parse(described) as {
        key?: unknown;
        description: { kind: string; bits: number };
        singleLine: string;
      };
      assert.deepEqual(
        [answer.key, answer.description.kind, answer.description.bits],
        [undefined, 'private-key', 2048],
      );
      assert.match(answer.singleLine, /^-----BEGIN PUBLIC KEY-----\S+-----END PUBLIC KEY-----$/);
      const kept = (await (await post('/api/keys/describe', { text: pem, use: true })).json()) as {
        key: { origin: string };
      };
      assert.equal(kept.key.origin, 'pasted');
    });

    it('tests a token against a server URL the user typed (here an emulator), and explains a refusal', async () => {
      const emulator = await startTestEmulator({
        virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'injected' }],
      });
      try {
        type Report = { ok: boolean; steps: { name: string; ok: boolean }[]; diagnosis?: string[] };
        const good = (await (
          await post('/api/test', {
            platform: 'qseow',
            target: 'server',
            url: emulator.url,
            prefix: 'jwt',
            token: qseowToken(),
          })
        ).json()) as Report;
        assert.equal(good.ok, true, JSON.stringify(good));
        const bad = (await (
          await post('/api/test', {
            platform: 'qseow',
            target: 'server',
            url: emulator.url,
            prefix: 'jwt',
            token: qseowToken({ userDirectoryAttribute: 'dir' }),
          })
        ).json()) as Report;
        assert.equal(bad.ok, false);
        assert.match((bad.diagnosis ?? []).join('\n'), /QJ103/);
        const badUrl = await post('/api/test', {
          platform: 'qseow',
          target: 'server',
          url: 'ftp://x',
          token: qseowToken(),
        });
        assert.equal(badUrl.status, 400);
      } finally {
        await emulator.close();
      }
    });

    it('has a README screenshot of at most 200 KB', () => {
      const picture = readFileSync(join(ROOT, 'docs/workbench.png'));
      assert.equal(picture.subarray(1, 4).toString('latin1'), 'PNG');
      assert.ok(picture.length <= 200 * 1024, `${picture.length} bytes`);
    });

    it('ships the whole front end in at most 150 KB of gzipped JS and CSS', () => {
      const size = ['app.js', 'app.css']
        .map((file) => gzipSync(readFileSync(join(ASSETS, file))).length)
        .reduce((a, b) => a + b, 0);
      assert.ok(size <= 150 * 1024, `${size} bytes gzipped`);
    });
  },
);

describe('qs-jwt ui (flags)', { skip: built ? false : 'run npm run build first' }, () => {
  it('refuses a non-loopback --host without --allow-remote (exit 2, one line)', async () => {
    const result = await runCli(['ui', '--no-open', '--host', '0.0.0.0']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^qs-jwt: error: --host 0\.0\.0\.0 is not a loopback address: add --allow-remote/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });

  it('warns on stderr when --allow-remote binds a non-loopback address', async () => {
    const ui = await startWorkbenchProcess(['--host', '0.0.0.0', '--allow-remote'], folder);
    try {
      assert.match(ui.url, /^http:\/\/0\.0\.0\.0:\d+\/\?secret=/);
      assert.match(ui.stderr(), /qs-jwt ui: warning: listening on 0\.0\.0\.0/);
    } finally {
      // SIGTERM right after the URL, while the HTTP server may still be loading: a clean stop all the same.
      assert.equal(await ui.stop(), 0);
    }
  });

  it("offers the profile's keyFile and fills the forms with its settings", async () => {
    const config = join(folder, 'qs-jwt.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        profiles: { idp: { platform: 'cloud', keyFile: 'privatekey.pem', issuer: 'https://idp.example', kid: 'k-1' } },
      }),
    );
    const ui = await startWorkbenchProcess(['--config', config, '--profile', 'idp'], folder);
    try {
      const cookie = await admit(ui.url);
      const state = (await (await fetch(`${ui.origin}/api/state`, { headers: { cookie } })).json()) as {
        keys: { name: string }[];
        defaults: Record<string, string>;
      };
      assert.deepEqual(
        state.keys.map((key) => key.name),
        [join(folder, 'privatekey.pem')],
      );
      assert.deepEqual(state.defaults, { platform: 'cloud', issuer: 'https://idp.example', kid: 'k-1' });
    } finally {
      await ui.stop();
    }
  });

  it("finds the certificate beside a key file, takes --cert for its own key, and refuses another key's", async () => {
    const made = await runCli(['keys', 'create', '--bits', '2048', '--out', join(folder, 'made')]);
    assert.equal(made.code, 0, made.stderr);
    const certificateOf = async (args: string[]): Promise<boolean | undefined> => {
      const ui = await startWorkbenchProcess(args, folder);
      try {
        const cookie = await admit(ui.url);
        const state = (await (await fetch(`${ui.origin}/api/state`, { headers: { cookie } })).json()) as {
          keys: { hasCertificate: boolean }[];
        };
        return state.keys[0]?.hasCertificate;
      } finally {
        await ui.stop();
      }
    };
    const madeKey = join(folder, 'made', 'privatekey.pem');
    const madeCertificate = join(folder, 'made', 'publickey.cer');
    const renamed = join(folder, 'made', 'signing.pem');
    copyFileSync(madeKey, renamed);
    assert.equal(await certificateOf(['--key', madeKey]), true, 'publickey.cer beside privatekey.pem');
    assert.equal(await certificateOf(['--key', renamed, '--cert', madeCertificate]), true, '--cert of that key');
    assert.equal(await certificateOf(['--key', renamed]), false, 'no certificate beside signing.pem');
    const other = await runCli(['ui', '--no-open', '--key', keyFile, '--cert', madeCertificate]);
    assert.equal(other.code, 2, other.stderr);
    assert.equal(other.stdout, '');
    assert.match(
      other.stderr,
      /--cert .*publickey\.cer is the certificate of another key than --key .*privatekey\.pem/,
    );
    assert.equal(other.stderr.trim().split('\n').length, 1);
  });

  it('refuses an unusable --key before serving anything (exit 2, one line)', async () => {
    const notAKey = join(folder, 'not-a-key.pem');
    writeFileSync(notAKey, 'hello');
    const result = await runCli(['ui', '--no-open', '--key', notAKey]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^qs-jwt: error: --key .*not-a-key\.pem: /);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });

  it('has --help with examples', async () => {
    const result = await runCli(['ui', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Examples:\n {2}qs-jwt ui\n/);
    assert.match(result.stdout, /--allow-remote/);
  });
});
