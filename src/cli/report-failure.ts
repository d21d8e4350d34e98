import { CommanderError } from 'commander';
import { QsJwtError } from '../core/errors.js';
import { CliError, EXIT } from './cli-error.js';

/** Writes one line for a failure (a stack only with --debug) and returns the exit code. */
export function reportFailure(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message through the command's configured output.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  let exitCode: number = EXIT.failure;
  let line = message;
  if (error instanceof CliError) exitCode = error.exitCode;
  else if (error instanceof QsJwtError) {
    exitCode = EXIT.usage;
    // Core errors about an option start with its name (expires, not-before…): make it the flag.
    if (error.option && line.startsWith(error.option)) line = `--${line}`;
  }
  else line = `unexpected error: ${message}${debug ? '' : ' (run again with --debug for details)'}`;
  process.stderr.write(`qs-jwt: error: ${line}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return exitCode;
}
