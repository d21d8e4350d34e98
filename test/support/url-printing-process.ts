import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A server process started as users start it (emulate, ui, bridge), once it has printed its URL as the
 * first line of stdout, as every qs-jwt server does. Its stderr is collected; a process that ends
 * before its URL fails the start with that stderr. Killed after `killAfterMs` so a hung test ends.
 */
export interface UrlPrintingProcess {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** The exit code once the process has ended. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

export interface StartOptions {
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  killAfterMs?: number | undefined;
}

export async function startUrlPrintingProcess(
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): Promise<UrlPrintingProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve(stdout.slice(0, newline));
    });
    child.on('close', () => reject(new Error(`${args.join(' ')} exited before printing its URL: ${stderr}`)));
  });
  return {
    url,
    child,
    stderr: () => stderr,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
