/**
 * Flags that were renamed so that one flag means one thing in every command. The old spelling still
 * works, with a warning, until it is removed. Keyed by the command's words.
 */
export const RENAMED_FLAGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // --prefix is the virtual proxy prefix everywhere else.
  'keys create': { '--prefix': '--file-prefix' },
  // --sub is the subject everywhere else.
  'create qseow': { '--subject': '--sub' },
  // --host is the address a server listens on everywhere else.
  'doctor qseow': { '--host': '--users-host' },
};

/** argv with old flag spellings replaced (`--prefix x` and `--prefix=x`), and a warning for each. */
export function renameFlags(words: string, args: readonly string[], warn: (line: string) => void): string[] {
  const renamed = RENAMED_FLAGS[words];
  if (renamed === undefined) return [...args];
  const result: string[] = [];
  for (const [index, arg] of args.entries()) {
    // After `--`, everything is an argument.
    if (arg === '--') return [...result, ...args.slice(index)];
    const [flag = arg, value] = arg.split(/=(.*)/s, 2);
    const replacement = Object.hasOwn(renamed, flag) ? renamed[flag] : undefined;
    if (replacement === undefined) {
      result.push(arg);
      continue;
    }
    warn(`qs-jwt ${words}: warning: ${flag} is now ${replacement} (the old spelling will be removed)`);
    result.push(value === undefined ? replacement : `${replacement}=${value}`);
  }
  return result;
}
