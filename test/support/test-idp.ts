import { KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * A test identity provider: RSA (and optionally EC) keys made by jose, published as a JWKS over HTTP on
 * 127.0.0.1, able to rotate (add a key, drop the old one) and to go down (the port stays bound but
 * every connection is reset, as an unreachable IdP looks to a client). It counts JWKS fetches, so tests
 * can assert that a refresh happened or did not.
 */

export const IDP_AUDIENCE = 'api://qs-jwt-bridge-test';

export interface SignOptions {
  kid?: string;
  header?: Record<string, unknown>;
  lifetimeSeconds?: number;
}

interface IdpKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TestIdp {
  url: string;
  issuer: string;
  jwksUrl: string;
  /** JWKS requests answered or refused since start. */
  fetches: () => number;
  /** The kid tokens are signed with unless a test names another. */
  currentKid: () => string;
  /** Signs with the current key (or `kid`); default claims make a valid token for IDP_AUDIENCE. */
  token: (claims?: JWTPayload, options?: SignOptions) => Promise<string>;
  /** Adds a new current key to the JWKS; the old ones stay published until dropped. */
  rotate: () => Promise<string>;
  /** Removes a key from the JWKS (it can still sign, for "unknown kid" tests). */
  drop: (kid: string) => void;
  /** Down: every connection is reset. Up again: JWKS served as before. */
  setDown: (down: boolean) => void;
  publicJwk: (kid: string) => JWK;
  /** The current key as a node:crypto KeyObject, for signing many tokens fast (benchmarks). */
  exportPrivateKey: () => Promise<KeyObject>;
  close: () => Promise<void>;
}

async function makeKey(kid: string, alg = 'RS256'): Promise<IdpKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { modulusLength: 2048, extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export async function startTestIdp(options: { issuer?: string } = {}): Promise<TestIdp> {
  const keys = new Map<string, IdpKey>();
  const published = new Set<string>();
  let generation = 1;
  let current = 'idp-key-1';
  const first = await makeKey(current);
  keys.set(current, first);
  published.add(current);
  let down = false;
  let fetchCount = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((request: IncomingMessage, response) => {
    if (request.url === '/jwks') {
      fetchCount += 1;
      const body = JSON.stringify({ keys: [...published].map((kid) => keys.get(kid)?.publicJwk) });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
      return;
    }
    response.writeHead(404).end();
  });
  server.on('connection', (socket: Socket) => {
    if (down) {
      fetchCount += 1;
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = options.issuer ?? `${url}/`;

  const token: TestIdp['token'] = async (claims = {}, signOptions = {}) => {
    const key = keys.get(signOptions.kid ?? current);
    if (!key) throw new Error(`no key ${signOptions.kid}`);
    const now = Math.floor(Date.now() / 1000);
    const body: JWTPayload = {
      iss: issuer,
      aud: IDP_AUDIENCE,
      sub: 'anna',
      iat: now,
      nbf: now,
      exp: now + (signOptions.lifetimeSeconds ?? 600),
      ...claims,
    };
    const header = { alg: key.alg, kid: key.kid, typ: 'JWT', ...signOptions.header };
    return new SignJWT(body).setProtectedHeader(header).sign(key.privateKey);
  };

  return {
    url,
    issuer,
    jwksUrl: `${url}/jwks`,
    fetches: () => fetchCount,
    currentKid: () => current,
    token,
    rotate: async () => {
      generation += 1;
      const kid = `idp-key-${generation}`;
      keys.set(kid, await makeKey(kid));
      published.add(kid);
      current = kid;
      return kid;
    },
    drop: (kid) => {
      published.delete(kid);
    },
    setDown: (value) => {
      down = value;
      if (down) for (const socket of sockets) socket.destroy();
    },
    publicJwk: (kid) => {
      const key = keys.get(kid);
      if (!key) throw new Error(`no key ${kid}`);
      return key.publicJwk;
    },
    exportPrivateKey: async () => {
      const key = keys.get(current);
      if (!key) throw new Error('no current key');
      return KeyObject.from(key.privateKey);
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/**
 * The `qs-jwt bridge qseow` arguments that trust this IdP, in front of `upstream` under prefix `jwt`,
 * signing with `keyFile`, user directory IDP, on a free port: the CLI tests and the benchmark start the
 * bridge with the same command line.
 */
export function bridgeCommandLine(
  idp: Pick<TestIdp, 'jwksUrl' | 'issuer'>,
  upstream: string,
  keyFile: string,
  extra: readonly string[] = [],
): string[] {
  return [
    'bridge',
    'qseow',
    '--upstream',
    upstream,
    '--prefix',
    'jwt',
    '--key',
    keyFile,
    '--port',
    '0',
    '--jwks',
    idp.jwksUrl,
    '--issuer',
    idp.issuer,
    '--audience',
    IDP_AUDIENCE,
    '--userdir-value',
    'IDP',
    ...extra,
  ];
}
