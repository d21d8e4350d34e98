import { constants } from 'node:fs';
import { access, mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError, EXIT } from '../cli-error.js';

/**
 * Checks of where a command will write, made before any slow work (key generation, signing a whole
 * batch), so a bad location costs the user nothing and the error names their path, never a temporary one.
 */

/** An empty path resolves to the current folder: a private key would land there unasked. */
export function requirePath(flag: string, value: string, example: string): string {
  if (value.trim() === '') throw new CliError(`${flag} is empty: give a path, for example ${flag} ${example}`);
  return value;
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** The reason in words, without the error's own text: that would name a temporary file or a syscall. */
export function fileSystemReason(error: unknown): string {
  switch (errnoCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied: check its owner and mode';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ENOENT':
      return 'a part of the path does not exist or cannot hold folders';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ELOOP':
      return 'the path has a symbolic link loop';
    default:
      return (error as Error).message;
  }
}

/** The nearest of `path` and its parents that exists; a file in between ends the walk there. */
async function nearestExisting(path: string): Promise<{ path: string; isFolder: boolean }> {
  let current = path;
  for (;;) {
    try {
      return { path: current, isFolder: (await stat(current)).isDirectory() };
    } catch (error) {
      const code = errnoCode(error);
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw error;
      current = parent;
    }
  }
}

async function writable(folder: string): Promise<boolean> {
  return access(folder, constants.W_OK | constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** A folder made ready for output, and how to take back the folders that readying it created. */
export interface PreparedFolder {
  folder: string;
  /** Removes the folders created here, if still empty, after a later failure: nothing is left half-made. */
  undo: () => Promise<void>;
}

/**
 * Creates `folder` (and missing parents) one level at a time and checks it can be written into. Node's
 * recursive mkdir retries forever where a folder cannot be made although its parent exists (`/proc/x`
 * answers ENOENT), so each level is made once and any failure is final.
 */
export async function prepareOutputFolder(flag: string, folder: string): Promise<PreparedFolder> {
  const target = resolve(folder);
  const fail = (why: string): CliError => new CliError(`${flag} ${folder}: ${why}`, EXIT.failure);
  let existing: { path: string; isFolder: boolean };
  try {
    existing = await nearestExisting(target);
  } catch (error) {
    throw fail(`cannot be used (${fileSystemReason(error)})`);
  }
  if (!existing.isFolder) {
    const file = existing.path === target ? 'is a file' : `${existing.path} is a file`;
    throw fail(`${file}, not a folder${existing.path === target ? ': give a folder' : ''}`);
  }
  const missing: string[] = [];
  for (let level = target; level !== existing.path; level = dirname(level)) missing.unshift(level);
  const created: string[] = [];
  const undo = async (): Promise<void> => {
    for (const made of [...created].reverse()) await rmdir(made).catch(() => undefined);
  };
  for (const level of missing) {
    try {
      await mkdir(level);
      created.push(level);
    } catch (error) {
      await undo();
      throw fail(`cannot create the folder ${level} (${fileSystemReason(error)}): choose another folder`);
    }
  }
  if (!(await writable(target))) {
    await undo();
    throw fail(
      'cannot write into this folder (permission denied or read-only): ' +
        'check its owner and mode, or choose another folder',
    );
  }
  return { folder: target, undo };
}

/**
 * Checks an output file: not a folder, in a folder that exists and is writable, and not already there
 * unless `force`. Creates nothing.
 */
export async function checkOutputFile(flag: string, path: string, force: boolean): Promise<void> {
  const target = resolve(path);
  const fail = (why: string): CliError => new CliError(`${flag} ${path}: ${why}`, EXIT.failure);
  const info = await stat(target).catch((error: unknown) => {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fail(`cannot be used (${fileSystemReason(error)})`);
  });
  if (info?.isDirectory()) throw fail('is a folder: give a file name, for example tokens.jsonl inside it');
  if (info && !force) throw fail('already exists: pass --force to replace it');
  const folder = dirname(target);
  let existing: { path: string; isFolder: boolean };
  try {
    existing = await nearestExisting(folder);
  } catch (error) {
    throw fail(`cannot be used (${fileSystemReason(error)})`);
  }
  if (!existing.isFolder) throw fail(`${existing.path} is a file, not a folder`);
  if (existing.path !== folder) throw fail(`the folder ${folder} does not exist: create it first`);
  if (!(await writable(folder))) {
    throw fail(`cannot write into ${folder} (permission denied or read-only): check its owner and mode`);
  }
}
