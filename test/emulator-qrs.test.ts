import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  createQrsRepository,
  updateVirtualProxyEntity,
  QrsWriteError,
  type QrsEntity,
} from '../src/emulator/qrs-repository.js';
import { matchesFilter, parseQrsFilter } from '../src/emulator/qrs-routes.js';
import { isUsableCertificate } from '../src/emulator/qrs-served-proxies.js';
import { OTHER_KEYS, PUBLIC_PEM, qseowToken } from './support/emulator-harness.js';
import { qrsCall, qrsMaterial, startQrsEmulator, type QrsTestEmulator } from './support/qrs-harness.js';

const XRF = 'XSRF prevention check failed. Possible XSRF discovered.';

describe('QRS repository (pure)', () => {
  it('refuses a PUT whose modifiedDate is older than the stored one (409), and accepts the re-read entity', () => {
    const repository = createQrsRepository('localhost', [], Date.UTC(2026, 0, 1));
    const [entity] = [...repository.virtualProxies.values()] as [QrsEntity];
    const read = structuredClone(entity);
    updateVirtualProxyEntity(
      repository,
      entity['id'] as string,
      { ...read, description: 'first' },
      'A\\b',
      Date.UTC(2026, 0, 2),
      isUsableCertificate,
    );
    assert.throws(
      () =>
        updateVirtualProxyEntity(
          repository,
          entity['id'] as string,
          { ...read, description: 'second' },
          'A\\b',
          Date.UTC(2026, 0, 3),
          isUsableCertificate,
        ),
      (error: unknown) => error instanceof QrsWriteError && error.status === 409,
    );
    const again = structuredClone(repository.virtualProxies.get(entity['id'] as string) as QrsEntity);
    const written = updateVirtualProxyEntity(
      repository,
      entity['id'] as string,
      { ...again, description: 'second' },
      'A\\b',
      Date.UTC(2026, 0, 3),
      isUsableCertificate,
    );
    assert.equal(written['description'], 'second');
  });

  it('parses the filters provisioning tools send, and refuses others', () => {
    const terms = parseQrsFilter("prefix eq 'jwt' and authenticationMethod eq 4");
    assert.ok(terms);
    assert.equal(matchesFilter({ prefix: 'JWT', authenticationMethod: 4 }, terms), true);
    assert.equal(matchesFilter({ prefix: 'jwt', authenticationMethod: 0 }, terms), false);
    assert.ok(
      matchesFilter(
        { serverNodeConfiguration: { id: 'a' } },
        parseQrsFilter("serverNodeConfiguration.id eq 'a'") ?? [],
      ),
    );
    assert.equal(parseQrsFilter('prefix sw "j"'), undefined);
  });

  it('a quoted filter value round-trips whatever it holds (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const terms = parseQrsFilter(`prefix eq '${value.replace(/'/g, "''")}'`);
        if (!terms) return /\s+and\s+/i.test(value);
        return matchesFilter({ prefix: value }, terms) || /\s+and\s+/i.test(value);
      }),
    );
  });
});

describe('QRS over mutual TLS', () => {
  let emulator: QrsTestEmulator;
  before(async () => {
    emulator = await startQrsEmulator();
  });
  after(() => emulator.close());

  it('answers /qrs/about with the client certificate and the xrfkey', async () => {
    const answer = await qrsCall(emulator, 'GET', '/qrs/about');
    assert.equal(answer.status, 200);
    assert.equal((answer.json() as { schemaPath: string }).schemaPath, 'About');
  });

  it("refuses a call without the xrfkey with Qlik's 403 text", async () => {
    const answer = await qrsCall(emulator, 'GET', '/qrs/about', { xrfkey: null });
    assert.deepEqual([answer.status, answer.text], [403, XRF]);
  });

  it('refuses a client without a certificate, and one whose certificate another CA issued, at the TLS handshake', async () => {
    await assert.rejects(qrsCall(emulator, 'GET', '/qrs/about', { client: null }));
    const stranger = {
      cert: PUBLIC_PEM,
      key: OTHER_KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    };
    await assert.rejects(qrsCall(emulator, 'GET', '/qrs/about', { client: stranger }));
  });

  it('has the jwtAudience field in the virtual proxy defaults template', async () => {
    const answer = await qrsCall(emulator, 'GET', '/qrs/about/api/default/virtualproxyconfig');
    assert.equal((answer.json() as QrsEntity)['jwtAudience'], '');
  });

  it('serves a virtual proxy created through QRS only once it is linked to the central proxy', async () => {
    const created = await qrsCall(emulator, 'POST', '/qrs/virtualproxyconfig/', {
      body: {
        prefix: 'made',
        description: 'made by a test',
        sessionCookieHeaderName: 'X-Qlik-Session-made',
        authenticationMethod: 4,
        jwtPublicKeyCertificate: PUBLIC_PEM,
        jwtAttributeUserId: 'uid',
        jwtAttributeUserDirectory: 'udir',
        jwtAttributeMap: [],
      },
    });
    assert.equal(created.status, 201, created.text);
    const proxy = created.json() as QrsEntity;
    const token = qseowToken({ userIdAttribute: 'uid', userDirectoryAttribute: 'udir' });
    const before = await fetch(`${emulator.url}/made/qps/user`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual([before.status, await before.text()], [400, 'The http request header is incorrect']);

    const [central] = (
      await qrsCall(emulator, 'GET', "/qrs/proxyservice/full?filter=serverNodeConfiguration.hostName eq 'localhost'")
    ).json() as QrsEntity[];
    assert.ok(central);
    const settings = central['settings'] as { virtualProxies: { id: string }[] };
    const linked = await qrsCall(emulator, 'PUT', `/qrs/proxyservice/${central['id'] as string}`, {
      body: {
        ...central,
        settings: { ...settings, virtualProxies: [...settings.virtualProxies, { id: proxy['id'] }] },
      },
    });
    assert.equal(linked.status, 200, linked.text);
    const stale = await qrsCall(emulator, 'PUT', `/qrs/proxyservice/${central['id'] as string}`, { body: central });
    assert.equal(stale.status, 409);

    const after = await fetch(`${emulator.url}/made/qps/user`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(after.status, 200);
    assert.equal(((await after.json()) as { userId: string }).userId, 'anna');
    const wrongNames = await fetch(`${emulator.url}/made/qps/user`, {
      headers: { authorization: `Bearer ${qseowToken()}` },
    });
    assert.equal(wrongNames.status, 401);
  });

  it('refuses a duplicate prefix and a certificate that is not PEM with 400', async () => {
    const body = { prefix: 'dup', description: 'd', sessionCookieHeaderName: 'X-Qlik-Session-dup' };
    assert.equal((await qrsCall(emulator, 'POST', '/qrs/virtualproxyconfig', { body })).status, 201);
    assert.equal(
      (
        await qrsCall(emulator, 'POST', '/qrs/virtualproxyconfig', {
          body: { ...body, sessionCookieHeaderName: 'X-Other' },
        })
      ).status,
      400,
    );
    const badPem = await qrsCall(emulator, 'POST', '/qrs/virtualproxyconfig', {
      body: {
        prefix: 'badpem',
        description: 'd',
        sessionCookieHeaderName: 'X-B',
        jwtPublicKeyCertificate: 'not a pem',
      },
    });
    assert.equal(badPem.status, 400);
  });

  it('finds a virtual proxy by prefix filter, gets, and deletes it', async () => {
    const [found] = (
      await qrsCall(emulator, 'GET', "/qrs/virtualproxyconfig/full?filter=prefix eq 'dup'")
    ).json() as QrsEntity[];
    assert.ok(found);
    assert.equal((await qrsCall(emulator, 'GET', `/qrs/virtualproxyconfig/${found['id'] as string}`)).status, 200);
    assert.equal((await qrsCall(emulator, 'DELETE', `/qrs/virtualproxyconfig/${found['id'] as string}`)).status, 204);
    assert.equal((await qrsCall(emulator, 'GET', `/qrs/virtualproxyconfig/${found['id'] as string}`)).status, 404);
  });

  it('lists the central node', async () => {
    const nodes = (
      await qrsCall(emulator, 'GET', '/qrs/servernodeconfiguration/full?filter=isCentral eq true')
    ).json() as QrsEntity[];
    assert.equal(nodes.length, 1);
  });
});

describe('QRS material', () => {
  it('issues a client certificate that chains to the root', async () => {
    const { X509Certificate } = await import('node:crypto');
    const certs = await qrsMaterial();
    const client = new X509Certificate(certs.client.cert);
    assert.equal(client.verify(new X509Certificate(certs.ca).publicKey), true);
    assert.equal(client.checkIssued(new X509Certificate(certs.ca)), true);
  });
});
