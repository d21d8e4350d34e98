import type { Command } from 'commander';
import { EXIT } from './cli-error.js';
import { reportFailure } from './report-failure.js';
import { commandWords } from './settings/command-settings.js';
import { renameFlags } from './settings/renamed-flags.js';
import { writeStderr } from './io/standard-streams.js';

/**
 * Parses and runs one command and turns any failure into its one-line report and exit code. Each
 * command module exports a `run` built on this, so the reporting runs beside the command and not in
 * main: the CLI is bundled per command, and report-failure must see the same error classes (CliError,
 * QsJwtError, commander's) that the command throws, not main's own copies.
 */
export async function runCommand(
  buildCommand: () => Command,
  args: readonly string[],
  debug: boolean,
): Promise<number> {
  try {
    const command = buildCommand();
    const argv = renameFlags(commandWords(command), args, (line) => writeStderr(`${line}\n`));
    await command.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    process.exitCode = reportFailure(error, debug);
    return process.exitCode;
  }
}

/** What every command module exports for main to call. */
export type RunCommand = (args: readonly string[], debug: boolean) => Promise<number>;
