import type { Command } from 'commander';
import { QsJwtError } from '../../core/errors.js';
import { loadPrivateKey, loadPublicKey } from '../../core/keys/key-input.js';
import { findPemBlocks } from '../../core/keys/pem-blocks.js';
import { qseowTokenMinter } from '../../core/qlik/qseow-token.js';
import { parseSignedDuration } from '../../core/time/duration.js';
import type { TlsSettings } from '../../probe/client/http-client.js';
import { REPOSITORY_USER, type QrsConnection } from '../../provisioning/client/qrs-client.js';
import { runSetupQseow, type LinkTarget, type SetupQseowResult } from '../../provisioning/client/qseow-setup-run.js';
import { ProvisioningError } from '../../provisioning/provisioning-error.js';
import { describeChanges, type AttributeMapping } from '../../provisioning/qseow-plan.js';
import { CliError, EXIT } from '../cli-error.js';
import { collect, newCommand } from '../command-setup.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { readInput } from '../io/input-file.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveCommandSettings } from '../settings/command-settings.js';
import type { ResolvedSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { writeStderr, writeStdout } from '../io/standard-streams.js';

/**
 * qs-jwt setup qseow: creates or updates the JWT virtual proxy through QRS from the same certificate
 * and claim names the tokens are minted with, and links it to the proxy services. The plan is pure
 * (src/provisioning/qseow-plan.ts), the calls are in src/provisioning/client; this file reads flags
 * and files and prints. The connection helpers are shared with doctor-qseow.
 */

export interface QrsConnectionFlags {
  qrs?: string;
  clientCert?: string;
  clientKey?: string;
  ca?: string;
  bearerKey?: string;
  userid?: string;
  userdir?: string;
  useridAttr?: string;
  userdirAttr?: string;
  /** Milliseconds (the timeout setting's parser). */
  timeout: number;
}

interface SetupQseowFlags extends QrsConnectionFlags {
  prefix?: string;
  cert?: string;
  attribute?: string[];
  audience?: string;
  sessionCookie?: string;
  allowHost?: string[];
  link?: string[];
  description: string;
  server?: string;
  wait: string;
  dryRun?: boolean;
  format: 'text' | 'json';
}

/** Seconds from a duration flag, with the flag named when it is not one. */
export function durationMs(value: string, flag: string): number {
  const seconds = parseSignedDuration(value);
  if (seconds === undefined || seconds <= 0 || seconds > 3600)
    throw new CliError(`${flag} ${value}: expected a duration from 1s to 1h, such as 10s or 2m`);
  return seconds * 1000;
}

export function httpsUrl(value: string | undefined, flag: string, example: string): URL {
  if (value === undefined) throw new CliError(`${flag} is required: ${example}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`${flag} ${value}: not a URL; write it as ${example}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new CliError(`${flag} ${value}: expected an https:// URL, such as ${example}`);
  if (url.search !== '' || url.hash !== '' || url.username !== '')
    throw new CliError(`${flag} ${value}: leave out query, fragment and credentials`);
  return url;
}

async function textFile(path: string, flag: string): Promise<string> {
  return (await readInput(path, flag, 256 * 1024)).toString('utf8');
}

/** The certificate for the virtual proxy: a PEM X.509 certificate with an RSA key of 2048 bits or more. */
export async function readCertificate(path: string, flag = '--cert'): Promise<string> {
  const text = await textFile(path, flag);
  const block = findPemBlocks(text).find((item) => item.label === 'CERTIFICATE');
  if (!block)
    throw new CliError(
      `${flag} ${path}: no -----BEGIN CERTIFICATE----- block; give the certificate (publickey.cer from qs-jwt keys create), as the virtual proxy needs an X.509 certificate`,
    );
  try {
    loadPublicKey(block.text);
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`${flag} ${path}: ${error.message}`);
    throw error;
  }
  return `${block.text}\n`;
}

export function declareConnectionOptions(command: Command): Command {
  command
    .option(
      '--qrs <url>',
      'QRS: https://host:4242 with --client-cert/--client-key, or https://host/<jwt-prefix> with --bearer-key',
    )
    .option(
      '--client-cert <file>',
      'client.pem exported from the QMC (Certificates, Export, Platform independent PEM-format)',
    )
    .option('--client-key <file>', 'client_key.pem exported with it')
    .option(
      '--bearer-key <file>',
      'instead of a client certificate: the private key of an existing JWT virtual proxy (user needs RootAdmin)',
    );
  return addSettings(command, [
    { setting: SETTINGS.ca, note: "root.pem exported with the client certificate (default: the system's CAs)" },
    { setting: SETTINGS.userid, note: 'with --bearer-key: the user the token names' },
    { setting: SETTINGS.userdir, note: 'with --bearer-key: the user directory the token names' },
    SETTINGS.useridAttr,
    SETTINGS.userdirAttr,
    SETTINGS.timeout,
    SETTINGS.profile,
    SETTINGS.config,
  ]);
}

/**
 * doctor compares the virtual proxy with a certificate or with the key that signs: flags first (not
 * both), else the key, then the certificate, that the environment or the profile gives.
 */
export function certificateOrKey(settings: ResolvedSettings): { cert?: string | undefined; key?: string | undefined } {
  const fromFlag = (name: string): boolean => settings.source(name)?.kind === 'flag';
  if (fromFlag('cert') && fromFlag('key'))
    throw new CliError(
      'give --cert or --key, not both: the certificate tokens are verified with, or the key that signs them',
    );
  if (fromFlag('cert')) return { cert: settings.get<string>('cert') };
  if (fromFlag('key') || settings.given('key')) return { key: settings.get<string>('key') };
  return { cert: settings.get<string>('cert') };
}

/** The QRS connection: client certificate (X-Qlik-User sa_repository) or a token minted here. */
export async function qrsConnection(flags: QrsConnectionFlags): Promise<QrsConnection> {
  const baseUrl = httpsUrl(flags.qrs, '--qrs', 'https://qlik.example.com:4242');
  const timeoutMs = flags.timeout;
  const ca = flags.ca === undefined ? undefined : await textFile(flags.ca, '--ca');
  const certificateRoute = flags.clientCert !== undefined || flags.clientKey !== undefined;
  if (certificateRoute && flags.bearerKey !== undefined)
    throw new CliError('give either --client-cert and --client-key, or --bearer-key, not both');
  if (certificateRoute) {
    if (flags.clientCert === undefined || flags.clientKey === undefined)
      throw new CliError(
        '--client-cert and --client-key go together: client.pem and client_key.pem exported from the QMC',
      );
    const cert = await textFile(flags.clientCert, '--client-cert');
    if (!findPemBlocks(cert).some((block) => block.label === 'CERTIFICATE'))
      throw new CliError(
        `--client-cert ${flags.clientCert}: no PEM certificate; give client.pem exported from the QMC`,
      );
    const key = await textFile(flags.clientKey, '--client-key');
    try {
      loadPrivateKey(key);
    } catch (error) {
      if (error instanceof QsJwtError) throw new CliError(`--client-key ${flags.clientKey}: ${error.message}`);
      throw error;
    }
    return {
      baseUrl,
      timeoutMs,
      tls: { ca, insecure: false, cert, key },
      authHeaders: { 'x-qlik-user': REPOSITORY_USER },
    };
  }
  if (flags.bearerKey === undefined)
    throw new CliError(
      'say how to reach QRS: --client-cert and --client-key (port 4242), or --bearer-key with --userid and --userdir (through a JWT virtual proxy)',
    );
  if (flags.userid === undefined || flags.userdir === undefined)
    throw new CliError('--bearer-key needs --userid and --userdir: the user the token names (RootAdmin in Qlik Sense)');
  if (baseUrl.pathname === '/' || baseUrl.pathname === '')
    throw new CliError(
      `--qrs ${flags.qrs}: with --bearer-key, include the JWT virtual proxy prefix, such as https://qlik.example.com/jwt`,
    );
  let privateKey;
  try {
    privateKey = loadPrivateKey(await readInput(flags.bearerKey, '--bearer-key'));
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`--bearer-key ${flags.bearerKey}: ${error.message}`);
    throw error;
  }
  const minter = qseowTokenMinter({
    privateKey,
    expires: '5m',
    userIdAttribute: flags.useridAttr,
    userDirectoryAttribute: flags.userdirAttr,
  });
  const token = minter.create({ userId: flags.userid, userDirectory: flags.userdir }).token;
  return { baseUrl, timeoutMs, tls: { ca, insecure: false }, authHeaders: { authorization: `Bearer ${token}` } };
}

function mappings(values: readonly string[] | undefined): AttributeMapping[] {
  return (values ?? []).map((value) => {
    const [senseAttribute, jwtAttribute, extra] = value.split('=');
    if (!senseAttribute || !jwtAttribute || extra !== undefined)
      throw new CliError(`--attribute "${value}": write SENSEATTRIBUTE=CLAIM, such as group=groups`);
    return { senseAttribute, jwtAttribute, isMandatory: false };
  });
}

function linkTarget(values: readonly string[] | undefined): LinkTarget {
  if (values === undefined || values.length === 0 || (values.length === 1 && values[0] === 'central'))
    return { kind: 'central' };
  if (values.length === 1 && values[0] === 'all') return { kind: 'all' };
  if (values.some((value) => value === 'central' || value === 'all'))
    throw new CliError('--link takes central, all, or proxy service ids, not a mix');
  return { kind: 'ids', ids: [...values] };
}

function report(result: SetupQseowResult): string {
  const { virtualProxy } = result;
  const lines: string[] = [];
  if (virtualProxy.action === 'none')
    lines.push(`virtual proxy /${virtualProxy.prefix} (${virtualProxy.id ?? '?'}): up to date`);
  else
    lines.push(
      `${result.dryRun ? `would ${virtualProxy.action}` : `${virtualProxy.action}d`} virtual proxy /${virtualProxy.prefix}${virtualProxy.id ? ` (${virtualProxy.id})` : ''}:`,
      ...describeChanges(result.changes).map((line) => `  ${line}`),
    );
  for (const item of result.linked)
    lines.push(`${result.dryRun ? 'would link' : 'linked'} to proxy service ${item.name} (${item.id})`);
  if (result.serving === true) lines.push(`/${virtualProxy.prefix} answers`);
  if (!result.changed) lines.push('no change: the virtual proxy is set up and linked');
  if (result.dryRun && result.changed) lines.push('dry run: nothing was written');
  return `${lines.join('\n')}\n`;
}

export function buildCommand(): Command {
  const command = newCommand(
    'setup qseow',
    'Create or update the JWT virtual proxy through QRS from your certificate and claim names, and link it to the proxy.',
    [
      'qs-jwt setup qseow --qrs https://qlik.example.com:4242 --client-cert client.pem --client-key client_key.pem --ca root.pem \\',
      '    --prefix jwt --cert publickey.cer --attribute group=groups --allow-host portal.example.com',
      'qs-jwt setup qseow --qrs https://qlik.example.com:4242 --client-cert client.pem --client-key client_key.pem --ca root.pem \\',
      '    --prefix jwt --cert publickey.cer --dry-run          # show field: old → new, write nothing',
      'qs-jwt setup qseow --qrs https://qlik.example.com/jwt --bearer-key privatekey.pem --userid admin --userdir ACME \\',
      '    --prefix jwt2 --cert new.cer --format json',
    ],
  );
  declareConnectionOptions(command);
  addSettings(command, [
    { setting: SETTINGS.prefix, required: 'the virtual proxy prefix (lowercase)' },
    {
      setting: SETTINGS.cert,
      required: 'the certificate tokens are verified with (publickey.cer from qs-jwt keys create)',
    },
    { setting: SETTINGS.audience, note: 'set when the server has the field; without it an audience is cleared' },
    SETTINGS.server,
    {
      setting: SETTINGS.format,
      choices: ['text', 'json'],
      note: 'text on stdout, or JSON {changed, virtualProxy, linked, warnings}',
    },
  ]);
  command
    .option('--attribute <sense=claim>', 'map a claim to a Sense attribute (repeatable)', collect)
    .option('--session-cookie <name>', 'session cookie header name (default X-Qlik-Session-<prefix> for a new proxy)')
    .option('--allow-host <host>', 'add a host to the websocket origin allow list (repeatable)', collect)
    .option('--link <target>', 'proxy services to link: central (default), all, or ids (repeatable)', collect)
    .option('--description <text>', 'description of a new virtual proxy', 'JWT virtual proxy (qs-jwt)')
    .option('--wait <duration>', 'with --server: how long to wait until the prefix answers after a change', '60s')
    .option('--dry-run', 'print the changes (field: old → new) and write nothing');
  return command.action(async (_options: SetupQseowFlags, self: Command) => {
    // flag > environment > profile (claim names, audience, certFile) > default, as in every command.
    await resolveCommandSettings(self, 'qseow');
    const flags = self.opts<SetupQseowFlags>();
    if (flags.prefix === undefined || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(flags.prefix)) {
      throw new CliError(
        `--prefix ${flags.prefix === undefined ? 'is required' : `"${flags.prefix}"`}: a lowercase prefix of letters, digits, "-" or "_", such as jwt`,
      );
    }
    if (flags.cert === undefined)
      throw new CliError(
        '--cert is required: the certificate tokens are verified with (publickey.cer from qs-jwt keys create)',
      );
    const certificatePem = await readCertificate(flags.cert);
    const connection = await qrsConnection(flags);
    const wait =
      flags.server === undefined
        ? undefined
        : {
            url: httpsUrl(flags.server, '--server', 'https://qlik.example.com'),
            tls: { ca: connection.tls.ca, insecure: false } satisfies TlsSettings,
            timeoutMs: durationMs(flags.wait, '--wait'),
          };
    let result: SetupQseowResult;
    try {
      result = await runSetupQseow({
        connection,
        desired: {
          prefix: flags.prefix,
          description: flags.description,
          certificatePem,
          userIdAttribute: flags.useridAttr ?? 'userId',
          userDirectoryAttribute: flags.userdirAttr ?? 'userDirectory',
          attributeMap: mappings(flags.attribute),
          audience: flags.audience,
          sessionCookieHeaderName: flags.sessionCookie,
          allowHosts: flags.allowHost ?? [],
        },
        link: linkTarget(flags.link),
        dryRun: flags.dryRun ?? false,
        wait,
      });
    } catch (error) {
      if (error instanceof ProvisioningError) throw new CliError(error.message, EXIT.failure);
      throw error;
    }
    for (const warning of result.warnings) writeStderr(`qs-jwt: warning: ${warning}\n`);
    if (flags.format === 'json') {
      const { changed, virtualProxy, linked, warnings, changes, dryRun } = result;
      writeStdout(`${JSON.stringify({ changed, dryRun, virtualProxy, changes, linked, warnings }, null, 2)}\n`);
    } else {
      writeStdout(report(result));
    }
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
