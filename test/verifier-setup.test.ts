/**
 * verifyToken and lintToken check their own setup before any token: an unknown platform, a setting the
 * platform's rules never read (so a check the caller asked for would be silently skipped), or keys that
 * are not parsed public keys are typed errors, not an "accepted" or a TypeError from node:crypto.
 * The CLI's verify and lint turn the same mistakes into a usage error naming the flag.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { QsJwtError, VerifierSetupError } from '../src/core/errors.js';
import { createCloudToken } from '../src/core/qlik/cloud-token.js';
import { createQseowToken } from '../src/core/qlik/qseow-token.js';
import { lintClaims } from '../src/core/lint/claim-rules.js';
import { PLATFORM_OPTIONS, platformForOption, uncheckedOptions } from '../src/core/lint/platform-options.js';
import { lintToken, verifyToken, type VerifyOptions } from '../src/core/lint/verify-token.js';
import * as library from '../src/index.js';
import { runCli } from './support/run-cli.js';

const NOW = 1_800_000_000;
let privateKey: KeyObject;
let publicKey: KeyObject;
let cloudToken: string;
let qseowToken: string;

before(() => {
  ({ privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  cloudToken = createCloudToken({
    privateKey,
    subject: 'anna',
    name: 'Anna',
    email: 'anna@acme.com',
    issuer: 'https://idp.acme.com',
    keyId: 'k1',
    now: NOW,
  }).token;
  qseowToken = createQseowToken({ privateKey, userId: 'anna', userDirectory: 'ACME', now: NOW }).token;
});

function setupError(run: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof VerifierSetupError, `a VerifierSetupError, got ${String(error)}`);
    assert.ok(error instanceof QsJwtError, 'a QsJwtError');
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /--/, 'library messages name no CLI flag');
    return true;
  });
}

describe('platform', () => {
  it("an unknown platform such as 'Cloud' throws instead of applying no Qlik rule", () => {
    const options = {
      keys: publicKey,
      platform: 'Cloud',
      issuer: 'https://wrong',
      keyId: 'wrong',
      at: NOW,
    } as unknown as VerifyOptions;
    setupError(
      () => verifyToken(cloudToken, options),
      'PLATFORM_UNKNOWN',
      /platform "Cloud" is not one of qseow, cloud, none.*lowercase: "cloud"/,
    );
    setupError(() => lintToken(cloudToken, 'qlik' as never, { at: NOW }), 'PLATFORM_UNKNOWN', /platform "qlik"/);
    setupError(() => lintToken('garbage', 42 as never), 'PLATFORM_UNKNOWN', /platform number/);
    setupError(() => lintClaims({ alg: 'RS256' }, {}, 'QSEoW' as never), 'PLATFORM_UNKNOWN', /lowercase: "qseow"/);
  });

  it('issuer and keyId are Qlik Cloud settings: with none or qseow they throw, naming the option and the platform', () => {
    for (const platform of ['none', 'qseow'] as const) {
      setupError(
        () => verifyToken(cloudToken, { keys: publicKey, platform, issuer: 'https://wrong', at: NOW }),
        'OPTION_WRONG_PLATFORM',
        new RegExp(
          `^issuer is checked only by the Qlik Cloud rules, but the platform is "${platform}": use platform "cloud"`,
        ),
      );
      setupError(
        () => lintToken(cloudToken, platform, { keyId: 'wrong', at: NOW }),
        'OPTION_WRONG_PLATFORM',
        /^keyId .*Qlik Cloud/,
      );
    }
    // Omitting the platform is platform none.
    setupError(
      () => verifyToken(cloudToken, { keys: publicKey, keyId: 'wrong', at: NOW }),
      'OPTION_WRONG_PLATFORM',
      /platform is "none"/,
    );
  });

  it('audience and the attribute names are QSEoW settings: with none or cloud they throw', () => {
    for (const option of ['audience', 'userIdAttribute', 'userDirectoryAttribute'] as const) {
      for (const platform of ['none', 'cloud'] as const) {
        setupError(
          () => lintToken(qseowToken, platform, { [option]: 'x', at: NOW }),
          'OPTION_WRONG_PLATFORM',
          new RegExp(`^${option} is checked only by the QSEoW rules`),
        );
      }
    }
  });

  it('with the right platform the same settings are checked, and undefined counts as not given', () => {
    const wrong = verifyToken(cloudToken, {
      keys: publicKey,
      platform: 'cloud',
      issuer: 'https://wrong',
      keyId: 'wrong',
      at: NOW,
    });
    assert.deepEqual(
      wrong.findings.filter((item) => item.severity === 'error').map((item) => item.code),
      ['QJ209', 'QJ210'],
    );
    const right = verifyToken(cloudToken, {
      keys: publicKey,
      platform: 'cloud',
      issuer: 'https://idp.acme.com',
      keyId: 'k1',
      at: NOW,
    });
    assert.equal(right.accepted, true);
    assert.equal(lintToken(qseowToken, 'none', { issuer: undefined, audience: undefined, at: NOW }).accepted, true);
  });

  it('exports which platform checks each option, for adapters that infer the platform', () => {
    assert.equal(library.platformForOption('issuer'), 'cloud');
    assert.equal(platformForOption('keyId'), 'cloud');
    assert.equal(platformForOption('audience'), 'qseow');
    assert.equal(platformForOption('userIdAttribute'), 'qseow');
    assert.equal(platformForOption('clockTolerance'), undefined);
    assert.equal(platformForOption('constructor'), undefined);
    assert.deepEqual(uncheckedOptions('qseow', { issuer: 'i', audience: 'a', keyId: undefined }), ['issuer']);
    assert.deepEqual(Object.keys(library.PLATFORM_OPTIONS).sort(), Object.keys(PLATFORM_OPTIONS).sort());
  });
});

describe('keys', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'a PEM string',
      '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n',
      /^keys is a string, not a public key .*loadPublicKey\(text\)/,
    ],
    ['undefined', undefined, /^keys is undefined, not a public key/],
    ['null', null, /^keys is null/],
    ['a Buffer', Buffer.from('x'), /^keys is a Buffer.*loadPublicKey/],
    ['a plain object', { kty: 'RSA' }, /^keys is an object/],
    ['a list with a PEM', ['-----BEGIN PUBLIC KEY-----'], /^keys\[0\] is a string, not \{key, kid\?\}/],
    ['a list with a non-string kid', [{ key: null, kid: 'a' }], /^keys\[0\] is an object/],
  ];
  for (const [what, keys, pattern] of cases) {
    it(`${what} as keys is a typed error, not a TypeError`, () => {
      setupError(
        () => verifyToken(qseowToken, { keys, at: NOW } as unknown as VerifyOptions),
        'VERIFY_KEYS_INVALID',
        pattern,
      );
    });
  }

  it('a CryptoKey is pointed to KeyObject.from', async () => {
    const { subtle } = globalThis.crypto;
    const pair = await subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    setupError(
      () => verifyToken(qseowToken, { keys: pair.publicKey } as unknown as VerifyOptions),
      'VERIFY_KEYS_INVALID',
      /CryptoKey.*KeyObject\.from/,
    );
  });

  it('verifyToken without options at all says keys are missing', () => {
    setupError(
      () => (verifyToken as (token: string) => unknown)(qseowToken),
      'VERIFY_KEYS_INVALID',
      /^keys is undefined/,
    );
  });
});

describe('the CLI', () => {
  // The CLI infers the platform from such settings (test/cli-settings.test.ts covers it in full): what
  // matters here is that the library's strictness never turns into an unchecked ACCEPTED.
  it('verify/lint --issuer and --kid without a platform are checked under Qlik Cloud rules (not ACCEPTED)', async () => {
    const result = await runCli([
      'lint',
      cloudToken,
      '--issuer',
      'https://wrong',
      '--kid',
      'wrong',
      '--format',
      'json',
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const codes = (JSON.parse(result.stdout) as { findings: { code: string }[] }).findings.map((item) => item.code);
    assert.ok(codes.includes('QJ209') && codes.includes('QJ210'), codes.join());
  });

  it('a flag the chosen platform does not check is a usage error naming the flag', async () => {
    const result = await runCli(['lint', qseowToken, '--platform', 'cloud', '--audience', 'qlik.example.com']);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^qs-jwt: error: --audience is checked by QSEoW only, and the platform is cloud/);
  });
});
