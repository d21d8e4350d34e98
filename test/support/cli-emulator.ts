import { spawn } from 'node:child_process';
import { CLI_PATH } from './run-cli.js';

/**
 * `qs-jwt emulate …` as its own process, as users run it: resolves once `lines` stdout lines (the
 * URLs) are printed; `stop` ends it with SIGTERM (SIGKILL after a bound) and gives its stderr.
 */
export interface CliEmulator {
  lines: string[];
  stop: () => Promise<string>;
}

export function startCliEmulator(args: readonly string[], lines: number, cwd: string): Promise<CliEmulator> {
  const child = spawn(process.execPath, [CLI_PATH, 'emulate', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async (): Promise<string> => {
    child.kill('SIGTERM');
    const late = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(late);
    clearTimeout(killer);
    return stderr;
  };
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const printed = stdout.split('\n');
      if (printed.length > lines) resolve({ lines: printed.slice(0, lines), stop });
    });
    child.on('close', () => reject(new Error(`the emulator exited before printing its URLs: ${stderr}`)));
  });
}
