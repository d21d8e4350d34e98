import { Option, type Command } from 'commander';
import { decodeToken } from '../../core/lint/decode-token.js';
import { claimTimes, type ClaimTime } from '../../core/time/claim-times.js';
import { CliError } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { readTokenArgument } from '../io/token-input.js';
import { runCommand, type RunCommand } from '../command-runner.js';

const NOT_VERIFIED = 'Not verified: decode only reads the token. Check it with qs-jwt verify TOKEN --cert publickey.cer.';

function block(title: string, values: Record<string, unknown>, times: Record<string, ClaimTime>): string[] {
  const width = Math.max(4, ...Object.keys(values).map((name) => name.length));
  return [title, ...Object.entries(values).map(([name, value]) => {
    const time = times[name];
    const shown = time ? `${time.unix}  ${time.iso}  (${time.relative})` : JSON.stringify(value);
    return `  ${name.padEnd(width)}  ${shown}`;
  })];
}

export function buildCommand(): Command {
  return newCommand('decode', 'Show the header and payload of a JWT, with times in Unix seconds, ISO 8601 and relative. Verifies nothing.', [
    'qs-jwt decode eyJhbGciOiJSUzI1NiJ9...',
    'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME | qs-jwt decode -',
    'qs-jwt decode "Bearer eyJ..." --format json',
  ])
    .argument('<token>', 'the token (a "Bearer " prefix and surrounding whitespace are ignored); - reads standard input')
    .addOption(new Option('--format <format>', 'text, or JSON {verified: false, header, payload, times}').choices(['text', 'json']).default('text'))
    .action(async (argument: string, flags: { format: 'text' | 'json' }) => {
      const decoded = decodeToken(await readTokenArgument(argument));
      const problem = decoded.findings.find((item) => item.severity === 'error');
      if (problem || !decoded.header || !decoded.payload) {
        throw new CliError(`${argument === '-' ? 'standard input' : 'the token'} cannot be decoded: ${problem?.message ?? 'not a JWT'} (${problem?.fix ?? ''})`);
      }
      const now = Math.floor(Date.now() / 1000);
      const times = claimTimes(decoded.payload, now);
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify({ verified: false, header: decoded.header, payload: decoded.payload, times }, null, 2)}\n`);
        return;
      }
      const lines = [...block('Header', decoded.header, {}), ...block('Payload', decoded.payload, times), NOT_VERIFIED];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
