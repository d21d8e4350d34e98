import { Argument, Option, type Command } from 'commander';
import { createWriteStream, existsSync, fstatSync, openSync } from 'node:fs';
import { link, rename, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { QsJwtError } from '../../core/errors.js';
import { AUTHORIZATION_HEADER_WARN_BYTES, CLOUD_DEFAULTS, QSEOW_DEFAULTS } from '../../core/qlik/qlik-limits.js';
import { CliError, EXIT } from '../cli-error.js';
import { integerIn, newCommand, offerValues } from '../command-setup.js';
import { PRIVATE_KEY_SETTINGS, resolvePrivateKey } from '../io/private-key-options.js';
import { checkOutputFile, fileSystemReason, requirePath } from '../io/output-location.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveCommandSettings } from '../settings/command-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import type { TokenFlags } from '../token-options.js';
import { countRows, detectFormat, openInput, readRows, type InputFormat } from '../batch/input-records.js';
import { MintPool } from '../batch/mint-pool.js';
import { mintRow, rowMinter, type ChunkResult, type MintSetup, type RowMinter } from '../batch/mint-job.js';
import { loadCsvCells, type RawRow } from '../batch/row-parsing.js';
import { Progress } from '../batch/progress.js';
import { RepeatedJwtIds } from '../batch/repeated-jwt-ids.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { stderrStream, stdoutStream, writeStderr } from '../io/standard-streams.js';

/**
 * Rows per chunk (~25 ms of signing): large enough that messaging is a small share of a worker's time,
 * small enough that the main thread, which signs a chunk whenever the workers are full, is soon back
 * to feeding them, and that the last chunks end close together.
 */
const CHUNK_ROWS = 32;

interface BatchFlags extends Pick<TokenFlags, 'alg' | 'expires' | 'notBefore'> {
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
  if (path === '-') return { stream: stdoutStream(), commit: async () => undefined, abort: async () => undefined };
  const target = resolve(path);
  if (!force && existsSync(target)) {
    throw new CliError(`--output ${path} already exists: pass --force to replace it`, EXIT.failure);
  }
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temporary, 'wx', 0o600);
  } catch (error) {
    throw new CliError(`--output ${path} cannot be written (${fileSystemReason(error)})`, EXIT.failure);
  }
  const stream = createWriteStream('', { fd });
  const closed = (): Promise<void> => new Promise((done) => stream.end(done));
  const place = async (): Promise<void> => {
    if (force) await rename(temporary, target);
    else {
      await link(temporary, target);
      await unlink(temporary);
    }
  };
  return {
    stream,
    commit: async () => {
      await closed();
      try {
        await place();
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        // Checked before signing, but the path can change while a long batch runs.
        const why =
          (error as NodeJS.ErrnoException).code === 'EEXIST'
            ? 'appeared while the batch ran'
            : `cannot be written (${fileSystemReason(error)})`;
        throw new CliError(`--output ${path} ${why}: no output was written`, EXIT.failure);
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
  const command = newCommand(
    'batch',
    'Mint one token per input row (CSV with a header row, or JSON Lines) on all cores. Output: JSON Lines {line, token} or {line, error}, in input order.',
    [
      'qs-jwt batch qseow --key privatekey.pem --input users.csv > tokens.jsonl',
      'printf "userid,userdir,groups\\nanna,ACME,Sales;EMEA\\n" | qs-jwt batch qseow --key privatekey.pem --input -',
      'qs-jwt batch cloud --profile cloud-prod --input users.jsonl --output tokens.jsonl',
      '# qseow fields: userid, userdir, name, email, groups (";"-separated in CSV), subject, jti; others become claims',
      '# cloud fields:  sub, name, email, email_verified, groups, jti; others become claims',
    ],
  )
    .addArgument(offerValues(new Argument('<platform>', 'qseow or cloud'), ['qseow', 'cloud']))
    .requiredOption('--input <file>', 'CSV or JSON Lines file; - reads standard input')
    .option('--output <file>', 'JSON Lines output; - is standard output', '-')
    .addOption(
      new Option('--input-format <format>', 'input format (auto: by file name, else { means JSON Lines)')
        .choices(['auto', 'csv', 'jsonl'])
        .default('auto'),
    )
    .option(
      '--workers <n>',
      'worker threads; the main thread signs too whenever they are busy (default: one per core but one)',
      integerIn(0, 256),
    );
  addSettings(command, [
    { setting: SETTINGS.force, note: 'an existing --output file' },
    SETTINGS.profile,
    SETTINGS.config,
    ...PRIVATE_KEY_SETTINGS,
    SETTINGS.alg,
    { setting: SETTINGS.expires, note: `default: ${QSEOW_DEFAULTS.expires} qseow, ${CLOUD_DEFAULTS.expires} cloud` },
    SETTINGS.notBefore,
    SETTINGS.audience,
    { setting: SETTINGS.issuer, note: 'required for cloud' },
    { setting: SETTINGS.kid, note: 'required for cloud' },
    SETTINGS.useridAttr,
    SETTINGS.userdirAttr,
    SETTINGS.groupsAttr,
  ]);
  return command.action(async (platform: string, _flags: BatchFlags, self: Command) => {
    if (platform !== 'qseow' && platform !== 'cloud')
      throw new CliError(
        `platform "${platform}" is not qseow or cloud: run qs-jwt batch qseow … or qs-jwt batch cloud …`,
      );
    await checkOutputBeforeSigning(self.opts<BatchFlags>());
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

/**
 * Progress is drawn on a terminal only, and never on the terminal the tokens go to: a frame redrawn
 * with \r between token lines splits them when copied. Two descriptors show the same terminal when
 * they name the same device.
 */
function progressWanted(output: string): boolean {
  if (stderrStream().isTTY !== true) return false;
  if (output !== '-' || stdoutStream().isTTY !== true) return true;
  try {
    return fstatSync(1).rdev !== fstatSync(2).rdev;
  } catch {
    return false;
  }
}

function largeTokensWarning(count: number, first: number | undefined): string {
  const limit = AUTHORIZATION_HEADER_WARN_BYTES / 1024;
  return (
    `qs-jwt: warning: ${count} token${count === 1 ? '' : 's'} (first at line ${first}) make an "Authorization: ` +
    `Bearer" header line over ${limit} KiB: servers and proxies often refuse those (IIS/http.sys and many proxies ` +
    'default to 8-16 KiB), so they may be refused; keep claims such as groups short\n'
  );
}

/** A bad --output fails now, not after every row is signed. */
async function checkOutputBeforeSigning(flags: BatchFlags): Promise<void> {
  requirePath('--output', flags.output, 'tokens.jsonl (or - for standard output)');
  if (flags.output !== '-') await checkOutputFile('--output', flags.output, Boolean(flags.force));
}

async function mintAll(platform: 'qseow' | 'cloud', self: Command, pool: MintPool, workers: number): Promise<void> {
  const settings = await resolveCommandSettings(self, platform);
  const flags = self.opts<BatchFlags>();
  if (platform === 'cloud' && (flags.issuer === undefined || flags.kid === undefined)) {
    const [flag, variable, field] =
      flags.issuer === undefined ? ['--issuer', 'QSJWT_ISSUER', 'issuer'] : ['--kid', 'QSJWT_KID', 'kid'];
    throw new CliError(
      `${flag} is required for Qlik Cloud tokens (or set ${variable}, or use a profile with ${field})`,
    );
  }
  const algorithm = flags.alg;
  const privateKey = await resolvePrivateKey(settings);
  const common = {
    algorithm,
    expires: flags.expires,
    notBefore: flags.notBefore,
    issuer: flags.issuer,
    keyId: flags.kid,
  };
  const setup: MintSetup =
    platform === 'qseow'
      ? {
          platform,
          privateKey,
          shared: {
            ...common,
            audience: flags.audience,
            userIdAttribute: flags.useridAttr,
            userDirectoryAttribute: flags.userdirAttr,
            groupsAttribute: flags.groupsAttr,
          },
        }
      : { platform, privateKey, shared: { ...common, issuer: flags.issuer as string, keyId: flags.kid as string } };
  // Mint one sample row first: settings that would fail every row (a bad --expires, a registered
  // attribute name) are refused once, before any input is read or output file created.
  const sample =
    platform === 'qseow'
      ? { userid: 'sample', userdir: 'sample', groups: ['sample'] }
      : { sub: 'sample', name: 'sample', email: 'sample@example.com', groups: ['sample'] };
  let minter: RowMinter;
  try {
    minter = settings.blame(() => rowMinter(setup));
  } catch (error) {
    if (error instanceof CliError) throw error;
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
      writeStderr(`qs-jwt: batch interrupted by ${signal}: no output file was written\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
  const output = openOutput(flags.output, Boolean(flags.force));
  opened.output = output;
  const progress = new Progress(progressWanted(flags.output));
  opened.progress = progress;
  let rows = 0;
  let failed = 0;
  let firstFailure: number | undefined;
  let pendingWrite: Promise<void> | undefined;
  const repeated = new RepeatedJwtIds();
  const largeTokens: { count: number; first?: number | undefined } = { count: 0 };
  const started = process.hrtime.bigint();
  pool.configure(setup, minter, await loadCsvCells(), (result: ChunkResult) => {
    rows += result.rows;
    failed += result.failed;
    firstFailure ??= result.firstFailure;
    if (result.jwtIds) for (const [line, jti] of result.jwtIds) repeated.add(line, jti);
    if (result.largeTokenLines) {
      largeTokens.count += result.largeTokenLines.length;
      largeTokens.first ??= result.largeTokenLines[0];
    }
    pendingWrite = writeLine(output.stream, result.text) ?? pendingWrite;
    progress.update(rows);
  });
  try {
    const format = flags.inputFormat === 'auto' ? await detectFormat(flags.input, input.stream) : flags.inputFormat;
    if (progress.enabled && flags.input !== '-') {
      void countRows(flags.input, format).then((total) => progress.setTotal(total));
    }
    let header: string[] | undefined;
    let chunk: RawRow[] = [];
    for await (const row of readRows(input.stream, format, (names) => {
      header = names;
    })) {
      chunk.push(row);
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
  for (const warning of repeated.warnings()) writeStderr(`${warning}\n`);
  if (largeTokens.count > 0) writeStderr(largeTokensWarning(largeTokens.count, largeTokens.first));
  writeStderr(
    `batch ${platform}: ${rows} rows, ${rows - failed} tokens, ${failed} failed${firstFailure !== undefined ? ` (first at line ${firstFailure})` : ''} in ${seconds.toFixed(2)} s (${Math.round((rows - failed) / Math.max(seconds, 1e-9))} tokens/s, ${workers} worker${workers === 1 ? '' : 's'} and the main thread)\n`,
  );
  if (failed > 0) process.exitCode = EXIT.failure;
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
