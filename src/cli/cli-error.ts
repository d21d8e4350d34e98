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
