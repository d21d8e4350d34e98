import type { Argument, Command, Option } from 'commander';
import { COMMANDS } from '../command-registry.js';

/** What may follow a flag or stand in a positional place: a fixed set, a file, a folder, or free text. */
export type ValueSpec =
  { kind: 'choices'; values: readonly string[] } | { kind: 'file' } | { kind: 'folder' } | { kind: 'free' };

export interface FlagSpec {
  /** Every spelling: `--key`, `-h` … */
  names: readonly string[];
  /** undefined: a switch that takes no value. */
  value: ValueSpec | undefined;
}

/** One command line position a user can reach: `create qseow`, `emulate`, `emulate cloud`, or the root. */
export interface CompletionNode {
  words: readonly string[];
  /** Words that may come next (`create` → `qseow`, `cloud`). */
  children: readonly string[];
  flags: readonly FlagSpec[];
  /** Positional arguments in order. */
  positionals: readonly ValueSpec[];
}

/** Placeholder names that mean a path: the commands write `<file>` and `<dir>` in their flags. */
function pathSpec(placeholder: string): ValueSpec {
  if (/^(file|path)$/i.test(placeholder)) return { kind: 'file' };
  if (/^(dir|directory|folder)$/i.test(placeholder)) return { kind: 'folder' };
  return { kind: 'free' };
}

function optionValue(option: Option): ValueSpec | undefined {
  if (!option.required && !option.optional) return undefined;
  if (option.argChoices && option.argChoices.length > 0) return { kind: 'choices', values: option.argChoices };
  const placeholder = /[<[]([^>\].]+)/.exec(option.flags)?.[1] ?? '';
  return pathSpec(placeholder);
}

function argumentValue(argument: Argument): ValueSpec {
  if (argument.argChoices && argument.argChoices.length > 0) return { kind: 'choices', values: argument.argChoices };
  return pathSpec(argument.name());
}

const HELP_FLAG: FlagSpec = { names: ['--help', '-h'], value: undefined };

function flagsOf(command: Command): FlagSpec[] {
  const flags = command.options
    .filter((option) => !option.hidden)
    .map((option) => ({
      names: [option.long, option.short].filter((name): name is string => name !== undefined),
      value: optionValue(option),
    }));
  return [...flags, HELP_FLAG];
}

function nodesOf(words: readonly string[], command: Command): CompletionNode[] {
  const subcommands = command.commands.filter((sub) => !(sub as Command & { _hidden?: boolean })._hidden);
  const own: CompletionNode = {
    words,
    children: subcommands.map((sub) => sub.name()),
    flags: flagsOf(command),
    positionals: command.registeredArguments.map(argumentValue),
  };
  return [own, ...subcommands.flatMap((sub) => nodesOf([...words, sub.name()], sub))];
}

/** The root and group words (`keys`, `create`, `config`) that only lead to commands. */
function groupNodes(nodes: readonly CompletionNode[]): CompletionNode[] {
  const groups = new Map<string, Set<string>>([['', new Set()]]);
  for (const entry of COMMANDS) {
    for (let depth = 0; depth < entry.words.length; depth += 1) {
      const parent = entry.words.slice(0, depth).join(' ');
      if (depth > 0 && nodes.some((node) => node.words.join(' ') === parent)) continue;
      const children = groups.get(parent) ?? new Set<string>();
      children.add(entry.words[depth] as string);
      groups.set(parent, children);
    }
  }
  return [...groups].map(([path, children]) => ({
    words: path === '' ? [] : path.split(' '),
    children: [...children],
    flags:
      path === ''
        ? [HELP_FLAG, { names: ['--version', '-V'], value: undefined }, { names: ['--debug'], value: undefined }]
        : [HELP_FLAG],
    positionals: [],
  }));
}

/**
 * Every command line position of the CLI, read from the command registry and each command's own
 * commander definition (flags, their fixed values, which take a file or folder, subcommands and
 * arguments), so completion scripts made from it list exactly what the commands accept.
 */
export async function loadCommandTree(): Promise<CompletionNode[]> {
  const modules = await Promise.all(COMMANDS.map(async (entry) => ({ entry, module: await entry.load() })));
  const nodes = modules.flatMap(({ entry, module }) => nodesOf(entry.words, module.buildCommand()));
  return [...groupNodes(nodes), ...nodes];
}
