import { spawn } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { CLI, opsPerSecond, summarize, timeCommand, tokenAlgorithm, type Summary } from '../measure.js';
import { judge, type BenchRow } from '../row.js';
import type { BenchSetup } from './setup.js';

/**
 * #10 and #11: `qs-jwt ui`. #10 is the wall time from spawning `qs-jwt ui --key K --no-open` to its URL
 * on stdout, against `qs-jwt --help` run to its end, alternating. #11 is POST /api/token (a QSEoW token,
 * RS256, 2048-bit key, checked and linted as the page gets it) under 10 concurrent autocannon clients,
 * against raw node:crypto RS256 signs per second in this process (one core: the server is one
 * process with one event loop), measured just before and just after each load run.
 */

const CONNECTIONS = 10;
const MAX_REQUESTS_PER_RUN = 1_000_000;

interface Started {
  ms: number;
  url: string;
  stop: () => Promise<void>;
}

/**
 * The least any local web server of this kind must do before its URL: load node:crypto (keys, the
 * secret) and node:http, listen on loopback, print the URL. #10 shows it beside --help as the floor.
 */
const FLOOR_SCRIPT =
  "require('node:crypto').randomBytes(16); const s = require('node:http').createServer(); " +
  "s.listen(0, '127.0.0.1', () => process.stdout.write('http://127.0.0.1:' + s.address().port + '/\\n'))";

function startUi(keyFile: string): Promise<Started> {
  return startPrintingUrl([CLI, 'ui', '--no-open', '--key', keyFile]);
}

function startPrintingUrl(args: readonly string[]): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} printed no URL within 15 s`)), 15_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, url: stdout.slice(0, newline).trim(), stop });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before printing its URL`)));
  });
}

async function admitted(url: string): Promise<{ origin: string; cookie: string }> {
  const response = await fetch(url, { redirect: 'manual' });
  return { origin: new URL(url).origin, cookie: (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '' };
}

function ms(summary: Summary): Summary {
  return { median: summary.median, min: summary.min, max: summary.max, runs: summary.runs };
}

export async function workbenchRows(setup: BenchSetup): Promise<BenchRow[]> {
  const runs = setup.quick ? 5 : 21;
  const uiTimes: number[] = [];
  const helpTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let run = -1; run < runs; run += 1) {
    const ui = await startUi(setup.keyFile);
    if (!/^http:\/\/127\.0\.0\.1:\d+\/\?secret=/.test(ui.url)) throw new Error(`qs-jwt ui printed ${ui.url}`);
    await ui.stop();
    const help = timeCommand(process.execPath, [CLI, '--help']);
    if (!help.stdout.includes('Usage: qs-jwt')) throw new Error('qs-jwt --help did not print the usage');
    const floor = await startPrintingUrl(['-e', FLOOR_SCRIPT]);
    await floor.stop();
    // The first round warms the file cache.
    if (run >= 0) {
      uiTimes.push(ui.ms);
      helpTimes.push(help.ms);
      floorTimes.push(floor.ms);
    }
  }
  const uiStart = summarize(uiTimes);
  const helpStart = summarize(helpTimes);
  const floorStart = summarize(floorTimes);
  const startRatio = uiStart.median / helpStart.median;
  const startTarget = { operator: '<=', value: 1.5 } as const;

  const ui = await startUi(setup.keyFile);
  const rounds = setup.quick ? 1 : 3;
  const seconds = setup.quick ? 2 : 5;
  const key = createPrivateKey(readFileSync(setup.keyFile));
  const data = Buffer.from(
    'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOiJhbm5hIiwidXNlckRpcmVjdG9yeSI6IkFDTUUifQ',
  );
  const rawRate = async (): Promise<number> =>
    (await opsPerSecond(() => sign('sha256', data, key), 1, seconds * 400)).median;
  const apiRates: number[] = [];
  const rawRates: number[] = [];
  const ratios: number[] = [];
  try {
    const { origin, cookie } = await admitted(ui.url);
    const body = JSON.stringify({ platform: 'qseow', key: 'k1', userId: 'anna', userDirectory: 'ACME' });
    const headers = { cookie, origin, 'content-type': 'application/json' };
    const probe = await fetch(`${origin}/api/token`, { method: 'POST', headers, body });
    const answer = (await probe.json()) as { token?: string };
    if (probe.status !== 200 || tokenAlgorithm(answer.token ?? '') !== 'RS256')
      throw new Error(`POST /api/token answered ${probe.status} ${JSON.stringify(answer).slice(0, 200)}`);
    for (let round = 0; round < rounds; round += 1) {
      const before = await rawRate();
      const result = await autocannon({
        url: `${origin}/api/token`,
        method: 'POST',
        body,
        headers,
        connections: CONNECTIONS,
        duration: seconds,
        maxOverallRequests: MAX_REQUESTS_PER_RUN,
        timeout: 10,
      });
      if (result.errors !== 0 || result.timeouts !== 0 || result.non2xx !== 0 || result['2xx'] === 0) {
        throw new Error(
          `POST /api/token: ${result['2xx']} 2xx, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
        );
      }
      const after = await rawRate();
      const api = result['2xx'] / result.duration;
      apiRates.push(api);
      rawRates.push((before + after) / 2);
      ratios.push(api / ((before + after) / 2));
    }
  } finally {
    await ui.stop();
  }
  const apiTarget = { operator: '>=', value: 0.8 } as const;
  const apiRatio = summarize(ratios).median;
  return [
    {
      id: 10,
      figure: 'qs-jwt ui: start to URL',
      measured: `wall time from spawn to the URL line, with one 2048-bit --key, ${runs} runs each, alternating`,
      ours: { ...ms(uiStart), unit: 'ms' },
      comparison: { name: 'qs-jwt --help (to exit)', ...ms(helpStart) },
      ratio: startRatio,
      ratioMeaning: 'time ui / --help (lower is better)',
      target: startTarget,
      met: judge(startRatio, startTarget),
      asserted: 'the first stdout line is http://127.0.0.1:PORT/?secret=…; --help printed the usage',
      others: { 'floor: node:crypto + node:http listen + URL': ms(floorStart) },
      note: `The floor alone is ${(floorStart.median / helpStart.median).toFixed(2)}× --help`,
    },
    {
      id: 11,
      figure: 'qs-jwt ui: create-token API, 10 clients',
      measured: `POST /api/token, QSEoW RS256 with a 2048-bit key, ${CONNECTIONS} connections, ${rounds}×${seconds} s`,
      ours: { ...summarize(apiRates), unit: 'tokens/s' },
      comparison: { name: 'node:crypto RS256 sign/s, one core', ...summarize(rawRates) },
      ratio: apiRatio,
      ratioMeaning: 'API tokens/s / raw signs/s (median of per-round ratios; higher is better)',
      target: apiTarget,
      met: judge(apiRatio, apiTarget),
      asserted: 'every response was 2xx; a probe answer held an RS256 token',
    },
  ];
}
