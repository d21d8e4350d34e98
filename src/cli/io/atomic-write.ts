import { randomBytes } from 'node:crypto';
import { access, link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError, EXIT } from '../cli-error.js';
import { fileSystemReason, prepareOutputFolder } from './output-location.js';

export interface FileToWrite {
  path: string;
  content: string;
  /** Exact permission bits, whatever the umask: 0o600 for private keys. */
  mode: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function writeTemporary(file: FileToWrite): Promise<string> {
  const temporary = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', file.mode);
  try {
    await handle.chmod(file.mode);
    await handle.writeFile(file.content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temporary;
}

/**
 * Writes a set of files all or nothing: each goes to a temporary file in its target folder first,
 * then is linked into place (which fails if the name appeared meanwhile) or, with `force`, renamed over
 * the old file. If anything fails, the files this call created are removed again.
 */
/** Refuses early when any target exists, so costly work (key generation) is not done for nothing. */
export async function refuseExisting(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    if (await exists(path)) {
      throw new CliError(
        `${path} already exists: pass --force to replace it, or choose another --out or --prefix`,
        EXIT.failure,
      );
    }
  }
}

/** Refuses targets that are folders: --force replaces files, and a folder would fail only at the very end. */
export async function refuseFolders(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const isFolder = await stat(path).then(
      (info) => info.isDirectory(),
      () => false,
    );
    if (isFolder) {
      throw new CliError(`${path} is a folder: move it away, or choose another --out or --prefix`, EXIT.failure);
    }
  }
}

export async function writeFilesAtomically(files: readonly FileToWrite[], { force = false } = {}): Promise<void> {
  if (!force) await refuseExisting(files.map((file) => file.path));
  for (const folder of new Set(files.map((file) => dirname(file.path)))) await prepareOutputFolder('folder', folder);
  const temporaries: string[] = [];
  const created: string[] = [];
  try {
    for (const file of files) temporaries.push(await writeTemporary(file));
    for (const [index, file] of files.entries()) {
      const temporary = temporaries[index] as string;
      if (force) {
        await rename(temporary, file.path);
      } else {
        await link(temporary, file.path);
        await unlink(temporary);
      }
      created.push(file.path);
    }
  } catch (error) {
    await Promise.all([...temporaries, ...(force ? [] : created)].map((path) => unlink(path).catch(() => undefined)));
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(
        `an output file appeared while writing: nothing was written; run again, or pass --force`,
        EXIT.failure,
      );
    }
    const paths = files.map((file) => file.path).join(', ');
    throw new CliError(`could not write ${paths} (${fileSystemReason(error)}): nothing was written`, EXIT.failure);
  }
}
