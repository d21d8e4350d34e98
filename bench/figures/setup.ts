import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch folder with a 2048-bit key, removed at exit. */
export interface BenchSetup {
  dir: string;
  keyFile: string;
  quick: boolean;
}

export function makeSetup(quick: boolean): BenchSetup {
  const dir = mkdtempSync(join(tmpdir(), 'qs-jwt-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(dir, 'privatekey.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { dir, keyFile, quick };
}

/**
 * OpenSSL's own RSA-2048 sign rate with `processes` processes at once (`-multi`): the physical limit
 * for minting on that many cores, measured rather than assumed to scale.
 */
export function opensslSignRate(seconds: number, processes = 1): number {
  const multi = processes > 1 ? ['-multi', String(processes)] : [];
  const output = execFileSync('openssl', ['speed', ...multi, '-seconds', String(seconds), 'rsa2048'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = output.split('\n').find((text) => /^rsa\s+2048 bits/.test(text));
  const columns = line?.trim().split(/\s+/) ?? [];
  const rate = Number(columns[columns.length - 2]);
  if (!Number.isFinite(rate) || rate <= 0)
    throw new Error(`cannot read openssl speed output: ${line ?? output.slice(-300)}`);
  return rate;
}
