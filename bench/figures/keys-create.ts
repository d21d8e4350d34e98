import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { CLI, summarize, timeCommand } from '../measure.js';
import { judge, type BenchRow } from '../row.js';
import type { BenchSetup } from './setup.js';

/** #3: key pair + certificate, against the two openssl commands that do the same. */
export function keysCreateRow(setup: BenchSetup): BenchRow {
  const bits = 4096;
  const runs = setup.quick ? 2 : 9;
  const ours: number[] = [];
  const openssl: number[] = [];
  const out = join(setup.dir, 'keys');
  for (let run = 0; run < runs; run += 1) {
    rmSync(out, { recursive: true, force: true });
    ours.push(timeCommand(process.execPath, [CLI, 'keys', 'create', '--out', out, '--bits', String(bits)]).ms);
    const key = join(setup.dir, 'openssl.key');
    const started = process.hrtime.bigint();
    execFileSync('openssl', ['genrsa', '-out', key, String(bits)], { stdio: 'ignore' });
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-new',
        '-key',
        key,
        '-sha256',
        '-days',
        '1825',
        '-subj',
        '/CN=qs-jwt',
        '-out',
        join(setup.dir, 'openssl.cer'),
      ],
      { stdio: 'ignore' },
    );
    openssl.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const text = execFileSync('openssl', ['x509', '-in', join(out, 'publickey.cer'), '-noout', '-text'], {
    encoding: 'utf8',
  });
  if (!text.includes(`(${bits} bit)`) || !text.includes('sha256WithRSAEncryption'))
    throw new Error('keys create did not make a 4096-bit SHA-256 certificate');
  const oursSummary = summarize(ours);
  const opensslSummary = summarize(openssl);
  const ratio = oursSummary.median / opensslSummary.median;
  const target = { operator: '<=', value: 1.2 } as const;
  return {
    id: 3,
    figure: 'keys create (key + certificate)',
    measured: `wall time, RSA-${bits} + self-signed SHA-256 certificate, ${runs} runs each (prime search is random: compare medians)`,
    ours: { ...oursSummary, unit: 'ms' },
    comparison: { name: 'openssl genrsa + openssl req -x509', ...opensslSummary },
    ratio,
    ratioMeaning: 'time qs-jwt / openssl (lower is better)',
    target,
    met: judge(ratio, target),
    asserted: `openssl x509 reads a ${bits}-bit key signed with sha256WithRSAEncryption`,
  };
}
