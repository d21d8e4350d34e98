import type { ChildProcess } from 'node:child_process';
import { CLI_PATH } from './run-cli.js';
import { startUrlPrintingProcess } from './url-printing-process.js';

/** A `qs-jwt ui` process as users start it, with the URL it printed first on stdout. */
export interface WorkbenchProcess {
  /** The printed URL, with the secret. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  child: ChildProcess;
  stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

export async function startWorkbenchProcess(args: readonly string[], cwd: string): Promise<WorkbenchProcess> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('QSJWT_')));
  const started = await startUrlPrintingProcess(process.execPath, [CLI_PATH, 'ui', '--no-open', ...args], {
    cwd,
    env,
    killAfterMs: 120_000,
  });
  return { ...started, origin: new URL(started.url).origin };
}

/** Follows the secret URL like a browser: returns the cookie the workbench set. */
export async function admit(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  const cookie = response.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0] ?? '';
}
