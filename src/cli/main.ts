import { readFileSync } from 'node:fs';
import { COMMANDS, commandsInGroup, findCommand, topLevelWords, type CommandEntry } from './command-registry.js';
import { closestWords } from './edit-distance.js';
import { CliError, EXIT } from './cli-error.js';
import { reportFailure } from './report-failure.js';
import { writeStdout } from './io/standard-streams.js';

function topLevelHelp(): string {
  const line = (entry: CommandEntry): string => `  ${entry.words.join(' ').padEnd(16)} ${entry.summary}`;
  return [
    'Usage: qs-jwt <command> [options]',
    '',
    'Keys, certificates and JWTs for Qlik Sense (client-managed QSEoW and Qlik Cloud).',
    '',
    'Commands:',
    ...COMMANDS.filter((entry) => !entry.compatibility).map(line),
    '',
    'Compatibility with the JavaScript qs-jwt:',
    ...COMMANDS.filter((entry) => entry.compatibility).map(line),
    '',
    'Options:',
    '  -h, --help       help for qs-jwt or any command (qs-jwt create qseow --help, qs-jwt help create qseow)',
    '  -V, --version    print the version',
    '  --debug          show stack traces on errors',
    '',
    'Examples:',
    '  qs-jwt quickstart --out ./qs-jwt-quickstart',
    '  qs-jwt keys create --out ./keys',
    '  qs-jwt create qseow --key ./keys/privatekey.pem --userid anna --userdir ACME',
    '  qs-jwt create cloud --key ./keys/privatekey.pem --sub anna --name "Anna A" --email anna@acme.com \\',
    '      --issuer https://idp.acme.com --kid my-key-id',
    '',
    'Exit codes: 0 success, 1 the command failed, 2 wrong usage or unusable input.',
    '',
  ].join('\n');
}

/** Set at build time for the single-file executable, which has no package.json beside it. */
declare const BUILD_VERSION_TEXT: string | undefined;

function version(): string {
  if (typeof BUILD_VERSION_TEXT === 'string') return BUILD_VERSION_TEXT;
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

const debug = process.argv.includes('--debug');

function groupHelp(group: string, entries: readonly CommandEntry[]): string {
  const lines = entries.map((entry) => `  qs-jwt ${entry.words.join(' ').padEnd(14)} ${entry.summary}`);
  return [`Usage: qs-jwt ${group} <command> [options]`, '', ...lines, ''].join('\n');
}

/** " (did you mean …?)" for a mistyped word, or nothing when no word is close. */
function didYouMean(word: string, candidates: readonly string[], prefix = ''): string {
  const close = closestWords(word, candidates).map((candidate) => `qs-jwt ${prefix}${candidate}`);
  return close.length > 0 ? ` (did you mean ${close.join(' or ')}?)` : '';
}

/** Why argv names no command, with the nearest command words when it looks like a typo. */
function unknownCommand(args: readonly string[]): CliError {
  const [first = '', second] = args;
  const group = commandsInGroup(first);
  if (group.length > 0 && (second === undefined || second.startsWith('-'))) {
    const names = group.map((entry) => `qs-jwt ${entry.words.join(' ')}`).join(' or ');
    return new CliError(`qs-jwt ${first} needs a command: ${names} (see qs-jwt ${first} --help)`);
  }
  if (group.length > 0) {
    const hint = didYouMean(
      second ?? '',
      group.map((entry) => entry.words[1] as string),
      `${first} `,
    );
    return new CliError(`unknown command "${first} ${second ?? ''}"${hint}: run qs-jwt ${first} --help for the list`);
  }
  const hint = didYouMean(first, topLevelWords());
  return new CliError(`unknown command "${first}"${hint}: run qs-jwt --help for the list`);
}

/** `qs-jwt help [command…]`: the top-level help, a group's list, or that command's own --help. */
async function help(words: readonly string[]): Promise<number> {
  const [first] = words;
  if (first === undefined) {
    writeStdout(topLevelHelp());
    return EXIT.ok;
  }
  const found = findCommand(words);
  if (found) {
    const { run } = await found.entry.load();
    return run([...found.rest, '--help'], debug);
  }
  const group = commandsInGroup(first);
  if (group.length > 0 && words.length === 1) {
    writeStdout(groupHelp(first, group));
    return EXIT.ok;
  }
  throw unknownCommand(words);
}

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((arg) => arg !== '--debug');
  const [first] = args;
  if (first === undefined) throw new CliError('no command given: run qs-jwt --help to see the commands');
  if (first === '-h' || first === '--help') {
    writeStdout(topLevelHelp());
    return EXIT.ok;
  }
  if (first === 'help') return help(args.slice(1).filter((arg) => arg !== '--help' && arg !== '-h'));
  if (first === '-V' || first === '--version') {
    writeStdout(`${version()}\n`);
    return EXIT.ok;
  }
  const found = findCommand(args);
  if (!found) {
    const group = commandsInGroup(first);
    if (group.length > 0 && (args.includes('--help') || args.includes('-h'))) {
      writeStdout(groupHelp(first, group));
      return EXIT.ok;
    }
    throw unknownCommand(args);
  }
  const { run } = await found.entry.load();
  return run(found.rest, debug);
}

main(process.argv.slice(2)).then(
  (code) => {
    // A command that reports a negative result (verify: rejected) sets its own exit code.
    process.exitCode ??= code;
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error, debug);
  },
);
