import { Command, InvalidArgumentError, type Argument, type Option } from 'commander';
import { writeStdout } from './io/standard-streams.js';

/**
 * A commander command with the conventions every qs-jwt command shares: errors as one line on stderr
 * naming the command, exit codes decided in one place (report-failure), examples in --help.
 */
export function newCommand(words: string, description: string, examples: readonly string[]): Command {
  const command = new Command(`qs-jwt ${words}`)
    .description(description)
    .exitOverride()
    .allowExcessArguments(false)
    .configureOutput({
      writeOut: writeStdout,
      outputError: (text, write) =>
        write(`qs-jwt ${words}: ${text.replace(/^error: /, 'error: ').trim()} (see qs-jwt ${words} --help)\n`),
    });
  command.addHelpText('after', `\nExamples:\n${examples.map((example) => `  ${example}`).join('\n')}\n`);
  return command;
}

/** Argument parser for whole numbers within a range, with the flag named in the error. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    const number = Number(value);
    if (number < min || number > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return number;
  };
}

/** Collector for repeatable options (`--claim a=1 --claim b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Names the values that help and shell completion offer, without commander refusing the others: the
 * command checks the value itself and says why (for --alg HS256: Qlik verifies with an RSA key).
 */
export function offerValues<T extends Option | Argument>(target: T, values: readonly string[]): T {
  target.argChoices = [...values];
  return target;
}
