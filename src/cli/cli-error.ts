import { QsJwtError } from '../core/errors.js';

/** Exit codes, documented in README. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed: I/O error, existing output file, a refused token. */
  failure: 1,
  /** The command line or its input is wrong: unknown flag, bad value, unusable key. */
  usage: 2,
} as const;

/** A failure the CLI itself detects (files, flags), with the exit code it deserves. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Runs a core call and, when it refuses its input, names the flag that carried it. */
export function blameFlag<T>(flag: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`${flag}: ${error.message.replace(/^algorithm \S+ is not supported: /, 'not supported: ')}`);
    throw error;
  }
}
