// Synchronous fs: each run reads a few small files once, and node:fs/promises alone costs ~2 ms to load.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { CliError, EXIT } from '../cli-error.js';
import { writeStderr } from './standard-streams.js';

/** Bound for files the CLI reads: keys, certificates, tokens, passphrases. */
export const MAX_INPUT_BYTES = 1024 * 1024;

async function readStdin(what: string, maxBytes: number): Promise<Buffer> {
  if (process.stdin.isTTY) writeStderr(`qs-jwt: reading ${what} from standard input (end with Ctrl-D)\n`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes)
      throw new CliError(`${what} from standard input is over ${maxBytes} bytes: that is not a key or token`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a file, or standard input for `-`, refusing anything over `maxBytes`. */
export async function readInput(path: string, what: string, maxBytes = MAX_INPUT_BYTES): Promise<Buffer> {
  if (path === '-') return readStdin(what, maxBytes);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fileError(error, path, what);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new CliError(`${what} ${path} is a folder: give the file inside it`, EXIT.failure);
    if (stats.size > maxBytes)
      throw new CliError(
        `${what} ${path} is ${stats.size} bytes, more than the ${maxBytes} a key or token can be: check the file name`,
      );
    return readFileSync(fd);
  } catch (error) {
    throw error instanceof CliError ? error : fileError(error, path, what);
  } finally {
    closeSync(fd);
  }
}

/**
 * One line for a file that cannot be read, and one exit code whatever the cause (missing, unreadable, a
 * folder): README's exit code 1, "a file could not be read". What a file holds, once read, is input and
 * its faults exit 2.
 */
export function fileError(error: unknown, path: string, what: string): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  const line = (why: string): CliError => new CliError(`${what} ${path} ${why}`, EXIT.failure);
  if (code === 'ENOENT') return line('does not exist: check the path');
  const denied = code === 'EACCES' || code === 'EPERM';
  if (denied) return line('cannot be read (permission denied): check its owner and mode');
  if (code === 'EISDIR') return line('is a folder: give the file inside it');
  if (code === 'ENOTDIR') return line('does not exist (a part of the path is a file): check the path');
  if (code === 'ELOOP') return line('cannot be read (a symbolic link loop): check the path');
  return line(`cannot be read (${code ?? (error as Error).message}): check the path`);
}

/** Reads a passphrase file; one trailing line break (as editors and `echo` add) is not part of it. */
export async function readPassphraseFile(path: string): Promise<string> {
  const text = (await readInput(path, 'passphrase file', 64 * 1024)).toString('utf8');
  return text.replace(/\r?\n$/, '');
}
