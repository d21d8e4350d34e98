import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { opsPerSecond, summarize, tokenAlgorithm, type Summary } from '../measure.js';
import { judge, type BenchRow } from '../row.js';
import type { BenchSetup } from './setup.js';
import { createQseowToken, qseowTokenMinter, verifyToken } from '../../dist/index.js';

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function payloadAt(index: number): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { userId: `user${index}`, userDirectory: 'ACME', iat: now, nbf: now, exp: now + 3600, jti: `id-${index}` };
}

/**
 * #4 and #5: signing and verifying RS256-2048 tokens in process, key parsed once, against raw
 * node:crypto and the common JWT libraries. Contenders run in alternating rounds.
 */
export async function libraryRows(setup: BenchSetup): Promise<BenchRow[]> {
  // Many short rounds, alternating between contenders, so that the machine's drifting speed hits each alike.
  const rounds = setup.quick ? 3 : 21;
  const ms = setup.quick ? 250 : 300;
  const pem = readFileSync(setup.keyFile, 'utf8');
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const [{ SignJWT, jwtVerify }, jsonwebtoken, fastJwt] = await Promise.all([
    import('jose'),
    import('jsonwebtoken'),
    import('fast-jwt'),
  ]);
  const fastSigner = fastJwt.createSigner({ key: pem, algorithm: 'RS256' });
  const fastVerifier = fastJwt.createVerifier({ key: publicPem, algorithms: ['RS256'] });
  let counter = 0;
  // Like fast-jwt's createSigner, a minter takes the shared settings once; createQseowToken, which
  // checks them on every call, is reported beside it.
  const minter = qseowTokenMinter({ privateKey });
  const signers: Record<string, () => unknown> = {
    'qs-jwt qseowTokenMinter': () => minter.create({ userId: `user${counter++}`, userDirectory: 'ACME' }).token,
    'qs-jwt createQseowToken': () =>
      createQseowToken({ privateKey, userId: `user${counter++}`, userDirectory: 'ACME' }).token,
    'raw node:crypto sign': () => {
      const input = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(payloadAt(counter++))}`;
      return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    },
    jose: () => new SignJWT(payloadAt(counter++)).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(privateKey),
    jsonwebtoken: () => jsonwebtoken.default.sign(payloadAt(counter++), privateKey, { algorithm: 'RS256' }),
    'fast-jwt': () => fastSigner(payloadAt(counter++)),
  };
  for (const [name, run] of Object.entries(signers)) {
    if (tokenAlgorithm(String(await run())) !== 'RS256') throw new Error(`${name} did not make an RS256 token`);
  }
  const token = createQseowToken({ privateKey, userId: 'anna', userDirectory: 'ACME' }).token;
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const verifiers: Record<string, () => unknown> = {
    'qs-jwt verifyToken (qseow rules)': () => {
      if (!verifyToken(token, { keys: publicKey, platform: 'qseow' }).accepted)
        throw new Error('qs-jwt refused a valid token');
    },
    'raw node:crypto verify': () => {
      if (!verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url')))
        throw new Error('raw verify failed');
    },
    jose: () => jwtVerify(token, publicKey, { algorithms: ['RS256'] }),
    jsonwebtoken: () => jsonwebtoken.default.verify(token, publicKey, { algorithms: ['RS256'] }),
    'fast-jwt': () => fastVerifier(token),
  };
  const results = async (contenders: Record<string, () => unknown>): Promise<Record<string, Summary>> => {
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
    for (let round = 0; round < rounds; round += 1) {
      for (const [name, run] of Object.entries(contenders))
        samples[name]?.push((await opsPerSecond(run, 1, ms)).median);
    }
    return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, summarize(values)]));
  };
  const signRates = await results(signers);
  const verifyRates = await results(verifiers);
  const row = (
    id: number,
    figure: string,
    rates: Record<string, Summary>,
    oursName: string,
    rawName: string,
  ): BenchRow => {
    const ours = rates[oursName] as Summary;
    const raw = rates[rawName] as Summary;
    const others = Object.fromEntries(Object.entries(rates).filter(([name]) => name !== oursName && name !== rawName));
    const ratio = ours.median / raw.median;
    const target = { operator: '>=', value: 0.9 } as const;
    const libraries = Object.entries(others).filter(([name]) => !name.startsWith('qs-jwt'));
    const beatsLibraries = libraries.every(([, other]) => ours.median >= other.median);
    return {
      id,
      figure,
      measured: `RS256, 2048-bit key parsed once, ${rounds} alternating rounds of ${ms} ms per contender`,
      ours: { ...ours, unit: 'ops/s' },
      comparison: { name: rawName, ...raw },
      ratio,
      ratioMeaning: 'ops qs-jwt / raw (higher is better)',
      target,
      met: judge(ratio, target) && beatsLibraries,
      asserted: 'every contender produced or accepted an RS256 token',
      others,
      note: beatsLibraries
        ? 'faster than every library'
        : `slower than ${libraries
            .filter(([, other]) => other.median > ours.median)
            .map(([name]) => name)
            .join(', ')}`,
    };
  };
  return [
    row(4, 'library sign', signRates, 'qs-jwt qseowTokenMinter', 'raw node:crypto sign'),
    row(5, 'library verify', verifyRates, 'qs-jwt verifyToken (qseow rules)', 'raw node:crypto verify'),
  ];
}
