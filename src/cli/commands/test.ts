import type { Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { QsJwtError } from '../../core/errors.js';
import { loadPublicKey } from '../../core/keys/key-input.js';
import type { LintOptions } from '../../core/lint/claim-rules.js';
import { lintToken, verifyToken, type InspectionResult } from '../../core/lint/verify-token.js';
import { diagnose } from '../../probe/diagnosis.js';
import type { ProbeReport, ProbeStep } from '../../probe/probe-step.js';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import { createQseowToken } from '../../core/qlik/qseow-token.js';
import type { RsaAlgorithm } from '../../core/jose/algorithms.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { readInput } from '../io/input-file.js';
import { keyFailure, PRIVATE_KEY_SETTINGS, resolvePassphrase, resolvePrivateKey } from '../io/private-key-options.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveCommandSettings } from '../settings/command-settings.js';
import type { ResolvedSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { isLoopbackHost } from '../loopback-host.js';
import { readTokenArgument } from '../io/token-input.js';
import type { TlsSettings } from '../../probe/client/http-client.js';
import type { ProbeOutcome } from '../../probe/client/probe-run.js';
import { reportTail, stepLine } from '../probe-report.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { writeStderr, writeStdout } from '../io/standard-streams.js';

/**
 * qs-jwt test: sends a token to a real (or emulated) Qlik server the way clients do and reports each
 * step. On a refusal it lints the token locally and names the likely cause. The flows live in
 * src/probe/client (network) and src/probe (data, parsing, diagnosis); this file resolves flags,
 * profile and token, and prints.
 */

interface CommonFlags {
  token?: string;
  cert?: string;
  ca?: string;
  insecure?: boolean;
  timeout: number;
  format: 'text' | 'json';
  expires?: string;
  alg: RsaAlgorithm;
  clockTolerance?: number;
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

function addCommonOptions(command: Command): Command {
  return addSettings(command, [
    { setting: SETTINGS.token, note: 'the token to send (else one is minted from --key and the user flags)' },
    SETTINGS.profile,
    SETTINGS.config,
    ...PRIVATE_KEY_SETTINGS,
    { setting: SETTINGS.expires, note: 'default: 1h qseow, 5m cloud' },
    SETTINGS.alg,
    SETTINGS.name,
    SETTINGS.email,
    SETTINGS.groups,
    { setting: SETTINGS.cert, note: 'after a refusal the signature is checked locally too' },
    { setting: SETTINGS.clockTolerance, note: 'for the local check' },
    SETTINGS.ca,
    SETTINGS.insecure,
    { setting: SETTINGS.timeout, note: 'also for each engine call' },
    {
      setting: SETTINGS.format,
      choices: ['text', 'json'],
      note: 'text: one line per step; json: {ok, steps, user, lint?, refusal?, diagnosis?}',
    },
  ]);
}

function parseBaseUrl(value: string | undefined, flag: string, example: string): URL {
  if (value === undefined) throw new CliError(`${flag} is required: the server's URL, e.g. ${example}`);
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `https://${value}`);
  } catch {
    throw new CliError(`${flag} "${value}" is not a URL: write e.g. ${example}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new CliError(`${flag} "${value}": only https:// and http:// are supported`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw new CliError(`${flag} "${value}": give the base URL only, without query, fragment or credentials`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    writeStderr(
      `qs-jwt test: warning: ${flag} ${url.origin} is plain http: the token travels in clear ` +
        'text, so anyone on the network can read and reuse it; use https:// (plain http only for local test ' +
        'servers)\n',
    );
  }
  return url;
}

async function tlsSettings(flags: CommonFlags): Promise<TlsSettings> {
  if (flags.ca !== undefined && flags.insecure)
    throw new CliError(
      '--ca and --insecure given: --ca verifies against that certificate, --insecure verifies nothing; choose one',
    );
  let ca: string | undefined;
  if (flags.ca !== undefined) {
    ca = (await readInput(flags.ca, '--ca')).toString('utf8');
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new CliError(`--ca ${flags.ca}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
  }
  if (flags.insecure)
    writeStderr(
      'qs-jwt test: warning: --insecure: the server certificate is not verified, so anyone in between can read the token; use it only against test servers\n',
    );
  return { ca, insecure: flags.insecure === true };
}

/** The token given (--token, or - for stdin), with any "Bearer " prefix and surrounding whitespace removed. */
async function givenToken(flags: CommonFlags, settings: ResolvedSettings): Promise<string | undefined> {
  if (flags.token === undefined) return undefined;
  if (settings.source('key')?.kind === 'flag' || settings.given('keyEnv'))
    throw new CliError('--token and --key given: send the token you have (--token), or mint one (--key), not both');
  const token = (await readTokenArgument(flags.token))
    .trim()
    .replace(/^Bearer\s+/i, '')
    .trim();
  if (token === '') throw new CliError('--token is empty: pass the token, or - to read it from standard input');
  return token;
}

async function checkKey(settings: ResolvedSettings): Promise<KeyObject | undefined> {
  const file = settings.get<string>('cert');
  if (file === undefined) return undefined;
  const label = settings.origin('cert') ?? '--cert';
  const source = await readInput(file, label);
  try {
    return loadPublicKey(source, { unchecked: true, passphrase: await resolvePassphrase(settings) });
  } catch (error) {
    if (error instanceof QsJwtError) throw keyFailure(`${label} ${file}`, error);
    throw error;
  }
}

/** A step that failed without any HTTP answer (TLS, refused connection, timeout); engine calls have none either. */
function isBelowHttp(step: ProbeStep): boolean {
  return !step.ok && step.status === null && step.name !== 'GetAuthenticatedUser';
}

/** Runs the probe, then (after a refusal) the local check and the diagnosis; prints; sets the exit code. */
async function report<User extends ProbeReport['user']>(
  platform: 'qseow' | 'cloud',
  flags: CommonFlags,
  token: string,
  key: KeyObject | undefined,
  lintOptions: LintOptions,
  given: { audience: boolean; userAttributes: boolean; issuer: boolean; keyId: boolean },
  probe: (
    onStep: ((step: ProbeReport['steps'][number]) => void) | undefined,
  ) => Promise<ProbeOutcome<NonNullable<User>>>,
): Promise<void> {
  const text = flags.format === 'text';
  // A failure below HTTP is reported once, as the error line on stderr below; its step line points there.
  const printStep = (step: ProbeStep): void => {
    const shown = isBelowHttp(step) ? { ...step, detail: 'no HTTP answer: see the error line' } : step;
    writeStdout(stepLine(shown));
  };
  const outcome = await probe(text ? printStep : undefined);
  const ok = outcome.steps.length > 0 && outcome.steps.every((step) => step.ok);
  const result: ProbeReport = { ok, steps: outcome.steps, user: outcome.user };
  let lint: InspectionResult | undefined;
  const at = Math.floor(Date.now() / 1000);
  if (outcome.refusal) {
    const options = { ...lintOptions, at };
    lint = key ? verifyToken(token, { ...options, platform, keys: key }) : lintToken(token, platform, options);
    result.lint = { accepted: lint.accepted, signatureValid: lint.signatureValid ?? null, findings: lint.findings };
    result.refusal = outcome.refusal;
    const settings = { ...given, signatureChecked: key !== undefined };
    result.diagnosis = diagnose(platform, lint.findings, outcome.refusal, settings, token.length);
  }
  writeStdout(text ? reportTail(result, platform, lint, at) : `${JSON.stringify(result, null, 2)}\n`);
  // A failure below HTTP (TLS, refused connection, timeout) is also the one error line on stderr.
  const broken = outcome.steps.find(isBelowHttp);
  if (broken) writeStderr(`qs-jwt test: error: ${broken.detail}\n`);
  process.exitCode = ok ? EXIT.ok : EXIT.failure;
}

function buildQseow(): Command {
  const command = newCommand(
    'test qseow',
    'Send a token to a QSEoW virtual proxy as clients do (QRS, QPS, engine websocket) and report each step. Exit 0 all passed, 1 a step failed or was refused, 2 usage.',
    [
      'qs-jwt test qseow --server https://qlik.example.com --prefix jwt --token "$TOKEN"',
      'qs-jwt create qseow --key privatekey.pem --userid anna --userdir ACME | qs-jwt test qseow --server https://qlik.example.com --token -',
      'qs-jwt test qseow --server https://qlik.example.com --key privatekey.pem --userid anna --userdir ACME --cert publickey.cer',
      'qs-jwt test qseow --profile prod --server https://qlik.example.com --userid anna --userdir ACME --ca corp-ca.pem',
      'qs-jwt test qseow --server https://127.0.0.1:8443 --insecure --token "$TOKEN" --format json   # emulate --tls',
    ],
  ).name('qseow');
  addSettings(command, [
    SETTINGS.server,
    SETTINGS.prefix,
    { setting: SETTINGS.userid, note: 'of a minted token' },
    { setting: SETTINGS.userdir, note: 'of a minted token' },
    SETTINGS.useridAttr,
    SETTINGS.userdirAttr,
    SETTINGS.groupsAttr,
    { setting: SETTINGS.audience, note: 'minted into the token, and checked locally' },
  ]);
  addCommonOptions(command);
  return command.action(async (_flags: QseowFlags, self: Command) => {
    const settings = await resolveCommandSettings(self, 'qseow');
    const flags = self.opts<QseowFlags>();
    const server = parseBaseUrl(flags.server, '--server', 'https://qlik.example.com');
    const prefix = flags.prefix.replace(/^\/+|\/+$/g, '');
    if (!/^[A-Za-z0-9._~-]*$/.test(prefix))
      throw new CliError(`--prefix "${flags.prefix}": a virtual proxy prefix is one path segment, e.g. jwt`);
    const timeoutMs = flags.timeout;
    const lintOptions: LintOptions = {
      clockTolerance: flags.clockTolerance,
      userIdAttribute: flags.useridAttr,
      userDirectoryAttribute: flags.userdirAttr,
      audience: flags.audience,
    };
    let token = await givenToken(flags, settings);
    if (token === undefined) {
      if (flags.userid === undefined || flags.userdir === undefined) {
        throw new CliError(
          'no token: pass --token TOKEN (or --token - for standard input), or --key FILE with --userid and --userdir to mint one',
        );
      }
      const privateKey = await resolvePrivateKey(settings);
      const { userid, userdir } = flags;
      token = settings.blame(
        () =>
          createQseowToken({
            privateKey,
            algorithm: flags.alg,
            userId: userid,
            userDirectory: userdir,
            userIdAttribute: flags.useridAttr,
            userDirectoryAttribute: flags.userdirAttr,
            groupsAttribute: flags.groupsAttr,
            name: flags.name,
            email: flags.email,
            groups: flags.groups,
            audience: flags.audience,
            expires: flags.expires,
          }).token,
      );
    }
    const key = await checkKey(settings);
    const tls = await tlsSettings(flags);
    const { probeQseow } = await import('../../probe/client/qseow-probe.js');
    const target = { server, prefix, token, timeoutMs, tls };
    await report(
      'qseow',
      flags,
      token,
      key,
      lintOptions,
      {
        audience: settings.given('audience'),
        userAttributes: settings.given('useridAttr') || settings.given('userdirAttr'),
        issuer: false,
        keyId: false,
      },
      (onStep) => probeQseow({ ...target, onStep }),
    );
  });
}

function buildCloud(): Command {
  const command = newCommand(
    'test cloud',
    'Log in to a Qlik Cloud tenant with a token (POST /login/jwt-session), fetch the CSRF token and users/me, and print the user Qlik resolved. Exit 0 all passed, 1 a step failed or was refused, 2 usage.',
    [
      'qs-jwt test cloud --tenant https://acme.eu.qlikcloud.com --token "$TOKEN"',
      'qs-jwt test cloud --tenant https://acme.eu.qlikcloud.com --key privatekey.pem --sub anna --name "Anna A" --email anna@acme.com --issuer https://idp.acme.com --kid my-key-id',
      'qs-jwt test cloud --profile cloud --tenant https://acme.eu.qlikcloud.com --sub anna --name "Anna A" --email anna@acme.com --format json',
    ],
  ).name('cloud');
  addSettings(command, [
    SETTINGS.tenant,
    { setting: SETTINGS.sub, note: 'of a minted token' },
    { setting: SETTINGS.issuer, note: 'minted into the token, and checked locally' },
    { setting: SETTINGS.kid, note: 'minted into the token, and checked locally' },
  ]);
  addCommonOptions(command);
  return command.action(async (_flags: CloudFlags, self: Command) => {
    const settings = await resolveCommandSettings(self, 'cloud');
    const flags = self.opts<CloudFlags>();
    const tenant = parseBaseUrl(flags.tenant, '--tenant', 'https://acme.eu.qlikcloud.com');
    const timeoutMs = flags.timeout;
    const lintOptions: LintOptions = { clockTolerance: flags.clockTolerance, issuer: flags.issuer, keyId: flags.kid };
    let token = await givenToken(flags, settings);
    if (token === undefined) {
      const missing = (['sub', 'name', 'email', 'issuer', 'kid'] as const).filter((name) => flags[name] === undefined);
      if (missing.length > 0) {
        throw new CliError(
          `no token: pass --token TOKEN (or --token - for standard input), or --key FILE with ${missing.map((name) => `--${name}`).join(', ')} to mint one`,
        );
      }
      const privateKey = await resolvePrivateKey(settings);
      token = settings.blame(
        () =>
          createCloudToken({
            privateKey,
            algorithm: flags.alg,
            subject: flags.sub ?? '',
            name: flags.name ?? '',
            email: flags.email ?? '',
            issuer: flags.issuer ?? '',
            keyId: flags.kid ?? '',
            groups: flags.groups,
            expires: flags.expires,
          }).token,
      );
    }
    const key = await checkKey(settings);
    const tls = await tlsSettings(flags);
    const { probeCloud } = await import('../../probe/client/cloud-probe.js');
    const target = { tenant, token, timeoutMs, tls };
    await report(
      'cloud',
      flags,
      token,
      key,
      lintOptions,
      { audience: false, userAttributes: false, issuer: settings.given('issuer'), keyId: settings.given('kid') },
      (onStep) => probeCloud({ ...target, onStep }),
    );
  });
}

export function buildCommand(): Command {
  const command = newCommand(
    'test',
    'Send a token to a Qlik server (or qs-jwt emulate) the way clients do, report each step, and explain a refusal.',
    [
      'qs-jwt test qseow --server https://qlik.example.com --prefix jwt --token "$TOKEN"',
      'qs-jwt test cloud --tenant https://acme.eu.qlikcloud.com --token "$TOKEN"',
    ],
  );
  command.addCommand(buildQseow());
  command.addCommand(buildCloud());
  return command.action(() => {
    throw new CliError('say what to test: qs-jwt test qseow --server URL … or qs-jwt test cloud --tenant URL …');
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
