import type { Command } from 'commander';
import { decodeToken } from '../../core/lint/decode-token.js';
import { relativeTime } from '../../core/time/relative-time.js';
import { isoTime } from '../../core/time/token-window.js';
import { CliError } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { readTokenArgument } from '../io/token-input.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { runCommand, type RunCommand } from '../command-runner.js';

const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;
const NOT_VERIFIED = 'Not verified: decode only reads the token. Check it with qs-jwt verify TOKEN --cert publickey.cer.';

interface TimeClaim {
  unix: number;
  iso: string;
  relative: string;
}

const PHRASES: Record<(typeof TIME_CLAIMS)[number], { future: string; past: string }> = {
  iat: { future: 'issued (in the future)', past: 'issued' },
  nbf: { future: 'becomes valid', past: 'valid since' },
  exp: { future: 'expires', past: 'expired' },
};

function timeClaims(payload: Record<string, unknown>, now: number): Record<string, TimeClaim> {
  const times: Record<string, TimeClaim> = {};
  for (const claim of TIME_CLAIMS) {
    const value = payload[claim];
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) >= 1e11) continue;
    const phrase = value > now ? PHRASES[claim].future : PHRASES[claim].past;
    times[claim] = { unix: value, iso: isoTime(value), relative: `${phrase} ${relativeTime(value, now)}` };
  }
  return times;
}

function block(title: string, values: Record<string, unknown>, times: Record<string, TimeClaim>): string[] {
  const width = Math.max(4, ...Object.keys(values).map((name) => name.length));
  return [title, ...Object.entries(values).map(([name, value]) => {
    const time = times[name];
    const shown = time ? `${time.unix}  ${time.iso}  (${time.relative})` : JSON.stringify(value);
    return `  ${name.padEnd(width)}  ${shown}`;
  })];
}

export function buildCommand(): Command {
  const command = newCommand('decode', 'Show the header and payload of a JWT, with times in Unix seconds, ISO 8601 and relative. Verifies nothing.', [
    'qs-jwt decode eyJhbGciOiJSUzI1NiJ9...',
    'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME | qs-jwt decode -',
    'qs-jwt decode "Bearer eyJ..." --format json',
  ])
    .argument('<token>', 'the token (a "Bearer " prefix and surrounding whitespace are ignored); - reads standard input');
  addSettings(command, [{ setting: SETTINGS.format, choices: ['text', 'json'], note: 'text, or JSON {verified: false, header, payload, times}' }]);
  return command.action(async (argument: string, _flags: unknown, self: Command) => {
      resolveSettings(self);
      const flags = self.opts<{ format: 'text' | 'json' }>();
      const decoded = decodeToken(await readTokenArgument(argument));
      const problem = decoded.findings.find((item) => item.severity === 'error');
      if (problem || !decoded.header || !decoded.payload) {
        throw new CliError(`${argument === '-' ? 'standard input' : 'the token'} cannot be decoded: ${problem?.message ?? 'not a JWT'} (${problem?.fix ?? ''})`);
      }
      const now = Math.floor(Date.now() / 1000);
      const times = timeClaims(decoded.payload, now);
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify({ verified: false, header: decoded.header, payload: decoded.payload, times }, null, 2)}\n`);
        return;
      }
      const lines = [...block('Header', decoded.header, {}), ...block('Payload', decoded.payload, times), NOT_VERIFIED];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
