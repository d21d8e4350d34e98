import type { Command } from 'commander';
import { decodeToken, signatureShape, type SignatureShape } from '../../core/lint/decode-token.js';
import { claimTimes, TIME_CLAIMS, type ClaimTime } from '../../core/time/claim-times.js';
import { CliError } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { readTokenArgument } from '../io/token-input.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { writeStdout } from '../io/standard-streams.js';

const NOT_VERIFIED =
  'Not verified: decode only reads the token. Check it with qs-jwt verify TOKEN --cert publickey.cer.';

/** `times` is undefined for the header, whose names mean nothing as claims. */
function shownValue(name: string, value: unknown, times: Record<string, ClaimTime> | undefined): string {
  if (times === undefined) return JSON.stringify(value);
  const time = Object.hasOwn(times, name) ? times[name] : undefined;
  if (time) return `${time.unix}  ${time.iso}  (${time.relative})`;
  if ((TIME_CLAIMS as readonly string[]).includes(name) && typeof value === 'number')
    return `${JSON.stringify(value)}  (out of range: not a time in Unix seconds)`;
  return JSON.stringify(value);
}

function block(title: string, values: Readonly<Record<string, unknown>>, times?: Record<string, ClaimTime>): string[] {
  const width = Math.max(4, ...Object.keys(values).map((name) => name.length));
  return [
    title,
    ...Object.entries(values).map(([name, value]) => `  ${name.padEnd(width)}  ${shownValue(name, value, times)}`),
  ];
}

/** What the signature part is, said plainly; nothing for a signature that is merely present (and unchecked). */
const SIGNATURE_NOTES: Readonly<Record<SignatureShape, string | undefined>> = {
  unsigned: 'Unsigned: alg is "none", so anyone can write this token; Qlik never accepts it (QJ010).',
  empty: 'No signature: the signature part is empty; Qlik will not accept the token.',
  malformed: 'The signature part is not base64url: the token is damaged or truncated.',
  present: undefined,
};

export function buildCommand(): Command {
  const command = newCommand(
    'decode',
    'Show the header and payload of a JWT, with times in Unix seconds, ISO 8601 and relative. Verifies nothing.',
    [
      'qs-jwt decode eyJhbGciOiJSUzI1NiJ9...',
      'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME | qs-jwt decode -',
      'qs-jwt decode "Bearer eyJ..." --format json',
    ],
  ).argument(
    '<token>',
    'the token (a "Bearer " prefix and surrounding whitespace are ignored); - reads standard input',
  );
  addSettings(command, [
    {
      setting: SETTINGS.format,
      choices: ['text', 'json'],
      note: 'text, or JSON {verified: false, signature, header, payload, times}',
    },
  ]);
  return command.action(async (argument: string, _flags: unknown, self: Command) => {
    resolveSettings(self);
    const flags = self.opts<{ format: 'text' | 'json' }>();
    const decoded = decodeToken(await readTokenArgument(argument));
    // Only an unreadable header or payload stops decode: it shows unsigned and damaged signatures as such.
    if (!decoded.header || !decoded.payload) {
      const problem = decoded.findings.find((item) => item.severity === 'error');
      throw new CliError(
        `${argument === '-' ? 'standard input' : 'the token'} cannot be decoded: ${problem?.message ?? 'not a JWT'} (${problem?.fix ?? ''})`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const times = claimTimes(decoded.payload, now);
    const signature = signatureShape(decoded);
    if (flags.format === 'json') {
      const report = { verified: false, signature, header: decoded.header, payload: decoded.payload, times };
      writeStdout(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const note = SIGNATURE_NOTES[signature];
    const lines = [
      ...block('Header', decoded.header),
      ...block('Payload', decoded.payload, times),
      ...(note ? [note] : []),
      NOT_VERIFIED,
    ];
    writeStdout(`${lines.join('\n')}\n`);
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
