import { Option, type Command } from 'commander';
import { PLATFORMS, type LintOptions, type Platform } from '../core/lint/claim-rules.js';
import { parseSignedDuration } from '../core/time/duration.js';
import { parseInstant } from '../core/time/instant.js';
import { CliError } from './cli-error.js';

/** Flags that describe the verifier: which platform, how it is configured, and when it checks. */
export interface InspectionFlags {
  profile: Platform;
  audience?: string;
  issuer?: string;
  kid?: string;
  useridAttr?: string;
  userdirAttr?: string;
  clockTolerance?: string;
  at?: string;
  format: 'text' | 'json';
}

export function addInspectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--profile <platform>', "apply that platform's acceptance rules").choices(PLATFORMS).default('none'))
    .option('--audience <aud>', "QSEoW: the virtual proxy's JWT audience (checked only when given)")
    .option('--issuer <iss>', "Qlik Cloud: the identity provider's issuer")
    .option('--kid <id>', "Qlik Cloud: the identity provider's key ID")
    .option('--userid-attr <claim>', "QSEoW: the virtual proxy's JWT attribute for user ID (default: userId)")
    .option('--userdir-attr <claim>', "QSEoW: the virtual proxy's JWT attribute for user directory (default: userDirectory)")
    .option('--clock-tolerance <duration>', 'leeway for exp, nbf and iat, e.g. 30s (default: 0)')
    .option('--at <time>', 'evaluate time claims at this instant: RFC 3339 or Unix seconds (default: now)')
    .addOption(new Option('--format <format>', 'report as text or JSON {accepted, header, payload, findings}').choices(['text', 'json']).default('text'));
}

export function toLintOptions(flags: InspectionFlags): LintOptions {
  const now = Math.floor(Date.now() / 1000);
  let clockTolerance: number | undefined;
  if (flags.clockTolerance !== undefined) {
    clockTolerance = parseSignedDuration(flags.clockTolerance);
    if (clockTolerance === undefined || clockTolerance < 0) {
      throw new CliError(`--clock-tolerance "${flags.clockTolerance}" is not a duration of zero or more: write e.g. 30s or 2m`);
    }
  }
  let at: number | undefined;
  if (flags.at !== undefined) {
    try {
      at = parseInstant(flags.at, now, 'time');
    } catch (error) {
      throw new CliError(`--at: ${(error as Error).message}`);
    }
  }
  return {
    at,
    clockTolerance,
    audience: flags.audience,
    issuer: flags.issuer,
    keyId: flags.kid,
    userIdAttribute: flags.useridAttr,
    userDirectoryAttribute: flags.userdirAttr,
  };
}
