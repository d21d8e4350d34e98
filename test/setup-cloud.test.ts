import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSelfSignedCertificate } from '../src/core/keys/certificate.js';
import { startCliEmulator, type CliEmulator } from './support/cli-emulator.js';
import { KEYS, OTHER_KEYS } from './support/emulator-harness.js';
import { temporaryFolder } from './support/fixtures.js';
import { runCli } from './support/run-cli.js';

/**
 * setup cloud end to end: emulate cloud starts with an API key and no identity provider; setup
 * creates one; test cloud then logs in; --replace rotates to a new key, proving it before the old
 * IdP is deleted; doctor cloud finds issuer and key ID mismatches.
 */

const folder = temporaryFolder('qs-jwt-setup-cloud-');
const files = {
  apiKey: join(folder, 'api-key.txt'),
  key: join(folder, 'privatekey.pem'),
  cert: join(folder, 'publickey.cer'),
  newKey: join(folder, 'new-privatekey.pem'),
  newCert: join(folder, 'new-publickey.cer'),
};
const ISSUER = 'https://idp.acme.test';
writeFileSync(files.apiKey, 'emulated-api-key-123\n');
writeFileSync(files.key, KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
writeFileSync(files.newKey, OTHER_KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

describe('setup cloud and doctor cloud against emulate cloud --api-key-file (CLI)', () => {
  let emulator: CliEmulator;
  let nonAdmin: CliEmulator;
  let tenant: string;
  const connection = () => ['--tenant', tenant, '--api-key-file', files.apiKey];
  const setup = (extra: readonly string[]) => runCli(['setup', 'cloud', ...connection(), '--issuer', ISSUER, ...extra]);
  const testCloud = (key: string, kid: string) =>
    runCli([
      'test',
      'cloud',
      '--tenant',
      tenant,
      '--key',
      key,
      '--issuer',
      ISSUER,
      '--kid',
      kid,
      '--sub',
      'anna',
      '--name',
      'Anna',
      '--email',
      'anna@acme.test',
      '--format',
      'json',
    ]);

  before(async () => {
    writeFileSync(files.cert, await createSelfSignedCertificate({ ...KEYS, commonName: 'cloud', days: 2 }));
    writeFileSync(
      files.newCert,
      await createSelfSignedCertificate({ ...OTHER_KEYS, commonName: 'cloud new', days: 2 }),
    );
    [emulator, nonAdmin] = await Promise.all([
      startCliEmulator(['cloud', '--api-key-file', files.apiKey], 1, folder),
      startCliEmulator(['cloud', '--api-key-file', files.apiKey, '--api-key-role', 'Developer'], 1, folder),
    ]);
    tenant = emulator.lines[0] ?? '';
  });
  after(async () => {
    await emulator.stop();
    await nonAdmin.stop();
  });

  it('--dry-run writes nothing: test cloud still fails', async () => {
    const dry = await setup(['--kid', 'k1', '--cert', files.cert, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would create/);
    assert.equal((await testCloud(files.key, 'k1')).code, 1);
  });

  it('creates the IdP; test cloud then passes', async () => {
    const created = await setup(['--kid', 'k1', '--cert', files.cert, '--format', 'json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(
      (JSON.parse(created.stdout) as { identityProvider: { action: string } }).identityProvider.action,
      'create',
    );
    const probe = await testCloud(files.key, 'k1');
    assert.equal(probe.code, 0, probe.stdout + probe.stderr);
  });

  it('a second run changes nothing and says so', async () => {
    const again = await setup(['--kid', 'k1', '--cert', files.cert]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^no change/);
  });

  it('a new key for the same issuer is reported, not touched, without --replace', async () => {
    const refused = await setup(['--kid', 'k2', '--cert', files.newCert]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--replace/);
    assert.equal((await testCloud(files.key, 'k1')).code, 0, 'the old key still logs in');
  });

  it('doctor cloud finds an issuer mismatch (QD203) and a kid mismatch (QD204)', async () => {
    const doctor = (extra: readonly string[]) =>
      runCli(['doctor', 'cloud', ...connection(), '--format', 'json', ...extra]);
    const codes = (stdout: string) =>
      (JSON.parse(stdout) as { findings: { code: string }[] }).findings.map((item) => item.code);
    const good = await doctor([
      '--issuer',
      ISSUER,
      '--kid',
      'k1',
      '--key',
      files.key,
      '--sub',
      'anna',
      '--name',
      'Anna',
      '--email',
      'anna@acme.test',
    ]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.ok(codes(good.stdout).includes('QD208'), good.stdout);
    const wrongIssuer = await doctor(['--issuer', 'https://other.test', '--kid', 'k1', '--cert', files.cert]);
    assert.equal(wrongIssuer.code, 1);
    assert.deepEqual(codes(wrongIssuer.stdout), ['QD203']);
    const wrongKid = await doctor(['--issuer', ISSUER, '--kid', 'k9', '--cert', files.cert]);
    assert.equal(wrongKid.code, 1);
    assert.deepEqual(codes(wrongKid.stdout), ['QD204']);
  });

  it('--replace rotates: creates the new IdP, proves a login with the new key, then deletes the old one', async () => {
    const rotated = await setup([
      '--kid',
      'k2',
      '--cert',
      files.newCert,
      '--key',
      files.newKey,
      '--replace',
      '--format',
      'json',
    ]);
    assert.equal(rotated.code, 0, rotated.stderr);
    const result = JSON.parse(rotated.stdout) as {
      steps: string[];
      deleted: string[];
      identityProvider: { action: string };
    };
    assert.equal(result.identityProvider.action, 'rotate');
    // Created before proved before deleted: at every moment one of the two keys logs in.
    assert.deepEqual(
      result.steps.map((step) => step.split(' ')[0]),
      ['created', 'proved:', 'deleted'],
    );
    assert.equal(result.deleted.length, 1);
    assert.equal((await testCloud(files.newKey, 'k2')).code, 0, 'the new key logs in');
    assert.equal((await testCloud(files.key, 'k1')).code, 1, 'the old key no longer does');
  });

  it('refuses an API key whose user is not a TenantAdmin, naming the roles', async () => {
    const refused = await runCli([
      'setup',
      'cloud',
      '--tenant',
      nonAdmin.lines[0] ?? '',
      '--api-key-file',
      files.apiKey,
      '--issuer',
      ISSUER,
      '--kid',
      'k1',
      '--cert',
      files.cert,
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not a TenantAdmin \(roles: Developer\)/);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
  });

  it('refuses a wrong API key with one line (401)', async () => {
    const wrong = join(folder, 'wrong-key.txt');
    writeFileSync(wrong, 'not-the-key');
    const refused = await runCli([
      'setup',
      'cloud',
      '--tenant',
      tenant,
      '--api-key-file',
      wrong,
      '--issuer',
      ISSUER,
      '--kid',
      'k1',
      '--cert',
      files.cert,
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refused the API key \(401\)/);
  });
});
