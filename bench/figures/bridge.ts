import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CLI, opsPerSecond, summarize, threadCpuMs, tokenAlgorithm, type Summary } from '../measure.js';
import { judge, type BenchRow } from '../row.js';
import type { BenchSetup } from './setup.js';
import { requestsPerSecond, startServer, stop, type Served } from './emulator.js';
import { bridgeCommandLine, IDP_AUDIENCE, startTestIdp } from '../../test/support/test-idp.js';

/**
 * #12–#14: `qs-jwt bridge qseow` (the built CLI, its own process) in front of `qs-jwt emulate qseow` (its
 * own process), under autocannon on loopback. #12 sends the session cookie; #13 an IdP Bearer for one
 * identity (verified-token and minted-token caches hit); both compare with a bare node:http reverse
 * proxy (pipe only, no checks, its own process) in front of the same emulator carrying the same upstream
 * request (the cookie; the QSEoW token the bridge would send). #14 sends a new identity on every request
 * (verify, map, sign) and compares with raw node:crypto RS256 signs per second on one core; beside it
 * runs a ceiling, the bare proxy signing one token per request, to show what this machine allows.
 */

const CONNECTIONS = 10;
const CEILING = 'bare proxy signing one RS256 token per request, no verification';

/**
 * A reverse proxy with nothing but node:http: headers copied, bodies piped, keep-alive to the upstream.
 * `headersFor` (JavaScript defining `headersFor(headers, forward)`) may change the upstream headers;
 * by default it forwards them as they came.
 */
function bareProxySource(headersFor = 'const headersFor = (headers, forward) => forward(headers);'): string {
  return `
const { createServer, request, Agent } = require('node:http');
const upstream = new URL(process.env.QSJWT_BENCH_UPSTREAM);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
${headersFor}
const server = createServer((incoming, response) => {
  const target = { hostname: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method };
  headersFor(incoming.headers, (headers) => {
    const outgoing = request({ ...target, headers, agent }, (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    });
    outgoing.on('error', () => { response.writeHead(502); response.end(); });
    incoming.pipe(outgoing);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('http://127.0.0.1:' + server.address().port + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
}

/**
 * #14's ceiling: the bare proxy plus the one thing a new identity cannot do without, an RS256 signature
 * per request (node:crypto on the thread pool, as the bridge signs). It copies the bridge's QSEoW token
 * (QSJWT_BENCH_TOKEN: its header and claims) with a new user, jti and times, and replaces the Bearer
 * unread: no verification, no mapping, no caches, no log. What it reaches on this machine is about the
 * most a node:http bridge could reach here with the emulator and the load generator on the same cores.
 */
const SIGNING_HEADERS = `
const { createPrivateKey, randomBytes, sign } = require('node:crypto');
const key = createPrivateKey(require('node:fs').readFileSync(process.env.QSJWT_BENCH_KEY, 'utf8'));
const [header, body] = process.env.QSJWT_BENCH_TOKEN.split('.');
const template = JSON.parse(Buffer.from(body, 'base64url').toString());
const lifetime = template.exp - template.iat;
let serial = 0;
const headersFor = (headers, forward) => {
  const now = Math.floor(Date.now() / 1000);
  const claims = { ...template, userId: 'ceiling-' + serial++, iat: now, exp: now + lifetime };
  if ('nbf' in template) claims.nbf = now + (template.nbf - template.iat);
  if ('jti' in template) claims.jti = randomBytes(16).toString('base64url');
  const input = header + '.' + Buffer.from(JSON.stringify(claims)).toString('base64url');
  sign('sha256', Buffer.from(input), key, (error, signature) => {
    forward({ ...headers, authorization: 'Bearer ' + input + '.' + (error ? '' : signature.toString('base64url')) });
  });
};
`;

/** Fresh IdP tokens, one identity each, signed here with node:crypto (untimed) from the IdP's key. */
function identityTokens(
  count: number,
  sign256: (input: string) => string,
  issuer: string,
  kid: string,
  round: number,
): string[] {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' })).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const sub = `user-${round}-${index}`;
    const claims = { iss: issuer, aud: IDP_AUDIENCE, sub, iat: now, nbf: now, exp: now + 3600 };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    tokens.push(`${header}.${payload}.${sign256(`${header}.${payload}`)}`);
  }
  return tokens;
}

/** One run with a different token per request; stops at `seconds` or when the tokens run out. */
async function newIdentityRun(
  url: string,
  tokens: readonly string[],
  seconds: number,
  label: string,
): Promise<{ rate: number; requests: number }> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    maxOverallRequests: tokens.length,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const authorization = `Bearer ${tokens[next++ % tokens.length]}`;
          return { ...request, headers: { ...request.headers, authorization } };
        },
      },
    ],
  });
  if (result.errors !== 0 || result.timeouts !== 0 || result.non2xx !== 0 || result['2xx'] === 0) {
    const counts =
      `${result['2xx']} 2xx, ${result.non2xx} non-2xx, ` + `${result.errors} errors, ${result.timeouts} timeouts`;
    throw new Error(`${label}: ${counts}`);
  }
  return { rate: result['2xx'] / result.duration, requests: result['2xx'] };
}

/** Where new-identity requests' CPU went, in ms summed over the runs, for one proxy (bridge or ceiling). */
interface CpuBudget {
  proxyMain: number;
  proxyOthers: number;
  emulator: number;
  load: number;
  requests: number;
}

type BudgetedRun = { rate: number; budget: CpuBudget | undefined };
/** #14's two contenders, in the order of even rounds. */
const CONTENDERS = ['bridge', 'ceiling'] as const;
type Contender = (typeof CONTENDERS)[number];

const emptyBudget = (): CpuBudget => ({ proxyMain: 0, proxyOthers: 0, emulator: 0, load: 0, requests: 0 });

/** A new-identity run through the proxy `pids.proxy`, adding its CPU to `budget` (undefined off Linux). */
async function budgetedRun(
  budget: CpuBudget | undefined,
  pids: { proxy: number; emulator: number },
  run: () => Promise<{ rate: number; requests: number }>,
): Promise<BudgetedRun> {
  const before = [threadCpuMs(pids.proxy), threadCpuMs(pids.emulator), process.cpuUsage()] as const;
  const result = await run();
  const after = [threadCpuMs(pids.proxy), threadCpuMs(pids.emulator)] as const;
  const load = process.cpuUsage(before[2]);
  if (!budget || !before[0] || !before[1] || !after[0] || !after[1]) return { rate: result.rate, budget: undefined };
  return {
    rate: result.rate,
    budget: {
      proxyMain: budget.proxyMain + after[0].main - before[0].main,
      proxyOthers: budget.proxyOthers + after[0].others - before[0].others,
      emulator: budget.emulator + after[1].main + after[1].others - before[1].main - before[1].others,
      load: budget.load + (load.user + load.system) / 1000,
      requests: budget.requests + result.requests,
    },
  };
}

function describeBudgets(bridge: CpuBudget, ceiling: CpuBudget, signMicros: number): string {
  const per = (ms: number, budget: CpuBudget): string => `${Math.round((ms * 1000) / budget.requests)} µs`;
  const shared = (budget: CpuBudget): string =>
    `emulator ${per(budget.emulator, budget)}, autocannon ${per(budget.load, budget)}`;
  // What one process's main thread alone would allow if the pool, the emulator and autocannon had cores
  // of their own (a bigger host): derived from the CPU above, not measured.
  const mainThreadCap = (budget: CpuBudget): string => {
    const perSecond = (budget.requests * 1000) / budget.proxyMain;
    return `${Math.round(perSecond).toLocaleString('en-US')}/s (${((perSecond * signMicros) / 1e6).toFixed(2)}× raw)`;
  };
  return (
    `CPU per new-identity request (from /proc, all rounds; one RS256 signature alone: ${Math.round(signMicros)} µs): ` +
    `bridge main thread ${per(bridge.proxyMain, bridge)}, thread pool and V8 threads ${per(bridge.proxyOthers, bridge)}, ` +
    `${shared(bridge)}; ceiling main thread ${per(ceiling.proxyMain, ceiling)}, thread pool and V8 threads ` +
    `${per(ceiling.proxyOthers, ceiling)}, ${shared(ceiling)}; the machine has ${availableParallelism()} cores for all of them. ` +
    `With cores to spare, the main thread alone would cap the bridge at ${mainThreadCap(bridge)} and the ceiling at ` +
    `${mainThreadCap(ceiling)} (derived from that CPU)`
  );
}

export async function bridgeRows(setup: BenchSetup): Promise<BenchRow[]> {
  const rounds = setup.quick ? 1 : 3;
  const seconds = setup.quick ? 2 : 5;
  const privateKey = createPrivateKey(readFileSync(setup.keyFile, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  if (publicKey.asymmetricKeyDetails?.modulusLength !== 2048) throw new Error('the benchmark key is not RSA-2048');
  const certFile = join(setup.dir, 'bridge-publickey.pem');
  writeFileSync(certFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const idp = await startTestIdp();
  // The IdP key signs the bench's tokens here with node:crypto: jose would be slower and is not measured.
  const idpKey = await idp.exportPrivateKey();
  const sign256 = (input: string): string => sign('sha256', Buffer.from(input), idpKey).toString('base64url');
  const served: Served[] = [];
  try {
    // Room for every session the new-identity runs open: at the default 10,000 the emulator evicted
    // the cookie's session during the first full round, and the next round's cookie requests got 401.
    const emulator = await startServer([
      CLI,
      'emulate',
      'qseow',
      '--cert',
      certFile,
      '--port',
      '0',
      '--max-sessions',
      '10000000',
    ]);
    served.push(emulator);
    const bridge = await startServer([CLI, ...bridgeCommandLine(idp, emulator.url, setup.keyFile)]);
    served.push(bridge);
    const bare = await startServer(['-e', bareProxySource()], { QSJWT_BENCH_UPSTREAM: emulator.url });
    served.push(bare);

    const target = `${bridge.url}/jwt/qps/user`;
    const bareTarget = `${bare.url}/jwt/qps/user`;
    const idpToken = identityTokens(1, sign256, idp.issuer, idp.currentKid(), -1)[0] ?? '';
    if (tokenAlgorithm(idpToken) !== 'RS256') throw new Error('the IdP token is not RS256');
    const login = await fetch(target, { headers: { authorization: `Bearer ${idpToken}` } });
    const body = await login.text();
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    if (login.status !== 200 || !cookie || (JSON.parse(body) as { userId?: string }).userId !== 'user--1-0') {
      throw new Error(`the bridge refused the benchmark token: ${login.status} ${body.slice(0, 200)}`);
    }
    // The QSEoW token the bridge sends for this identity, for the bare proxy's Bearer runs.
    const tokenAnswer = await fetch(`${bridge.url}/jwt/qs-jwt/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${idpToken}` },
    });
    if (tokenAnswer.status !== 200) {
      throw new Error(`the bridge's token endpoint refused the benchmark token: ${tokenAnswer.status}`);
    }
    const minted = (await tokenAnswer.json()) as { token: string };
    const mintedClaims = JSON.parse(Buffer.from(minted.token.split('.')[1] ?? '', 'base64url').toString()) as object;
    for (const claim of ['userId', 'iat', 'exp']) {
      if (!(claim in mintedClaims)) throw new Error(`the bridge's QSEoW token has no ${claim} for the ceiling to copy`);
    }
    const ceiling = await startServer(['-e', bareProxySource(SIGNING_HEADERS)], {
      QSJWT_BENCH_UPSTREAM: emulator.url,
      QSJWT_BENCH_KEY: setup.keyFile,
      QSJWT_BENCH_TOKEN: minted.token,
    });
    served.push(ceiling);
    const ceilingTarget = `${ceiling.url}/jwt/qps/user`;
    const throughCeiling = await fetch(ceilingTarget, { headers: { authorization: `Bearer ${idpToken}` } });
    const ceilingBody = await throughCeiling.text();
    const ceilingUser = throughCeiling.status === 200 ? (JSON.parse(ceilingBody) as { userId?: string }).userId : '';
    if (throughCeiling.status !== 200 || !ceilingUser?.startsWith('ceiling-')) {
      const answer = `${throughCeiling.status} ${ceilingBody.slice(0, 200)}`;
      throw new Error(`the emulator refused the signing proxy's token: ${answer}`);
    }
    const throughBare = await fetch(bareTarget, { headers: { cookie } });
    // The body names the host the client used (logoutUri), so compare the user it reports.
    const bareUser = ((await throughBare.json()) as { userId?: string }).userId;
    if (throughBare.status !== 200 || bareUser !== 'user--1-0') {
      throw new Error(`the bare proxy did not give the same user: ${throughBare.status} ${bareUser}`);
    }

    // Warm-up, untimed: JIT, connection pools and caches of every contender, so the first timed run
    // does not pay for them.
    await requestsPerSecond(target, { cookie }, 1, 'bridge warm-up');
    await requestsPerSecond(bareTarget, { cookie }, 1, 'bare proxy warm-up');
    await requestsPerSecond(target, { authorization: `Bearer ${idpToken}` }, 1, 'bridge warm-up, Bearer');
    // New identities take other paths (verification, signing, session creation): warm those too.
    const warmTokens = identityTokens(1000, sign256, idp.issuer, idp.currentKid(), -2);
    await newIdentityRun(target, warmTokens, 1, 'bridge warm-up, new identities');
    await newIdentityRun(ceilingTarget, warmTokens, 1, 'ceiling warm-up, new identities');
    const samples: Record<
      'cookie' | 'bareCookie' | 'bearer' | 'bareBearer' | 'fresh' | 'ceiling' | 'rawSign',
      number[]
    > = {
      cookie: [],
      bareCookie: [],
      bearer: [],
      bareBearer: [],
      fresh: [],
      ceiling: [],
      rawSign: [],
    };
    const emulatorPid = emulator.child.pid ?? 0;
    const contenders = {
      bridge: { pid: bridge.child.pid ?? 0, url: target },
      ceiling: { pid: ceiling.child.pid ?? 0, url: ceilingTarget },
    };
    let budgets: Record<Contender, CpuBudget | undefined> = {
      bridge: emptyBudget(),
      ceiling: emptyBudget(),
    };
    for (let round = 0; round < rounds; round += 1) {
      samples.cookie.push(await requestsPerSecond(target, { cookie }, seconds, 'bridge, cookie'));
      samples.bareCookie.push(await requestsPerSecond(bareTarget, { cookie }, seconds, 'bare proxy, cookie'));
      const idpBearer = { authorization: `Bearer ${idpToken}` };
      samples.bearer.push(await requestsPerSecond(target, idpBearer, seconds, 'bridge, cached identity'));
      const qseowBearer = { authorization: `Bearer ${minted.token}` };
      samples.bareBearer.push(await requestsPerSecond(bareTarget, qseowBearer, seconds, 'bare proxy, QSEoW Bearer'));
      const signOnce = (): Buffer => sign('sha256', Buffer.from(idpToken), privateKey);
      const rawSign = (await opsPerSecond(signOnce, 1, seconds * 1000)).median;
      samples.rawSign.push(rawSign);
      // Both sign on libuv's 4 threads, so on more cores they may outrun one core's rate: enough tokens.
      const supply = Math.ceil(rawSign * seconds * 1.3 * Math.max(1, Math.min(4, availableParallelism()) / 2));
      const tokens = identityTokens(supply, sign256, idp.issuer, idp.currentKid(), round);
      const runThrough = (who: Contender): Promise<BudgetedRun> =>
        budgetedRun(budgets[who], { proxy: contenders[who].pid, emulator: emulatorPid }, () =>
          newIdentityRun(contenders[who].url, tokens, seconds, `${who}, new identity`),
        );
      // The second of the pair meets the emulator with the first one's sessions and garbage: swap each round.
      const runs = {} as Record<Contender, BudgetedRun>; // filled by the loop, one run per contender
      for (const who of round % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse()) runs[who] = await runThrough(who);
      budgets = { bridge: runs.bridge.budget, ceiling: runs.ceiling.budget };
      samples.fresh.push(runs.bridge.rate);
      samples.ceiling.push(runs.ceiling.rate);
    }
    const [cookieRate, bareCookie, bearer, bareBearer, fresh, ceilingRate, rawSign] = [
      summarize(samples.cookie),
      summarize(samples.bareCookie),
      summarize(samples.bearer),
      summarize(samples.bareBearer),
      summarize(samples.fresh),
      summarize(samples.ceiling),
      summarize(samples.rawSign),
    ] as [Summary, Summary, Summary, Summary, Summary, Summary, Summary];
    const runs = `${rounds} alternating run${rounds > 1 ? 's' : ''}`;
    const measured =
      `autocannon, ${CONNECTIONS} connections on loopback, ${runs}` +
      ` of ${seconds} s per contender, GET /jwt/qps/user through the built CLI` +
      ' (qs-jwt bridge qseow in front of qs-jwt emulate qseow, each its own process)';
    const targets = {
      cookie: { operator: '>=', value: 0.8 },
      bearer: { operator: '>=', value: 0.7 },
      fresh: { operator: '>=', value: 0.85 },
    } as const;
    const ratios = {
      cookie: cookieRate.median / bareCookie.median,
      bearer: bearer.median / bareBearer.median,
      fresh: fresh.median / rawSign.median,
    };
    const clean = 'every run had zero errors, timeouts and non-2xx answers';
    const perBare = 'req/s bridge / bare proxy (higher is better)';
    return [
      {
        id: 12,
        figure: 'bridge req/s, cookie pass-through',
        measured,
        ours: { ...cookieRate, unit: 'req/s' },
        comparison: { name: 'bare node:http reverse proxy, same emulator, same cookie', ...bareCookie },
        ratio: ratios.cookie,
        ratioMeaning: perBare,
        target: targets.cookie,
        met: judge(ratios.cookie, targets.cookie),
        asserted: `bridge and bare proxy gave the same user for the cookie; ${clean}`,
      },
      {
        id: 13,
        figure: 'bridge req/s, IdP Bearer of a cached identity',
        measured: `${measured}; RS256 IdP token, 2048-bit keys`,
        ours: { ...bearer, unit: 'req/s' },
        comparison: { name: "bare proxy sending the bridge's QSEoW token", ...bareBearer },
        ratio: ratios.bearer,
        ratioMeaning: perBare,
        target: targets.bearer,
        met: judge(ratios.bearer, targets.bearer),
        asserted: `the IdP token was RS256 and mapped to its user; ${clean}`,
      },
      {
        id: 14,
        figure: 'bridge req/s, a new identity per request (verify + sign)',
        measured: `${measured}; a distinct RS256 IdP token per request`,
        ours: { ...fresh, unit: 'req/s' },
        comparison: { name: 'raw node:crypto RS256 sign/s, one core', ...rawSign },
        ratio: ratios.fresh,
        ratioMeaning: 'req/s bridge / sign/s raw (higher is better)',
        target: targets.fresh,
        met: judge(ratios.fresh, targets.fresh),
        asserted: `each request carried a token for a user not seen before; ${clean}`,
        others: { [CEILING]: ceilingRate },
        note: [
          `The ceiling (${CEILING}) reached ${(ceilingRate.median / rawSign.median).toFixed(2)}× the raw sign rate` +
            ` and the bridge ${(fresh.median / ceilingRate.median).toFixed(2)}× the ceiling`,
          ...(budgets.bridge && budgets.ceiling
            ? [describeBudgets(budgets.bridge, budgets.ceiling, 1e6 / rawSign.median)]
            : []),
        ].join('. '),
      },
    ];
  } finally {
    for (const server of served.reverse()) await stop(server);
    await idp.close();
  }
}
