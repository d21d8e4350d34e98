import { Argument, Option, type Command } from 'commander';
import { createWriteStream, existsSync, openSync } from 'node:fs';
import { link, rename, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { QsJwtError } from '../../core/errors.js';
import { CLOUD_DEFAULTS, QSEOW_DEFAULTS } from '../../core/qlik/qlik-limits.js';
import { CliError, EXIT } from '../cli-error.js';
import { integerIn, newCommand, offerValues } from '../command-setup.js';
import { RSA_ALGORITHMS } from '../../core/jose/algorithms.js';
import { profilePath } from '../config/config-file.js';
import { useProfile } from '../config/profile-options.js';
import { resolvePrivateKey } from '../io/private-key-options.js';
import { algorithmFlag, type TokenFlags } from '../token-options.js';
import { detectFormat, openInput, readRows, type InputFormat } from '../batch/input-records.js';
import { MintPool } from '../batch/mint-pool.js';
import { mintRow, rowMinter, type ChunkResult, type MintSetup, type RowMinter } from '../batch/mint-job.js';
import { loadCsvCells, type RawRow } from '../batch/row-parsing.js';
import { Progress } from '../batch/progress.js';
import { addPrivateKeyOptions } from '../io/private-key-options.js';
import { addProfileOptions } from '../config/profile-options.js';
import { runCommand, type RunCommand } from '../command-runner.js';

/**
 * Rows per chunk (~25 ms of signing): large enough that messaging is a small share of a worker's time,
 * small enough that the main thread, which signs a chunk whenever the workers are full, is soon back
 * to feeding them, and that the last chunks end close together.
 */
const CHUNK_ROWS = 32;

interface BatchFlags extends Pick<TokenFlags, 'key' | 'keyEnv' | 'passphraseFile' | 'alg' | 'expires' | 'notBefore' | 'profile' | 'config'> {
  input: string;
  output: string;
  inputFormat: 'auto' | InputFormat;
  workers?: number;
  force?: boolean;
  audience?: string;
  issuer?: string;
  kid?: string;
  useridAttr: string;
  userdirAttr: string;
  groupsAttr: string;
  emailVerified?: 'true' | 'false';
}

interface Output {
  stream: Writable;
  commit: () => Promise<void>;
  abort: () => Promise<void>;
}

/**
 * Writes JSON Lines to stdout, or to a temporary file renamed into place when everything is written.
 * The file is created synchronously, so that once this returns the caller's interrupt handler (already
 * installed) knows it: no open is ever in flight when a signal arrives.
 */
function openOutput(path: string, force: boolean): Output {
  if (path === '-') return { stream: process.stdout, commit: async () => undefined, abort: async () => undefined };
  const target = resolve(path);
  if (!force && existsSync(target)) {
    throw new CliError(`--output ${path} already exists: pass --force to replace it`, EXIT.failure);
  }
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temporary, 'wx', 0o600);
  } catch (error) {
    throw new CliError(`--output ${path} cannot be written: ${(error as Error).message}`, EXIT.failure);
  }
  const stream = createWriteStream('', { fd });
  const closed = (): Promise<void> => new Promise((done) => stream.end(done));
  return {
    stream,
    commit: async () => {
      await closed();
      if (force) await rename(temporary, target);
      else {
        await link(temporary, target);
        await unlink(temporary);
      }
    },
    abort: async () => {
      await closed();
      await unlink(temporary).catch(() => undefined);
    },
  };
}

function writeLine(stream: Writable, text: string): Promise<void> | undefined {
  // Respect backpressure so a slow consumer keeps memory flat.
  return stream.write(text) ? undefined : new Promise((drained) => stream.once('drain', () => drained()));
}

export function buildCommand(): Command {
  const command = newCommand('batch', 'Mint one token per input row (CSV with a header row, or JSON Lines) on all cores. Output: JSON Lines {line, token} or {line, error}, in input order.', [
    'qs-jwt batch qseow --key privatekey.pem --input users.csv > tokens.jsonl',
    'printf "userid,userdir,groups\\nanna,ACME,Sales;EMEA\\n" | qs-jwt batch qseow --key privatekey.pem --input -',
    'qs-jwt batch cloud --profile cloud-prod --input users.jsonl --output tokens.jsonl',
    '# qseow fields: userid, userdir, name, email, groups (";"-separated in CSV), subject, jti; others become claims',
    '# cloud fields:  sub, name, email, email_verified, groups, jti; others become claims',
  ])
    .addArgument(offerValues(new Argument('<platform>', 'qseow or cloud'), ['qseow', 'cloud']))
    .requiredOption('--input <file>', 'CSV or JSON Lines file; - reads standard input')
    .option('--output <file>', 'JSON Lines output; - is standard output', '-')
    .addOption(new Option('--input-format <format>', 'input format (auto: by file name, else { means JSON Lines)').choices(['auto', 'csv', 'jsonl']).default('auto'))
    .option('--workers <n>', 'worker threads; the main thread signs too whenever they are busy (default: one per core but one)', integerIn(0, 256))
    .option('--force', 'replace an existing --output file')
    .addOption(offerValues(new Option('--alg <alg>', 'signature algorithm'), RSA_ALGORITHMS).default('RS256').env('QSJWT_ALG'))
    .addOption(new Option('--expires <when>', `lifetime from iat or absolute time (default: ${QSEOW_DEFAULTS.expires} qseow, ${CLOUD_DEFAULTS.expires} cloud)`).env('QSJWT_EXPIRES'))
    .option('--not-before <when>', 'nbf: absolute, or a duration from iat such as -30s')
    .addOption(new Option('--audience <aud>', 'qseow: aud claim').env('QSJWT_AUDIENCE'))
    .addOption(new Option('--issuer <iss>', "iss claim (cloud: required, the identity provider's issuer)").env('QSJWT_ISSUER'))
    .addOption(new Option('--kid <id>', "kid header (cloud: required, the identity provider's key ID)").env('QSJWT_KID'))
    .addOption(new Option('--userid-attr <claim>', 'qseow: user ID claim name').default(QSEOW_DEFAULTS.userIdAttribute).env('QSJWT_USERID_ATTR'))
    .addOption(new Option('--userdir-attr <claim>', 'qseow: user directory claim name').default(QSEOW_DEFAULTS.userDirectoryAttribute).env('QSJWT_USERDIR_ATTR'))
    .addOption(new Option('--groups-attr <claim>', 'qseow: groups claim name').default(QSEOW_DEFAULTS.groupsAttribute).env('QSJWT_GROUPS_ATTR'));
  addPrivateKeyOptions(command);
  addProfileOptions(command);
  return command.action(async (platform: string, _flags: BatchFlags, self: Command) => {
    if (platform !== 'qseow' && platform !== 'cloud') throw new CliError(`platform "${platform}" is not qseow or cloud: run qs-jwt batch qseow … or qs-jwt batch cloud …`);
    // The main thread signs too, so one worker per core but one keeps every core signing.
    const workers = self.opts<BatchFlags>().workers ?? availableParallelism() - 1;
    // Workers start now, while this thread reads the profile, the key and the input; every way out
    // below stops them again.
    const pool = new MintPool(workers);
    try {
      await mintAll(platform, self, pool, workers);
    } finally {
      await pool.close().catch(() => undefined);
    }
  });
}

async function mintAll(platform: 'qseow' | 'cloud', self: Command, pool: MintPool, workers: number): Promise<void> {
  const loaded = await useProfile(self, platform);
  const flags = self.opts<BatchFlags>();
  if (platform === 'cloud' && (flags.issuer === undefined || flags.kid === undefined)) {
    throw new CliError(`${flags.issuer === undefined ? '--issuer' : '--kid'} is required for Qlik Cloud tokens (or QSJWT_ISSUER/QSJWT_KID, or a --profile that has it)`);
  }
  const algorithm = algorithmFlag(flags.alg);
  const privateKey = await resolvePrivateKey(flags, { profileKeyFile: loaded?.profile.keyFile && profilePath(loaded, loaded.profile.keyFile) });
  const common = { algorithm, expires: flags.expires, notBefore: flags.notBefore, issuer: flags.issuer, keyId: flags.kid };
  const setup: MintSetup = platform === 'qseow'
    ? { platform, privateKey, shared: { ...common, audience: flags.audience, userIdAttribute: flags.useridAttr, userDirectoryAttribute: flags.userdirAttr, groupsAttribute: flags.groupsAttr } }
    : { platform, privateKey, shared: { ...common, issuer: flags.issuer as string, keyId: flags.kid as string } };
  // Mint one sample row first: settings that would fail every row (a bad --expires, a registered
  // attribute name) are refused once, before any input is read or output file created.
  const sample = platform === 'qseow'
    ? { userid: 'sample', userdir: 'sample', groups: ['sample'] }
    : { sub: 'sample', name: 'sample', email: 'sample@example.com', groups: ['sample'] };
  let minter: RowMinter;
  try {
    minter = rowMinter(setup);
  } catch (error) {
    throw new CliError(`the shared settings cannot mint any token: ${(error as Error).message}`);
  }
  const probe = mintRow(minter, { line: 0, record: sample });
  if ('error' in probe) throw new CliError(`the shared settings cannot mint any token: ${probe.error}`);

  const input = await openInput(flags.input);
  // Ctrl-C or a CI timeout must not leave a half-written temporary file behind. The handler comes
  // first: a signal that arrives while a process has no handler for it ends the process at once, so
  // one installed after the file was created would leave a window for exactly that.
  const opened: { output?: Output; progress?: Progress } = {};
  const interrupt = (signal: NodeJS.Signals): void => {
    void (opened.output?.abort() ?? Promise.resolve()).finally(() => {
      opened.progress?.finish();
      process.stderr.write(`qs-jwt: batch interrupted by ${signal}: no output file was written\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
  const output = openOutput(flags.output, Boolean(flags.force));
  opened.output = output;
  const progress = new Progress(process.stderr.isTTY === true, input.size, input.bytesRead);
  opened.progress = progress;
  let rows = 0;
  let rowsRead = 0;
  let failed = 0;
  let firstFailure: number | undefined;
  let pendingWrite: Promise<void> | undefined;
  const started = process.hrtime.bigint();
  pool.configure(setup, minter, await loadCsvCells(), (result: ChunkResult) => {
    rows += result.rows;
    failed += result.failed;
    firstFailure ??= result.firstFailure;
    pendingWrite = writeLine(output.stream, result.text) ?? pendingWrite;
    progress.update(rows, rowsRead);
  });
  try {
    const format = flags.inputFormat === 'auto' ? await detectFormat(flags.input, input.stream) : flags.inputFormat;
    let header: string[] | undefined;
    let chunk: RawRow[] = [];
    for await (const row of readRows(input.stream, format, (names) => { header = names; })) {
      chunk.push(row);
      rowsRead += 1;
      if (chunk.length >= CHUNK_ROWS) {
        await pool.submit(chunk, header);
        chunk = [];
        if (pendingWrite) await pendingWrite;
      }
    }
    if (chunk.length > 0) await pool.submit(chunk, header);
    await pool.close();
    if (pendingWrite) await pendingWrite;
    await output.commit();
  } catch (error) {
    await pool.close().catch(() => undefined);
    await output.abort();
    if (error instanceof QsJwtError || error instanceof CliError) throw error;
    throw new CliError(`batch stopped: ${(error as Error).message}`, EXIT.failure);
  } finally {
    progress.finish();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(`batch ${platform}: ${rows} rows, ${rows - failed} tokens, ${failed} failed${firstFailure !== undefined ? ` (first at line ${firstFailure})` : ''} in ${seconds.toFixed(2)} s (${Math.round((rows - failed) / Math.max(seconds, 1e-9))} tokens/s, ${workers} worker${workers === 1 ? '' : 's'} and the main thread)\n`);
  if (failed > 0) process.exitCode = EXIT.failure;
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
