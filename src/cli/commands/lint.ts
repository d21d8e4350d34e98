import type { Command } from 'commander';
import { lintToken } from '../../core/lint/verify-token.js';
import { EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { readTokenArgument } from '../io/token-input.js';
import { addInspectionOptions, resolveInspection, type InspectionFlags } from '../inspection-options.js';
import { reportAsJson, reportAsText } from '../inspection-report.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { writeStdout } from '../io/standard-streams.js';

export function buildCommand(): Command {
  const command = newCommand(
    'lint',
    "Check a token against Qlik's acceptance rules without a key (the signature is not checked). Exit 0 no errors, 1 errors, 2 usage.",
    [
      'qs-jwt lint "$TOKEN" --platform cloud',
      'qs-jwt lint - --platform qseow --userid-attr uid --userdir-attr dir < token.txt',
    ],
  ).argument('<token>', 'the token; - reads standard input');
  addInspectionOptions(command);
  return command.action(async (argument: string, _flags: InspectionFlags, self: Command) => {
    const { platform, options, unchecked, profile } = await resolveInspection(self);
    const flags = self.opts<InspectionFlags>();
    const result = lintToken(await readTokenArgument(argument), platform, options);
    const context = { unchecked, profile };
    writeStdout(
      flags.format === 'json'
        ? reportAsJson(result, context)
        : reportAsText(result, platform, options.at, 'lint', context),
    );
    if (!result.accepted) process.exitCode = EXIT.failure;
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
