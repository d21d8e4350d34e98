import type { Command } from 'commander';
import { QsJwtError } from '../../core/errors.js';
import type { RsaAlgorithm } from '../../core/jose/algorithms.js';
import { parsePositiveDuration, parseSignedDuration } from '../../core/time/duration.js';
import type { ClaimMapping } from '../../bridge/claim-mapping.js';
import type { BridgeSettings } from '../../bridge/server/bridge-app.js';
import { CliError } from '../cli-error.js';
import { collect, newCommand } from '../command-setup.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { readInput } from '../io/input-file.js';
import { PRIVATE_KEY_SETTINGS, resolvePrivateKey } from '../io/private-key-options.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveCommandSettings } from '../settings/command-settings.js';
import type { ResolvedSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { writeStderr, writeStdout } from '../io/standard-streams.js';

/**
 * qs-jwt bridge qseow: accepts an identity provider's access tokens (JWKS, rotating keys) in front of
 * a QSEoW JWT virtual proxy. This file turns flags into BridgeSettings, reads the key and TLS files,
 * starts src/bridge/server and prints its URL as the first line of stdout; SIGTERM/SIGINT shut it down
 * gracefully.
 */

interface BridgeFlags {
  upstream?: string;
  prefix?: string;
  jwks?: string;
  issuer?: string[];
  audience?: string[];
  useridClaim: string;
  userdirClaim?: string;
  userdirValue?: string;
  groupsClaim?: string;
  attribute?: string[];
  useridAttr?: string;
  userdirAttr?: string;
  tokenLifetime: string;
  alg: RsaAlgorithm;
  jwksCooldown: string;
  jwksRefresh: string;
  jwksMaxStale: string;
  clockTolerance: string;
  allowOrigin?: string[];
  sessionCookie?: string;
  port: number;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  upstreamCa?: string;
  shutdownGrace: string;
}

/** A duration flag's value, or one line naming the flag and the core's reason. */
function parsedFlag<T>(flag: string, text: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`${flag} "${text}": ${error.subject?.reason ?? error.message}`);
    throw error;
  }
}

function seconds(flag: string, text: string): number {
  return parsedFlag(flag, text, () => parsePositiveDuration(text, flag.replace(/^--/, '')));
}

function nonNegativeSeconds(flag: string, text: string): number {
  const value = parsedFlag(flag, text, () => parseSignedDuration(text, flag.replace(/^--/, '')));
  if (value === undefined || value < 0) {
    throw new CliError(`${flag} "${text}": write a duration of zero or more, e.g. 0s, 30s or 2m`);
  }
  return value;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
}

/** An http(s) origin with no path: requests keep their own path below it. */
export function parseUpstream(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--upstream "${text}" is not a URL: write the Qlik server's origin, e.g. https://qlik.acme.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--upstream "${text}": use http:// or https://`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.username !== '') {
    const why = 'give only the origin (scheme, host, port); the path /<prefix>/… is kept from each request';
    throw new CliError(`--upstream "${text}": ${why}`);
  }
  return url;
}

/** The JWKS URL: https, or http on loopback only (tests, a sidecar) — keys over plain http could be swapped. */
export function parseJwksUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const how = "give the identity provider's jwks_uri (from its /.well-known/openid-configuration)";
    throw new CliError(`--jwks "${text}" is not a URL: ${how}`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url;
  throw new CliError(`--jwks "${text}": use https:// (plain http is accepted for loopback addresses only)`);
}

/** `--attribute CLAIM=NAME`: copy the IdP claim CLAIM into the QSEoW token as NAME. */
export function parseAttributes(values: readonly string[] | undefined): ClaimMapping['attributes'] {
  return (values ?? []).map((value) => {
    const equals = value.indexOf('=');
    const claim = value.slice(0, equals).trim();
    const name = value.slice(equals + 1).trim();
    if (equals <= 0 || claim === '' || name === '' || name.includes('=')) {
      throw new CliError(`--attribute "${value}": write IDPCLAIM=QLIKCLAIM, e.g. email=email or roles=groups`);
    }
    return { claim, name };
  });
}

type MappingFlags = Pick<BridgeFlags, 'useridClaim' | 'userdirClaim' | 'userdirValue' | 'groupsClaim' | 'attribute'>;

export function claimMapping(flags: MappingFlags): ClaimMapping {
  if ((flags.userdirClaim === undefined) === (flags.userdirValue === undefined)) {
    throw new CliError(
      'give exactly one of --userdir-claim CLAIM (the directory from a token claim) ' +
        'and --userdir-value VALUE (one directory for every user)',
    );
  }
  return {
    userIdClaim: flags.useridClaim,
    userDirectory:
      flags.userdirClaim !== undefined ? { claim: flags.userdirClaim } : { value: flags.userdirValue ?? '' },
    groupsClaim: flags.groupsClaim,
    attributes: parseAttributes(flags.attribute),
  };
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) throw new CliError(message);
  return value;
}

async function settingsFromFlags(flags: BridgeFlags, resolved: ResolvedSettings): Promise<BridgeSettings> {
  const upstreamText = required(flags.upstream, '--upstream is required: the Qlik origin, e.g. https://qlik.acme.com');
  const upstream = parseUpstream(upstreamText);
  const prefix = required(flags.prefix, '--prefix is required: the JWT virtual proxy prefix, e.g. jwt');
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(prefix)) {
    throw new CliError(`--prefix "${prefix}": letters, digits, - and _ only, without slashes (e.g. jwt)`);
  }
  const jwksUrl = parseJwksUrl(required(flags.jwks, "--jwks is required: the identity provider's jwks_uri"));
  const issuers = required(flags.issuer, "--issuer is required: the identity provider's issuer (iss), repeatable");
  const audiences = required(flags.audience, '--audience is required: the aud of the IdP tokens, repeatable');
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new CliError('--tls-cert and --tls-key go together: give both');
  }
  const mapping = claimMapping(flags);
  const shutdownGraceMs = seconds('--shutdown-grace', flags.shutdownGrace) * 1000;
  const settings: BridgeSettings = {
    prefix: prefix.toLowerCase(),
    upstream,
    host: flags.host,
    port: flags.port,
    allowOrigins: (flags.allowOrigin ?? []).map((origin) => origin.replace(/\/+$/, '')),
    sessionCookie: flags.sessionCookie,
    jwksUrl,
    issuers,
    audiences,
    clockToleranceSeconds: nonNegativeSeconds('--clock-tolerance', flags.clockTolerance),
    jwksCooldownMs: seconds('--jwks-cooldown', flags.jwksCooldown) * 1000,
    jwksRefreshMs: seconds('--jwks-refresh', flags.jwksRefresh) * 1000,
    jwksMaxStaleMs: nonNegativeSeconds('--jwks-max-stale', flags.jwksMaxStale) * 1000,
    mapping,
    privateKey: await resolvePrivateKey(resolved),
    algorithm: flags.alg,
    lifetimeSeconds: seconds('--token-lifetime', flags.tokenLifetime),
    userIdAttribute: flags.useridAttr,
    userDirectoryAttribute: flags.userdirAttr,
    limits: { shutdownGraceMs },
  };
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    const cert = (await readInput(flags.tlsCert, '--tls-cert')).toString('utf8');
    settings.tls = { cert, key: (await readInput(flags.tlsKey, '--tls-key')).toString('utf8') };
  }
  if (flags.upstreamCa !== undefined) {
    settings.upstreamCa = (await readInput(flags.upstreamCa, '--upstream-ca')).toString('utf8');
  }
  return settings;
}

async function serve(settings: BridgeSettings): Promise<void> {
  const { startBridgeApp } = await import('../../bridge/server/bridge-app.js');
  let bridge;
  try {
    bridge = await startBridgeApp(settings);
  } catch (error) {
    // The core refuses attribute names Qlik could not use (--userid-attr sub, two equal names).
    if (error instanceof QsJwtError) throw new CliError(`--userid-attr/--userdir-attr/--attribute: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${settings.host}:${settings.port}`;
    if (code === 'EADDRINUSE') throw new CliError(`${where} is in use: choose another --port`, 1);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new CliError(`--host ${settings.host} is not an address of this machine`);
    }
    if (code === 'EACCES') throw new CliError(`port ${settings.port} needs privileges: choose one above 1023`, 1);
    throw error;
  }
  writeStdout(`${bridge.url}\n`);
  writeStderr(
    [
      `qs-jwt bridge: ${bridge.url}/${settings.prefix}/ → ${settings.upstream.origin}/${settings.prefix}/` +
        ` (IdP keys from ${settings.jwksUrl.href})`,
      'qs-jwt bridge: one JSON access-log line per request follows; stop with SIGTERM or Ctrl-C',
      '',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      bridge.close().then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.exitCode = 0;
}

export function buildCommand(): Command {
  const description =
    "Accept your identity provider's access tokens (JWKS, rotating keys) in front of a QSEoW JWT " +
    'virtual proxy: verify them, mint a QSEoW token for the user, proxy HTTP and websockets. ' +
    'Prints the URL as the first line of stdout.';
  const command = newCommand('bridge qseow', description, [
    [
      'qs-jwt bridge qseow --upstream https://qlik.acme.com --prefix jwt --key privatekey.pem \\',
      '      --jwks https://login.microsoftonline.com/TENANT/discovery/v2.0/keys \\',
      '      --issuer https://login.microsoftonline.com/TENANT/v2.0 --audience API_CLIENT_ID \\',
      '      --userid-claim preferred_username --userdir-value ENTRA --groups-claim groups',
    ].join('\n'),
    [
      'qs-jwt bridge qseow --upstream https://qlik.acme.com --prefix kc --key privatekey.pem \\',
      '      --jwks https://kc.acme.com/realms/acme/protocol/openid-connect/certs \\',
      '      --issuer https://kc.acme.com/realms/acme --audience qlik \\',
      '      --userid-claim preferred_username --userdir-value KEYCLOAK --groups-claim realm_access.roles',
    ].join('\n'),
    'curl -H "Authorization: Bearer $IDP_ACCESS_TOKEN" http://127.0.0.1:8080/jwt/qps/user',
  ]);
  command
    .option('--upstream <origin>', 'the Qlik server (its origin only), e.g. https://qlik.acme.com')
    .option('--jwks <url>', "the identity provider's jwks_uri (https; http on loopback only)")
    .option('--issuer <iss>', "accepted iss of the IdP's tokens (repeatable)", collect)
    .option('--audience <aud>', 'accepted aud of the IdP tokens (repeatable)', collect)
    .option('--userid-claim <claim>', 'IdP claim that becomes the Qlik user ID (dotted: into objects)', 'sub')
    .option('--userdir-claim <claim>', 'IdP claim that becomes the Qlik user directory')
    .option('--userdir-value <directory>', 'one user directory for every user (instead of --userdir-claim)')
    .option('--groups-claim <claim>', 'IdP claim with the groups (a string or a list), sent as groups')
    .option('--attribute <claim=name>', 'copy an IdP claim into the QSEoW token as NAME (repeatable)', collect)
    .option('--token-lifetime <duration>', 'lifetime of the minted QSEoW tokens', '5m')
    .option('--jwks-cooldown <duration>', 'at most one JWKS refetch per this period for an unknown kid', '30s')
    .option('--jwks-refresh <duration>', 'refetch the JWKS when the cached copy is older than this', '10m')
    .option('--jwks-max-stale <duration>', 'IdP unreachable: use cached keys this long past --jwks-refresh', '1h')
    .option('--clock-tolerance <duration>', 'leeway for exp and nbf of the IdP tokens', '30s')
    .option('--allow-origin <origin>', 'browser origin allowed to call the token endpoint (CORS; repeatable)', collect)
    .option('--session-cookie <name>', "Qlik's session cookie name (default: any X-Qlik-Session… cookie)")
    .option('--upstream-ca <file>', "PEM CA certificate(s) that sign the upstream's certificate")
    .option('--shutdown-grace <duration>', 'on SIGTERM, how long in-flight requests may finish', '10s');
  // A profile gives the virtual proxy's side (key, claim names, algorithm); --issuer, --audience and
  // --clock-tolerance here describe the identity provider's tokens, so they are the bridge's own flags.
  addSettings(command, [
    {
      setting: SETTINGS.prefix,
      required: 'the JWT virtual proxy prefix; the bridge serves /<prefix>/… and forwards it there',
    },
    ...PRIVATE_KEY_SETTINGS,
    SETTINGS.useridAttr,
    SETTINGS.userdirAttr,
    { setting: SETTINGS.alg, note: 'of the minted QSEoW tokens' },
    { setting: SETTINGS.port, default: '8080' },
    { setting: SETTINGS.host, default: '127.0.0.1', note: '0.0.0.0 in a container' },
    SETTINGS.tlsCert,
    SETTINGS.tlsKey,
    SETTINGS.profile,
    SETTINGS.config,
  ]);
  return command.action(async (_flags: BridgeFlags, self: Command) => {
    const resolved = await resolveCommandSettings(self, 'qseow');
    await serve(await settingsFromFlags(self.opts<BridgeFlags>(), resolved));
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
