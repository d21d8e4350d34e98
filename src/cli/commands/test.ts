import { Option, type Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { QsJwtError } from '../../core/errors.js';
import { requireRsaAlgorithm, RSA_ALGORITHMS } from '../../core/jose/algorithms.js';
import { loadPublicKey } from '../../core/keys/key-input.js';
import type { LintOptions } from '../../core/lint/claim-rules.js';
import { lintToken, verifyToken, type InspectionResult } from '../../core/lint/verify-token.js';
import { diagnose } from '../../probe/diagnosis.js';
import type { ProbeReport } from '../../probe/probe-step.js';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import { createQseowToken } from '../../core/qlik/qseow-token.js';
import { parseSignedDuration } from '../../core/time/duration.js';
import { CliError, EXIT } from '../cli-error.js';
import { collect, newCommand, offerValues } from '../command-setup.js';
import { loadProfile, profilePath, type LoadedProfile } from '../config/config-file.js';
import { addProfileOptions, applyProfile } from '../config/profile-options.js';
import { readInput } from '../io/input-file.js';
import { addPrivateKeyOptions, resolvePassphrase, resolvePrivateKey, type PrivateKeyFlags } from '../io/private-key-options.js';
import { readTokenArgument } from '../io/token-input.js';
import type { TlsSettings } from '../../probe/client/http-client.js';
import type { ProbeOutcome } from '../../probe/client/probe-run.js';
import { reportTail, stepLine } from '../probe-report.js';
import { runCommand, type RunCommand } from '../command-runner.js';

/**
 * qs-jwt test: sends a token to a real (or emulated) Qlik server the way clients do and reports each
 * step. On a refusal it lints the token locally and names the likely cause. The flows live in
 * src/probe/client (network) and src/probe (data, parsing, diagnosis); this file resolves flags,
 * profile and token, and prints.
 */

interface CommonFlags extends PrivateKeyFlags {
  token?: string;
  profile?: string;
  config?: string;
  cert?: string;
  ca?: string;
  insecure?: boolean;
  timeout: string;
  format: 'text' | 'json';
  expires?: string;
  alg: string;
  clockTolerance?: string;
  groups?: string[];
  name?: string;
  email?: string;
}

interface QseowFlags extends CommonFlags {
  server?: string;
  prefix: string;
  userid?: string;
  userdir?: string;
  useridAttr?: string;
  userdirAttr?: string;
  groupsAttr?: string;
  audience?: string;
}

interface CloudFlags extends CommonFlags {
  tenant?: string;
  sub?: string;
  issuer?: string;
  kid?: string;
}

const MAX_TIMEOUT_MS = 600_000;

function addCommonOptions(command: Command): Command {
  command.option('--token <token>', 'the token to send; - reads standard input (else one is minted from --key and the user flags)');
  addPrivateKeyOptions(command);
  addProfileOptions(command);
  return command
    .addOption(new Option('--expires <when>', 'lifetime of a minted token (default: 1h qseow, 5m cloud)').env('QSJWT_EXPIRES'))
    .addOption(offerValues(new Option('--alg <alg>', 'algorithm of a minted token'), RSA_ALGORITHMS).default('RS256').env('QSJWT_ALG'))
    .option('--name <name>', 'name claim of a minted token')
    .option('--email <email>', 'email claim of a minted token')
    .option('--groups <group...>', 'groups of a minted token (space-separated and repeatable)', (value: string, previous: string[] | undefined) => collect(value, previous))
    .option('--cert <file>', "the certificate configured in Qlik: after a refusal the signature is checked locally too")
    .addOption(new Option('--clock-tolerance <duration>', 'leeway for the local check of exp and nbf (default 0)').env('QSJWT_CLOCK_TOLERANCE'))
    .option('--ca <file>', 'PEM CA certificate(s) to trust for HTTPS (a private CA or the server certificate itself)')
    .option('--insecure', 'do not verify the server certificate (test servers only; a warning is printed)')
    .option('--timeout <duration>', 'per request and engine call, e.g. 10s, 500ms', '10s')
    .addOption(new Option('--format <format>', 'text: one line per step; json: {ok, steps, user, lint?, refusal?, diagnosis?}').choices(['text', 'json']).default('text'));
}

function parseTimeout(value: string): number {
  const milliseconds = /^\s*(\d{1,9})\s*ms\s*$/i.exec(value);
  const ms = milliseconds ? Number(milliseconds[1]) : (parseSignedDuration(value) ?? Number.NaN) * 1000;
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS) throw new CliError(`--timeout "${value}" is not a duration from 1ms to 10m: write e.g. 10s, 30s or 500ms`);
  return ms;
}

function parseBaseUrl(value: string | undefined, flag: string, example: string): URL {
  if (value === undefined) throw new CliError(`${flag} is required: the server's URL, e.g. ${example}`);
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `https://${value}`);
  } catch {
    throw new CliError(`${flag} "${value}" is not a URL: write e.g. ${example}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CliError(`${flag} "${value}": only https:// and http:// are supported`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') throw new CliError(`${flag} "${value}": give the base URL only, without query, fragment or credentials`);
  return url;
}

async function tlsSettings(flags: CommonFlags): Promise<TlsSettings> {
  if (flags.ca !== undefined && flags.insecure) throw new CliError('--ca and --insecure given: --ca verifies against that certificate, --insecure verifies nothing; choose one');
  let ca: string | undefined;
  if (flags.ca !== undefined) {
    ca = (await readInput(flags.ca, '--ca')).toString('utf8');
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new CliError(`--ca ${flags.ca}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
  }
  if (flags.insecure) process.stderr.write('qs-jwt test: warning: --insecure: the server certificate is not verified, so anyone in between can read the token; use it only against test servers\n');
  return { ca, insecure: flags.insecure === true };
}

/** The token given (--token, or - for stdin), with any "Bearer " prefix and surrounding whitespace removed. */
async function givenToken(flags: CommonFlags): Promise<string | undefined> {
  if (flags.token === undefined) return undefined;
  if (flags.key !== undefined || flags.keyEnv !== undefined) throw new CliError('--token and --key given: send the token you have (--token), or mint one (--key), not both');
  const token = (await readTokenArgument(flags.token)).trim().replace(/^Bearer\s+/i, '').trim();
  if (token === '') throw new CliError('--token is empty: pass the token, or - to read it from standard input');
  return token;
}

function minted<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`cannot mint the token: ${error.message}`);
    throw error;
  }
}

async function checkKey(flags: CommonFlags, loaded: LoadedProfile | undefined): Promise<KeyObject | undefined> {
  const file = flags.cert ?? (loaded?.profile.certFile && profilePath(loaded, loaded.profile.certFile));
  if (file === undefined) return undefined;
  const label = flags.cert !== undefined ? '--cert' : 'profile certFile';
  const source = await readInput(file, label);
  try {
    return loadPublicKey(source, { unchecked: true, passphrase: await resolvePassphrase(flags) });
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`${label} ${file}: ${error.message}`);
    throw error;
  }
}

function clockTolerance(flags: CommonFlags): number | undefined {
  if (flags.clockTolerance === undefined) return undefined;
  const seconds = parseSignedDuration(flags.clockTolerance);
  if (seconds === undefined || seconds < 0) throw new CliError(`--clock-tolerance "${flags.clockTolerance}" is not a duration of zero or more: write e.g. 30s`);
  return seconds;
}

/** Runs the probe, then (after a refusal) the local check and the diagnosis; prints; sets the exit code. */
async function report<User extends ProbeReport['user']>(
  platform: 'qseow' | 'cloud',
  flags: CommonFlags,
  token: string,
  key: KeyObject | undefined,
  lintOptions: LintOptions,
  given: { audience: boolean; userAttributes: boolean; issuer: boolean; keyId: boolean },
  probe: (onStep: ((step: ProbeReport['steps'][number]) => void) | undefined) => Promise<ProbeOutcome<NonNullable<User>>>,
): Promise<void> {
  const text = flags.format === 'text';
  const outcome = await probe(text ? (step) => process.stdout.write(stepLine(step)) : undefined);
  const ok = outcome.steps.length > 0 && outcome.steps.every((step) => step.ok);
  const result: ProbeReport = { ok, steps: outcome.steps, user: outcome.user };
  let lint: InspectionResult | undefined;
  const at = Math.floor(Date.now() / 1000);
  if (outcome.refusal) {
    const options = { ...lintOptions, at };
    lint = key ? verifyToken(token, { ...options, platform, keys: key }) : lintToken(token, platform, options);
    result.lint = { accepted: lint.accepted, signatureValid: lint.signatureValid ?? null, findings: lint.findings };
    result.refusal = outcome.refusal;
    result.diagnosis = diagnose(platform, lint.findings, outcome.refusal, { ...given, signatureChecked: key !== undefined });
  }
  process.stdout.write(text ? reportTail(result, platform, lint, at) : `${JSON.stringify(result, null, 2)}\n`);
  // A failure below HTTP (TLS, refused connection, timeout) is also the one error line on stderr.
  const broken = outcome.steps.find((step) => !step.ok && step.status === null && step.name !== 'GetAuthenticatedUser');
  if (broken) process.stderr.write(`qs-jwt test: error: ${broken.detail}\n`);
  process.exitCode = ok ? EXIT.ok : EXIT.failure;
}

/**
 * The profile named by --profile/QSJWT_PROFILE, applied under flags and environment. Like useProfile,
 * with the error worded for `qs-jwt test qseow|cloud` (useProfile names the command from its own name).
 */
async function testProfile(command: Command, platform: 'qseow' | 'cloud'): Promise<LoadedProfile | undefined> {
  const { profile: name, config } = command.opts<{ profile?: string; config?: string }>();
  if (name === undefined) return undefined;
  const loaded = await loadProfile(name, config);
  const other = loaded.profile.platform;
  if (other !== undefined && other !== platform) throw new CliError(`--profile ${name} is for ${other} (${loaded.file}): use it with qs-jwt test ${other}`);
  applyProfile(command, loaded);
  return loaded;
}

function given(command: Command, name: string): boolean {
  return command.getOptionValue(name) !== undefined;
}

function buildQseow(): Command {
  const command = newCommand('test qseow', 'Send a token to a QSEoW virtual proxy as clients do (QRS, QPS, engine websocket) and report each step. Exit 0 all passed, 1 a step failed or was refused, 2 usage.', [
    'qs-jwt test qseow --server https://qlik.example.com --prefix jwt --token "$TOKEN"',
    'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME | qs-jwt test qseow --server https://qlik.example.com --token -',
    'qs-jwt test qseow --server https://qlik.example.com --key privatekey.pem --userid anna --userdir ACME --cert publickey.cer',
    'qs-jwt test qseow --profile prod --server https://qlik.example.com --userid anna --userdir ACME --ca corp-ca.pem',
    'qs-jwt test qseow --server https://127.0.0.1:8443 --insecure --token "$TOKEN" --format json   # emulate --tls',
  ]).name('qseow');
  command
    .option('--server <url>', 'the Qlik Sense server, e.g. https://qlik.example.com')
    .option('--prefix <prefix>', 'the JWT virtual proxy prefix ("" for none)', 'jwt')
    .option('--userid <id>', 'user ID of a minted token')
    .option('--userdir <directory>', 'user directory of a minted token')
    .addOption(new Option('--userid-attr <claim>', "the virtual proxy's JWT attribute for user ID (default userId)").env('QSJWT_USERID_ATTR'))
    .addOption(new Option('--userdir-attr <claim>', "the virtual proxy's JWT attribute for user directory (default userDirectory)").env('QSJWT_USERDIR_ATTR'))
    .addOption(new Option('--groups-attr <claim>', 'claim name for the groups of a minted token (default groups)').env('QSJWT_GROUPS_ATTR'))
    .addOption(new Option('--audience <aud>', "the virtual proxy's JWT audience (minted into the token, and checked locally)").env('QSJWT_AUDIENCE'));
  addCommonOptions(command);
  return command.action(async (_flags: QseowFlags, self: Command) => {
    const loaded = await testProfile(self, 'qseow');
    const flags = self.opts<QseowFlags>();
    const server = parseBaseUrl(flags.server, '--server', 'https://qlik.example.com');
    const prefix = flags.prefix.replace(/^\/+|\/+$/g, '');
    if (!/^[A-Za-z0-9._~-]*$/.test(prefix)) throw new CliError(`--prefix "${flags.prefix}": a virtual proxy prefix is one path segment, e.g. jwt`);
    const timeoutMs = parseTimeout(flags.timeout);
    const lintOptions: LintOptions = {
      clockTolerance: clockTolerance(flags),
      userIdAttribute: flags.useridAttr,
      userDirectoryAttribute: flags.userdirAttr,
      audience: flags.audience,
    };
    let token = await givenToken(flags);
    if (token === undefined) {
      if (flags.userid === undefined || flags.userdir === undefined) {
        throw new CliError('no token: pass --token TOKEN (or --token - for standard input), or --key FILE with --userid and --userdir to mint one');
      }
      const privateKey = await resolvePrivateKey(flags, { profileKeyFile: loaded?.profile.keyFile && profilePath(loaded, loaded.profile.keyFile) });
      const { userid, userdir } = flags;
      token = minted(() => createQseowToken({
        privateKey, algorithm: requireRsaAlgorithm(flags.alg), userId: userid, userDirectory: userdir,
        userIdAttribute: flags.useridAttr, userDirectoryAttribute: flags.userdirAttr, groupsAttribute: flags.groupsAttr,
        name: flags.name, email: flags.email, groups: flags.groups, audience: flags.audience, expires: flags.expires,
      }).token);
    }
    const key = await checkKey(flags, loaded);
    const tls = await tlsSettings(flags);
    const { probeQseow } = await import('../../probe/client/qseow-probe.js');
    const settings = { server, prefix, token, timeoutMs, tls };
    await report('qseow', flags, token, key, lintOptions,
      { audience: given(self, 'audience'), userAttributes: given(self, 'useridAttr') || given(self, 'userdirAttr'), issuer: false, keyId: false },
      (onStep) => probeQseow({ ...settings, onStep }));
  });
}

function buildCloud(): Command {
  const command = newCommand('test cloud', "Log in to a Qlik Cloud tenant with a token (POST /login/jwt-session), fetch the CSRF token and users/me, and print the user Qlik resolved. Exit 0 all passed, 1 a step failed or was refused, 2 usage.", [
    'qs-jwt test cloud --tenant https://acme.eu.qlikcloud.com --token "$TOKEN"',
    'qs-jwt test cloud --tenant https://acme.eu.qlikcloud.com --key privatekey.pem --sub anna --name "Anna A" --email anna@acme.com --issuer https://idp.acme.com --kid my-key-id',
    'qs-jwt test cloud --profile cloud --tenant https://acme.eu.qlikcloud.com --sub anna --name "Anna A" --email anna@acme.com --format json',
  ]).name('cloud');
  command
    .option('--tenant <url>', 'the tenant, e.g. https://acme.eu.qlikcloud.com')
    .option('--sub <subject>', 'sub of a minted token')
    .addOption(new Option('--issuer <iss>', "the identity provider's issuer (minted into the token, and checked locally)").env('QSJWT_ISSUER'))
    .addOption(new Option('--kid <id>', "the identity provider's key ID (minted into the token, and checked locally)").env('QSJWT_KID'));
  addCommonOptions(command);
  return command.action(async (_flags: CloudFlags, self: Command) => {
    const loaded = await testProfile(self, 'cloud');
    const flags = self.opts<CloudFlags>();
    const tenant = parseBaseUrl(flags.tenant, '--tenant', 'https://acme.eu.qlikcloud.com');
    const timeoutMs = parseTimeout(flags.timeout);
    const lintOptions: LintOptions = { clockTolerance: clockTolerance(flags), issuer: flags.issuer, keyId: flags.kid };
    let token = await givenToken(flags);
    if (token === undefined) {
      const missing = (['sub', 'name', 'email', 'issuer', 'kid'] as const).filter((name) => flags[name] === undefined);
      if (missing.length > 0) {
        throw new CliError(`no token: pass --token TOKEN (or --token - for standard input), or --key FILE with ${missing.map((name) => `--${name}`).join(', ')} to mint one`);
      }
      const privateKey = await resolvePrivateKey(flags, { profileKeyFile: loaded?.profile.keyFile && profilePath(loaded, loaded.profile.keyFile) });
      token = minted(() => createCloudToken({
        privateKey, algorithm: requireRsaAlgorithm(flags.alg), subject: flags.sub ?? '', name: flags.name ?? '', email: flags.email ?? '',
        issuer: flags.issuer ?? '', keyId: flags.kid ?? '', groups: flags.groups, expires: flags.expires,
      }).token);
    }
    const key = await checkKey(flags, loaded);
    const tls = await tlsSettings(flags);
    const { probeCloud } = await import('../../probe/client/cloud-probe.js');
    const settings = { tenant, token, timeoutMs, tls };
    await report('cloud', flags, token, key, lintOptions,
      { audience: false, userAttributes: false, issuer: given(self, 'issuer'), keyId: given(self, 'kid') },
      (onStep) => probeCloud({ ...settings, onStep }));
  });
}

export function buildCommand(): Command {
  const command = newCommand('test', 'Send a token to a Qlik server (or qs-jwt emulate) the way clients do, report each step, and explain a refusal.', [
    'qs-jwt test qseow --server https://qlik.example.com --prefix jwt --token "$TOKEN"',
    'qs-jwt test cloud --tenant https://acme.eu.qlikcloud.com --token "$TOKEN"',
  ]);
  command.addCommand(buildQseow());
  command.addCommand(buildCloud());
  return command.action(() => {
    throw new CliError('say what to test: qs-jwt test qseow --server URL … or qs-jwt test cloud --tenant URL …');
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
