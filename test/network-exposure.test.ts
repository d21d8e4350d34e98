// Warnings about where tokens travel: the emulator bound beyond loopback, and refusals of headers too
// large (the probe's diagnosis). Pure functions; the CLI runs are in cli-test-command.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHost } from '../src/cli/loopback-host.js';
import { networkExposureWarning } from '../src/cli/commands/emulate.js';
import { diagnose, headersTooLarge } from '../src/probe/diagnosis.js';

test('loopback hosts: localhost, 127.0.0.0/8 and ::1; every other address reaches the network', () => {
  const loopback = ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'];
  for (const host of [...loopback, '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  const network = ['0.0.0.0', '::', '[::]', '192.168.1.10', '10.0.0.1', 'qlik.example.com', '128.0.0.1'];
  for (const host of [...network, 'localhost.example.com']) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});

test('emulate warns when bound beyond loopback, and only then', () => {
  assert.match(
    networkExposureWarning('0.0.0.0') ?? '',
    /^qs-jwt emulate: warning: listening on 0\.0\.0\.0, reachable from the network: the emulator is a test stand-in/,
  );
  assert.match(networkExposureWarning('::') ?? '', /reachable from the network/);
  assert.equal(networkExposureWarning('127.0.0.1'), undefined);
  assert.equal(networkExposureWarning('localhost'), undefined);
});

test('headers too large: 431, or a 400 whose text says so (IIS/http.sys, nginx); other refusals are not', () => {
  const refusal = (status: number, body: string) => ({ step: 'qrs/about', status, body });
  assert.equal(headersTooLarge(refusal(431, '')), true);
  const iis = 'Bad Request - Request Too Long HTTP Error 400. The size of the request headers is too long.';
  assert.equal(headersTooLarge(refusal(400, iis)), true);
  assert.equal(headersTooLarge(refusal(400, '400 Request Header Or Cookie Too Large')), true);
  const claim = 'INTERNAL-TOKEN-1 Invalid token request: JWT_LOGIN_VALIDATIONS Missing required claim: nbf';
  assert.equal(headersTooLarge(refusal(400, claim)), false);
  assert.equal(headersTooLarge(refusal(401, 'header too large')), false);
  const given = { signatureChecked: true, audience: true, userAttributes: true, issuer: true, keyId: true };
  const [first] = diagnose('qseow', [], refusal(431, ''), given, 20_000);
  assert.match(first ?? '', /the token is too large, 20000 characters, so its "Authorization: Bearer" header line/);
  assert.match(first ?? '', /is 20022 bytes/);
});
