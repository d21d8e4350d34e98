import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toSingleLinePem } from '../src/core/keys/pem-blocks.js';
import {
  cloudToken,
  ISSUER,
  KID,
  PUBLIC_PEM,
  startTestEmulator,
  type TestEmulator,
} from './support/emulator-harness.js';

const API_KEY = 'test-api-key-0123456789';

describe('Qlik Cloud identity-provider API', () => {
  let emulator: TestEmulator;
  let readOnly: TestEmulator;
  before(async () => {
    emulator = await startTestEmulator(
      { tenant: { apiKeyFile: 'unused', tenantId: 'tenant-1' } },
      { extra: { tenantApiKey: API_KEY } },
    );
    readOnly = await startTestEmulator(
      { tenant: { apiKeyFile: 'unused', apiKeyRoles: ['Developer'] } },
      { extra: { tenantApiKey: API_KEY } },
    );
  });
  after(async () => {
    await emulator.close();
    await readOnly.close();
  });

  const api = (target: TestEmulator, method: string, path: string, body?: unknown, key = API_KEY) =>
    fetch(`${target.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const login = (token: string) =>
    fetch(`${emulator.url}/login/jwt-session`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const createBody = (kid = KID) => ({
    tenantIds: ['tenant-1'],
    provider: 'external',
    protocol: 'jwtAuth',
    interactive: false,
    active: true,
    description: 'test',
    options: { jwtLoginEnabled: true, issuer: ISSUER, staticKeys: [{ kid, pem: toSingleLinePem(PUBLIC_PEM) }] },
  });

  it("reports the API key's user with the TenantAdmin role", async () => {
    const me = (await (await api(emulator, 'GET', '/api/v1/users/me')).json()) as {
      tenantId: string;
      assignedRoles: { name: string }[];
    };
    assert.equal(me.tenantId, 'tenant-1');
    assert.deepEqual(
      me.assignedRoles.map((role) => role.name),
      ['TenantAdmin'],
    );
  });

  it('refuses a wrong API key (401) and a key whose user is not a TenantAdmin (403)', async () => {
    assert.equal((await api(emulator, 'GET', '/api/v1/identity-providers', undefined, 'wrong')).status, 401);
    assert.equal((await api(readOnly, 'GET', '/api/v1/identity-providers')).status, 403);
  });

  it('trusts exactly the JWT IdPs that exist: none, then the created one, then none after delete', async () => {
    const none = await login(cloudToken());
    assert.equal(none.status, 401);
    assert.match(none.headers.get('x-qs-jwt-reason') ?? '', /^EMU012/);

    const created = await api(emulator, 'POST', '/api/v1/identity-providers', createBody());
    assert.equal(created.status, 201);
    const idp = (await created.json()) as { id: string; options: { issuer: string; staticKeys: { kid: string }[] } };
    assert.deepEqual([idp.options.issuer, idp.options.staticKeys[0]?.kid], [ISSUER, KID]);
    assert.equal((await login(cloudToken())).status, 200);

    const list = (await (await api(emulator, 'GET', '/api/v1/identity-providers')).json()) as {
      data: { id: string }[];
    };
    assert.deepEqual(
      list.data.map((item) => item.id),
      [idp.id],
    );

    assert.equal(
      (
        await api(emulator, 'PATCH', `/api/v1/identity-providers/${idp.id}`, [
          { op: 'replace', path: '/description', value: 'renamed' },
        ])
      ).status,
      204,
    );
    assert.equal(
      (
        await api(emulator, 'PATCH', `/api/v1/identity-providers/${idp.id}`, [
          { op: 'replace', path: '/options/issuer', value: 'x' },
        ])
      ).status,
      400,
    );
    const got = (await (await api(emulator, 'GET', `/api/v1/identity-providers/${idp.id}`)).json()) as {
      description: string;
    };
    assert.equal(got.description, 'renamed');

    assert.equal((await api(emulator, 'DELETE', `/api/v1/identity-providers/${idp.id}`)).status, 204);
    assert.equal((await login(cloudToken())).status, 401);
    assert.equal((await api(emulator, 'GET', `/api/v1/identity-providers/${idp.id}`)).status, 404);
  });

  it('refuses two keys in one IdP and a PEM that is not a key (400)', async () => {
    const two = createBody();
    two.options.staticKeys.push({ kid: 'k2', pem: PUBLIC_PEM });
    assert.equal((await api(emulator, 'POST', '/api/v1/identity-providers', two)).status, 400);
    const bad = createBody();
    (bad.options.staticKeys[0] as { pem: string }).pem = '-----BEGIN CERTIFICATE-----abc-----END CERTIFICATE-----';
    const answer = await api(emulator, 'POST', '/api/v1/identity-providers', bad);
    assert.equal(answer.status, 400);
    assert.equal(((await answer.json()) as { errors: { status: string }[] }).errors[0]?.status, '400');
  });
});
