import { finding, type Finding } from './rules.js';

/**
 * The `crit` header (RFC 7515 §4.1.11): extensions the verifier must understand and apply, or refuse
 * the token. This verifier understands none, so a well-formed `crit` is refused too — among them RFC
 * 7797's `b64: false`, under which the signature covers the raw payload, not the one decoded here.
 */

/** Header names the JWS and JWA specifications define for JWS: §4.1.11 forbids listing them in crit. */
const REGISTERED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'alg',
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'typ',
  'cty',
  'crit',
]);

/** Enough of a name to recognise it, never a whole oversized header in a message. */
function shown(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}

/** Why a crit value breaks §4.1.11, or undefined when it is a well-formed list of extension names. */
function malformation(crit: unknown, header: Readonly<Record<string, unknown>>): string | undefined {
  if (!Array.isArray(crit)) return `crit is ${crit === null ? 'null' : typeof crit}, not an array of header names`;
  if (crit.length === 0) return 'crit is an empty array';
  const seen = new Set<string>();
  for (const name of crit as unknown[]) {
    if (typeof name !== 'string')
      return `crit lists ${JSON.stringify(name)?.slice(0, 40) ?? typeof name}, not a header name`;
    if (seen.has(name)) return `crit lists ${shown(name)} twice`;
    seen.add(name);
    if (REGISTERED_HEADER_NAMES.has(name)) return `crit lists ${shown(name)}, a header defined by JWS itself`;
    if (!Object.hasOwn(header, name)) return `crit lists ${shown(name)}, which is not in the header`;
  }
  return undefined;
}

export function criticalHeaderFindings(header: Readonly<Record<string, unknown>>): Finding[] {
  if (!Object.hasOwn(header, 'crit')) return [];
  const crit = header['crit'];
  const problem = malformation(crit, header);
  if (problem !== undefined) return [finding('QJ007', problem)];
  const names = (crit as string[]).slice(0, 5).map(shown).join(', ');
  return [finding('QJ006', `${names}${(crit as string[]).length > 5 ? ', …' : ''}`)];
}
