import { QsJwtError } from '../core/errors.js';
import { CliError, EXIT } from './cli-error.js';
import { writeStderr } from './io/standard-streams.js';

/**
 * Commander's errors, recognised by their code rather than by class: main reports its own failures
 * too, and importing commander's class there would load all of commander (~130 KB) for --help.
 */
function commanderCode(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('commander.') ? code : undefined;
}

/** Writes one line for a failure (a stack only with --debug) and returns the exit code. */
export function reportFailure(error: unknown, debug: boolean): number {
  const code = commanderCode(error);
  if (code !== undefined) {
    // Commander already printed its message through the command's configured output.
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  let exitCode: number = EXIT.failure;
  let line = message;
  if (error instanceof CliError) exitCode = error.exitCode;
  // A core error that reaches here was not blamed on a setting (ResolvedSettings.blame): its message
  // names the library's option, which is the best there is.
  else if (error instanceof QsJwtError) exitCode = EXIT.usage;
  else line = `unexpected error: ${message}${debug ? '' : ' (run again with --debug for details)'}`;
  writeStderr(`qs-jwt: error: ${line}\n`);
  if (debug && error instanceof Error && error.stack) writeStderr(`${error.stack}\n`);
  return exitCode;
}
