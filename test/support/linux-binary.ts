import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const LINUX_BINARY = join(ROOT, 'dist-bin', 'qs-jwt-linux-x64');

/** Newest modification time among the binary's inputs: the sources, the build scripts, the lock file. */
function newestInput(): number {
  const walk = (folder: string): number =>
    readdirSync(folder, { withFileTypes: true }).reduce((newest, entry) => {
      const path = join(folder, entry.name);
      return Math.max(newest, entry.isDirectory() ? walk(path) : statSync(path).mtimeMs);
    }, 0);
  const files = ['build-binaries.mjs', 'build-plugins.mjs', 'package.json', 'package-lock.json'].map(
    (name) => statSync(join(ROOT, name)).mtimeMs,
  );
  return Math.max(walk(join(ROOT, 'src')), ...files, statSync(process.execPath).mtimeMs);
}

/**
 * The Linux single-file executable, built by `node build-binaries.mjs linux` unless one newer than
 * every input exists (building takes ~10 s: bundling, the blob and injecting a 100 MB binary).
 */
export function freshLinuxBinary(): string {
  if (!existsSync(LINUX_BINARY) || statSync(LINUX_BINARY).mtimeMs < newestInput()) {
    execFileSync(process.execPath, ['build-binaries.mjs', 'linux'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 180_000,
    });
  }
  return LINUX_BINARY;
}
