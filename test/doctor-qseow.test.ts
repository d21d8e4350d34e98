import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSelfSignedCertificate } from '../src/core/keys/certificate.js';
import { diagnoseVirtualProxy } from '../src/provisioning/qseow-diagnosis.js';
import { KEYS, OTHER_KEYS, PUBLIC_PEM, qseowToken } from './support/emulator-harness.js';
import { temporaryFolder } from './support/fixtures.js';
import { qrsCall, startQrsEmulator, type QrsTestEmulator } from './support/qrs-harness.js';
import { runCli } from './support/run-cli.js';

const folder = temporaryFolder('qs-jwt-doctor-qseow-');

describe('doctor qseow (pure): attribute map against a token', () => {
  it('a missing mandatory claim is an error, a missing optional one a warning', () => {
    const proxy = {
      id: 'a',
      prefix: 'jwt',
      authenticationMethod: 4,
      jwtPublicKeyCertificate: PUBLIC_PEM,
      jwtAttributeUserId: 'userId',
      jwtAttributeUserDirectory: 'userDirectory',
      jwtAttributeMap: [
        { senseAttribute: 'group', jwtAttribute: 'groups', isMandatory: true },
        { senseAttribute: 'mail', jwtAttribute: 'email', isMandatory: false },
      ],
      sessionCookieHeaderName: 'X',
      websocketCrossOriginWhiteList: [],
      loadBalancingServerNodes: [{ id: 'n' }],
    };
    const findings = diagnoseVirtualProxy({
      prefix: 'jwt',
      proxy,
      allProxies: [proxy],
      linkedToCentral: true,
      userIdAttribute: 'userId',
      userDirectoryAttribute: 'userDirectory',
      audience: undefined,
      tokenClaims: { userId: 'a', userDirectory: 'B' },
    });
    assert.deepEqual(
      findings.map((item) => item.code),
      ['QD108', 'QD109'],
    );
  });
});

describe('doctor qseow against the emulated QRS (CLI)', () => {
  let emulator: QrsTestEmulator;
  const files = join(folder, 'files');
  before(async () => {
    mkdirSync(files, { recursive: true });
    emulator = await startQrsEmulator({ virtualProxies: [{ prefix: 'jwt', jwtPublicKeyCertificate: 'injected' }] });
    writeFileSync(join(files, 'client.pem'), emulator.material.client.cert);
    writeFileSync(join(files, 'client_key.pem'), emulator.material.client.key);
    writeFileSync(join(files, 'root.pem'), emulator.material.ca);
    writeFileSync(join(files, 'privatekey.pem'), KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    writeFileSync(
      join(files, 'other.cer'),
      await createSelfSignedCertificate({ ...OTHER_KEYS, commonName: 'other', days: 2 }),
    );
    const lonely = await qrsCall(emulator, 'POST', '/qrs/virtualproxyconfig', {
      body: {
        prefix: 'lonely',
        description: 'not linked',
        sessionCookieHeaderName: 'X-Qlik-Session-lonely',
        authenticationMethod: 4,
        jwtPublicKeyCertificate: PUBLIC_PEM,
        jwtAttributeUserId: 'userId',
        jwtAttributeUserDirectory: 'userDirectory',
        websocketCrossOriginWhiteList: ['127.0.0.1'],
      },
    });
    assert.equal(lonely.status, 201);
  });
  after(() => emulator.close());

  const doctor = (extra: readonly string[]) =>
    runCli([
      'doctor',
      'qseow',
      '--qrs',
      emulator.qrsUrl,
      '--client-cert',
      join(files, 'client.pem'),
      '--client-key',
      join(files, 'client_key.pem'),
      '--ca',
      join(files, 'root.pem'),
      ...extra,
    ]);
  const codes = (stdout: string) =>
    (JSON.parse(stdout) as { findings: { code: string }[] }).findings.map((item) => item.code);

  it('a correct setup: exit 0, ends with a live login that names the user', async () => {
    const result = await doctor([
      '--prefix',
      'jwt',
      '--key',
      join(files, 'privatekey.pem'),
      '--userid',
      'anna',
      '--userdir',
      'ACME',
      '--server',
      emulator.url,
      '--format',
      'json',
    ]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const report = JSON.parse(result.stdout) as { ok: boolean; findings: { code: string }[]; user: { userId: string } };
    assert.equal(report.ok, true);
    assert.equal(report.user.userId, 'anna');
    assert.ok(report.findings.some((item) => item.code === 'QD114'));
  });

  it('finds a wrong certificate (QD104), exit 1', async () => {
    const result = await doctor(['--prefix', 'jwt', '--cert', join(files, 'other.cer'), '--format', 'json']);
    assert.equal(result.code, 1);
    assert.deepEqual(codes(result.stdout), ['QD104']);
  });

  it('finds wrong attribute names (QD105, QD106), in text with the fix', async () => {
    const result = await doctor(['--prefix', 'jwt', '--userid-attr', 'uid', '--userdir-attr', 'dir']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^PROBLEMS FOUND in virtual proxy \/jwt/);
    assert.match(result.stdout, /error {3}QD105 .*proxy "userId", tokens "uid"/);
    assert.match(result.stdout, /error {3}QD106 /);
    assert.match(result.stdout, /fix: /);
  });

  it('finds a token whose claims miss the attribute names (QD105)', async () => {
    const token = qseowToken({ userIdAttribute: 'sub_id' });
    const result = await doctor(['--prefix', 'jwt', '--token', token, '--format', 'json']);
    assert.equal(result.code, 1);
    assert.deepEqual(codes(result.stdout), ['QD105']);
  });

  it('finds a missing central link (QD110)', async () => {
    const result = await doctor([
      '--prefix',
      'lonely',
      '--cert',
      join(files, 'other.cer'),
      '--users-host',
      '127.0.0.1',
      '--format',
      'json',
    ]);
    assert.equal(result.code, 1);
    assert.deepEqual(codes(result.stdout), ['QD104', 'QD110', 'QD113']);
  });

  it('finds a host missing from the allow list (QD111, a warning: exit 0)', async () => {
    const result = await doctor(['--prefix', 'jwt', '--users-host', 'portal.example.com', '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(codes(result.stdout), ['QD111']);
  });

  it('takes the claim names and key from --profile', async () => {
    const config = join(files, 'qs-jwt.config.json');
    writeFileSync(
      config,
      JSON.stringify({ profiles: { prod: { platform: 'qseow', useridAttr: 'uid', keyFile: 'privatekey.pem' } } }),
    );
    const result = await doctor(['--prefix', 'jwt', '--profile', 'prod', '--config', config, '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(codes(result.stdout), ['QD105']);
  });

  it('an unknown prefix is QD101', async () => {
    const result = await doctor(['--prefix', 'nothing', '--format', 'json']);
    assert.equal(result.code, 1);
    assert.deepEqual(codes(result.stdout), ['QD101']);
  });
});
