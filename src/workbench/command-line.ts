/**
 * The qs-jwt command line and curl command that reproduce what was clicked in the Create view, so a
 * token made by hand can be made by a script. Values are quoted for POSIX shells.
 */

/** Single-quotes a value unless it is plainly safe; an embedded ' becomes '\''. */
export function shellQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** One flag and its value(s), or nothing when the value is absent or the default. */
export type FlagValue = string | readonly string[] | undefined;

export function commandLine(words: readonly string[], flags: readonly (readonly [string, FlagValue])[]): string {
  const parts = ['qs-jwt', ...words];
  for (const [flag, value] of flags) {
    if (value === undefined) continue;
    if (typeof value === 'string') parts.push(flag, shellQuote(value));
    else if (value.length > 0) parts.push(flag, ...value.map(shellQuote));
  }
  return parts.join(' ');
}

/** The request a client sends with the token, minting it on the spot with the command above. */
export function curlCommand(platform: 'qseow' | 'cloud', mint: string, prefix = 'jwt'): string {
  if (platform === 'qseow') {
    return `curl -H "Authorization: Bearer $(${mint})" https://qlik.example.com/${prefix}/qps/user`;
  }
  return `curl -X POST -c cookies.txt -H "Authorization: Bearer $(${mint})" https://TENANT.qlikcloud.com/login/jwt-session`;
}
