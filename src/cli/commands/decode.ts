import type { Command } from 'commander';
import { decodeToken, signatureShape, type SignatureShape } from '../../core/lint/decode-token.js';
import { isPlausibleSeconds } from '../../core/time/duration.js';
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

/** Null prototype: a claim named "constructor" or "__proto__" must find nothing here, not Object's. */
function timeClaims(payload: Record<string, unknown>, now: number): Record<string, TimeClaim> {
  const times = Object.create(null) as Record<string, TimeClaim>;
  for (const claim of TIME_CLAIMS) {
    const value = payload[claim];
    if (typeof value !== 'number' || !isPlausibleSeconds(value)) continue;
    const phrase = value > now ? PHRASES[claim].future : PHRASES[claim].past;
    times[claim] = { unix: value, iso: isoTime(value), relative: `${phrase} ${relativeTime(value, now)}` };
  }
  return times;
}

/** `times` is undefined for the header, whose names mean nothing as claims. */
function shownValue(name: string, value: unknown, times: Record<string, TimeClaim> | undefined): string {
  if (times === undefined) return JSON.stringify(value);
  const time = Object.hasOwn(times, name) ? times[name] : undefined;
  if (time) return `${time.unix}  ${time.iso}  (${time.relative})`;
  if ((TIME_CLAIMS as readonly string[]).includes(name) && typeof value === 'number') return `${JSON.stringify(value)}  (out of range: not a time in Unix seconds)`;
  return JSON.stringify(value);
}

function block(title: string, values: Readonly<Record<string, unknown>>, times?: Record<string, TimeClaim>): string[] {
  const width = Math.max(4, ...Object.keys(values).map((name) => name.length));
  return [title, ...Object.entries(values).map(([name, value]) => `  ${name.padEnd(width)}  ${shownValue(name, value, times)}`)];
}

/** What the signature part is, said plainly; nothing for a signature that is merely present (and unchecked). */
const SIGNATURE_NOTES: Readonly<Record<SignatureShape, string | undefined>> = {
  unsigned: 'Unsigned: alg is "none", so anyone can write this token; Qlik never accepts it (QJ010).',
  empty: 'No signature: the signature part is empty; Qlik will not accept the token.',
  malformed: 'The signature part is not base64url: the token is damaged or truncated.',
  present: undefined,
};

export function buildCommand(): Command {
  const command = newCommand('decode', 'Show the header and payload of a JWT, with times in Unix seconds, ISO 8601 and relative. Verifies nothing.', [
    'qs-jwt decode eyJhbGciOiJSUzI1NiJ9...',
    'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME | qs-jwt decode -',
    'qs-jwt decode "Bearer eyJ..." --format json',
  ])
    .argument('<token>', 'the token (a "Bearer " prefix and surrounding whitespace are ignored); - reads standard input');
  addSettings(command, [{ setting: SETTINGS.format, choices: ['text', 'json'], note: 'text, or JSON {verified: false, signature, header, payload, times}' }]);
  return command.action(async (argument: string, _flags: unknown, self: Command) => {
      resolveSettings(self);
      const flags = self.opts<{ format: 'text' | 'json' }>();
      const decoded = decodeToken(await readTokenArgument(argument));
      // Only an unreadable header or payload stops decode: it shows unsigned and damaged signatures as such.
      if (!decoded.header || !decoded.payload) {
        const problem = decoded.findings.find((item) => item.severity === 'error');
        throw new CliError(`${argument === '-' ? 'standard input' : 'the token'} cannot be decoded: ${problem?.message ?? 'not a JWT'} (${problem?.fix ?? ''})`);
      }
      const now = Math.floor(Date.now() / 1000);
      const times = timeClaims(decoded.payload, now);
      const signature = signatureShape(decoded);
      if (flags.format === 'json') {
        const report = { verified: false, signature, header: decoded.header, payload: decoded.payload, times };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const note = SIGNATURE_NOTES[signature];
      const lines = [...block('Header', decoded.header), ...block('Payload', decoded.payload, times), ...(note ? [note] : []), NOT_VERIFIED];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
