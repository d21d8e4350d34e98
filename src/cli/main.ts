import { readFileSync } from 'node:fs';
import { COMMANDS, commandsInGroup, findCommand, type CommandEntry } from './command-registry.js';
import { CliError, EXIT } from './cli-error.js';
import { reportFailure } from './report-failure.js';

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
    '  -h, --help       help for qs-jwt or any command (qs-jwt create qseow --help)',
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
declare const QSJWT_VERSION: string | undefined;

function version(): string {
  if (typeof QSJWT_VERSION === 'string') return QSJWT_VERSION;
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const debug = process.argv.includes('--debug');

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((arg) => arg !== '--debug');
  const [first] = args;
  if (first === undefined) throw new CliError('no command given: run qs-jwt --help to see the commands');
  if (first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(topLevelHelp());
    return EXIT.ok;
  }
  if (first === '-V' || first === '--version') {
    process.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const found = findCommand(args);
  if (!found) {
    const group = commandsInGroup(first);
    if (group.length > 0 && (args.includes('--help') || args.includes('-h'))) {
      const lines = group.map((entry) => `  qs-jwt ${entry.words.join(' ').padEnd(14)} ${entry.summary}`);
      process.stdout.write([`Usage: qs-jwt ${first} <command> [options]`, '', ...lines, ''].join('\n'));
      return EXIT.ok;
    }
    if (group.length > 0 && (args.length === 1 || args[1]?.startsWith('-'))) {
      const names = group.map((entry) => `qs-jwt ${entry.words.join(' ')}`).join(' or ');
      throw new CliError(`qs-jwt ${first} needs a command: ${names} (see qs-jwt ${first} --help)`);
    }
    const words = group.length > 0 ? `${first} ${args[1] ?? ''}`.trim() : first;
    throw new CliError(`unknown command "${words}": run qs-jwt --help for the list`);
  }
  const { run } = await found.entry.load();
  return run(found.rest, debug);
}

// A reader that stops early (`qs-jwt … | head`) closes the pipe: that ends the command quietly, as in
// any Unix tool, instead of an unhandled EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    // A command that reports a negative result (verify: rejected) sets its own exit code.
    process.exitCode ??= code;
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error, debug);
  },
);
