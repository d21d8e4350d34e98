import { generateKeyPairSync } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { createIssuedCertificate } from '../../src/core/keys/issued-certificate.js';
import { PUBLIC_PEM, startTestEmulator, type TestEmulator } from './emulator-harness.js';

/**
 * An emulator that serves the QRS API over mutual TLS, in this process, and a small HTTPS client for
 * it that presents the client certificate as the QMC exports it. The client here is deliberately not
 * the provisioning client under test (src/provisioning/client), so each checks the other.
 */

export interface QrsMaterial {
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
}

let material: Promise<QrsMaterial> | undefined;

/** One CA, server and client certificate per test process. */
export function qrsMaterial(): Promise<QrsMaterial> {
  material ??= (async () => {
    const [root, server, client] = [0, 1, 2].map(() => generateKeyPairSync('rsa', { modulusLength: 2048 }));
    if (!root || !server || !client) throw new Error('no keys');
    const ca = await createIssuedCertificate({
      publicKey: root.publicKey,
      signingKey: root.privateKey,
      commonName: 'test CA',
      role: 'ca',
      days: 2,
    });
    const issuer = { privateKey: root.privateKey, certificatePem: ca };
    const serverCert = await createIssuedCertificate({
      publicKey: server.publicKey,
      signingKey: root.privateKey,
      issuer,
      commonName: 'localhost',
      role: 'server',
      days: 2,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const clientCert = await createIssuedCertificate({
      publicKey: client.publicKey,
      signingKey: root.privateKey,
      issuer,
      commonName: 'QlikClient',
      role: 'client',
      days: 2,
    });
    const pem = (key: typeof root.privateKey, type: 'pkcs1' | 'pkcs8') => key.export({ type, format: 'pem' }) as string;
    return {
      ca,
      server: { cert: serverCert, key: pem(server.privateKey, 'pkcs8') },
      client: { cert: clientCert, key: pem(client.privateKey, 'pkcs1') },
    };
  })();
  return material;
}

export interface QrsTestEmulator extends TestEmulator {
  material: QrsMaterial;
  qrsUrl: string;
}

/** `json` adds to the config (virtualProxies seeded into the repository use KEYS' public key). */
export async function startQrsEmulator(json: Record<string, unknown> = {}): Promise<QrsTestEmulator> {
  const certs = await qrsMaterial();
  const proxies = (json['virtualProxies'] as unknown[] | undefined) ?? [];
  const emulator = await startTestEmulator(
    { qrs: { port: 0, certsDir: '/nonexistent' }, ...json },
    {
      extra: { qrs: { tls: { ...certs.server, ca: certs.ca }, certificates: proxies.map(() => PUBLIC_PEM) } },
    },
  );
  if (emulator.qrsUrl === undefined) throw new Error('QRS did not start');
  return Object.assign(emulator, { material: certs, qrsUrl: emulator.qrsUrl });
}

export interface QrsAnswer {
  status: number;
  text: string;
  json: () => unknown;
}

/** One QRS call with a fresh xrfkey (or none, or a given one) and the client certificate (or another). */
export function qrsCall(
  emulator: QrsTestEmulator,
  method: string,
  path: string,
  options: { body?: unknown; xrfkey?: string | null; client?: { cert: string; key: string } | null } = {},
): Promise<QrsAnswer> {
  const key = options.xrfkey === undefined ? 'abcdefghij012345' : options.xrfkey;
  const url = new URL(`${emulator.qrsUrl}${path}`);
  if (key !== null) url.searchParams.set('xrfkey', key);
  const client = options.client === undefined ? emulator.material.client : options.client;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const call = httpsRequest(
      url,
      {
        method,
        ca: emulator.material.ca,
        ...(client ? { cert: client.cert, key: client.key } : {}),
        headers: {
          ...(key !== null ? { 'x-qlik-xrfkey': key } : {}),
          'x-qlik-user': 'UserDirectory=INTERNAL; UserId=sa_repository',
          ...(body !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
            : {}),
        },
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, text, json: () => JSON.parse(text) as unknown });
        });
      },
    );
    call.on('error', reject);
    call.on('timeout', () => call.destroy(new Error('timeout')));
    call.end(body);
  });
}
