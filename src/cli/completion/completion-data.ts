import type { CompletionNode, ValueSpec } from './command-tree.js';

/**
 * The command tree flattened into the four lookups every shell's script answers from, keyed by the
 * command words joined by spaces ('' is qs-jwt itself). A value is a list of words, or a marker:
 * @file, @folder, @free (any text), @switch (the flag takes no value).
 */
export interface CompletionData {
  children: ReadonlyMap<string, readonly string[]>;
  flags: ReadonlyMap<string, readonly string[]>;
  /** key: `<path>|<flag>` */
  values: ReadonlyMap<string, readonly string[] | string>;
  /** key: `<path>|<index>` */
  positionals: ReadonlyMap<string, readonly string[] | string>;
}

// Every word goes into shell source between single quotes: refuse anything that could end the quoting
// or be read as a pattern, rather than escape it four ways.
const SAFE_WORD = /^[\w.:=+@/-]+$/;

function safe(word: string): string {
  if (!SAFE_WORD.test(word)) throw new Error(`completion: "${word}" has characters the generated scripts do not quote`);
  return word;
}

function valueOf(spec: ValueSpec): readonly string[] | string {
  return spec.kind === 'choices' ? spec.values.map(safe) : `@${spec.kind}`;
}

export function completionData(nodes: readonly CompletionNode[]): CompletionData {
  const children = new Map<string, readonly string[]>();
  const flags = new Map<string, readonly string[]>();
  const values = new Map<string, readonly string[] | string>();
  const positionals = new Map<string, readonly string[] | string>();
  for (const node of nodes) {
    const path = node.words.map(safe).join(' ');
    if (node.children.length > 0) children.set(path, node.children.map(safe));
    flags.set(
      path,
      node.flags.flatMap((flag) => flag.names.map(safe)),
    );
    for (const flag of node.flags) {
      if (flag.value) for (const name of flag.names) values.set(`${path}|${name}`, valueOf(flag.value));
    }
    node.positionals.forEach((spec, index) => positionals.set(`${path}|${index}`, valueOf(spec)));
  }
  return { children, flags, values, positionals };
}

/** A lookup as words joined by single spaces, the form the POSIX-shell and fish scripts print. */
export function joined(value: readonly string[] | string): string {
  return typeof value === 'string' ? value : value.join(' ');
}
