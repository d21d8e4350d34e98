import { MAX_TOKEN_LENGTH } from '../../core/lint/decode-token.js';
import { readInput } from './input-file.js';

/**
 * The token argument: the token itself, or `-` for standard input. Read bounded a little past the
 * largest token the decoder takes, so an oversized input is reported by the decoder as a finding.
 */
export async function readTokenArgument(argument: string): Promise<string> {
  if (argument !== '-') return argument;
  return (await readInput('-', 'token', MAX_TOKEN_LENGTH + 1024)).toString('utf8');
}
