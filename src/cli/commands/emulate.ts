import { Option, type Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../core/config/config-schema.js';
import { parseEmulatorConfig, type EmulatorConfig } from '../../emulator/emulator-config.js';
import { QsJwtError } from '../../core/errors.js';
import { loadPublicKey } from '../../core/keys/key-input.js';
import { CliError } from '../cli-error.js';
import { collect, integerIn, newCommand } from '../command-setup.js';
import { readInput } from '../io/input-file.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { isLoopbackHost } from '../loopback-host.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { writeStderr, writeStdout } from '../io/standard-streams.js';

/**
 * qs-jwt emulate: a local stand-in for Qlik's JWT endpoints (QSEoW virtual proxies, a Qlik Cloud
 * tenant) for CI. This file turns flags or a config file into an EmulatorConfig, loads the keys, starts
 * src/emulator/server/emulator-server.ts and prints its URL as the first line of stdout.
 */

interface ServerFlags {
  host?: string;
  port?: number;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  maxSessions?: number;
  printConfig?: boolean;
}

interface QseowFlags extends ServerFlags {
  cert?: string;
  prefix: string;
  audience?: string;
  useridAttr?: string;
  userdirAttr?: string;
  cookieName?: string;
  websocketCsrf?: boolean;
  upstream?: string;
  sessionTimeout?: number;
  sameSite?: string;
  allowedOrigin?: string[];
  attribute?: string[];
  mandatoryAttribute?: string[];
  clockTolerance?: number;
  app?: string[];
  qrsPort?: number;
  qrsCerts?: string;
}

interface CloudFlags extends ServerFlags {
  cert?: string;
  issuer?: string;
  kid?: string;
  clockTolerance: number;
  tenantId?: string;
  sessionTimeout?: number;
  sameSite?: string;
  allowedOrigin?: string[];
  app?: string[];
  apiKeyFile?: string;
  apiKeyRole?: string[];
}

function addServerOptions(command: Command): Command {
  addSettings(command, [SETTINGS.host, SETTINGS.port, SETTINGS.tlsCert, SETTINGS.tlsKey]);
  return command
    .option('--tls', 'serve HTTPS with a self-signed certificate generated for this run')
    .option(
      '--max-sessions <n>',
      'sessions kept per virtual proxy or tenant; the oldest is evicted (default 10000)',
      integerIn(1, 10_000_000),
    )
    .option('--print-config', 'print the effective settings as JSON and exit');
}

function apps(values: readonly string[] | undefined): { id: string; name?: string }[] | undefined {
  return values?.map((value) => {
    const equals = value.indexOf('=');
    return equals > 0 ? { id: value.slice(0, equals), name: value.slice(equals + 1) } : { id: value };
  });
}

function mappings(
  values: readonly string[] | undefined,
  isMandatory: boolean,
  flag: string,
): { senseAttribute: string; jwtAttribute: string; isMandatory: boolean }[] {
  return (values ?? []).map((value) => {
    const [senseAttribute, jwtAttribute, extra] = value.split('=');
    if (!senseAttribute || !jwtAttribute || extra !== undefined)
      throw new CliError(`${flag} "${value}": write SENSEATTRIBUTE=CLAIM, e.g. group=groups`);
    return { senseAttribute, jwtAttribute, isMandatory };
  });
}

function serverSettings(flags: ServerFlags, base: Record<string, unknown> = {}): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...base };
  if (flags.host !== undefined) settings['host'] = flags.host;
  if (flags.port !== undefined) settings['port'] = flags.port;
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new CliError('--tls-cert and --tls-key go together: give both, or --tls to generate a certificate');
  if (flags.tlsCert !== undefined && flags.tls)
    throw new CliError('--tls generates a certificate; with --tls-cert and --tls-key leave it out');
  if (flags.tlsCert !== undefined)
    settings['tls'] = { mode: 'files', certFile: resolve(flags.tlsCert), keyFile: resolve(flags.tlsKey ?? '') };
  else if (flags.tls) settings['tls'] = { mode: 'generate' };
  if (flags.maxSessions !== undefined)
    settings['limits'] = { ...(settings['limits'] as object | undefined), maxSessions: flags.maxSessions };
  return settings;
}

async function validated(json: unknown, label: string): Promise<EmulatorConfig> {
  try {
    return await parseEmulatorConfig(json, label);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

async function publicKeyFrom(file: string | undefined, inline: string | undefined, what: string): Promise<KeyObject> {
  const source = file !== undefined ? await readInput(file, what) : (inline ?? '');
  try {
    return loadPublicKey(source);
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`${what} ${file ?? '(inline)'}: ${error.message}`);
    throw error;
  }
}

/**
 * A private CA, the QRS server certificate it issues (localhost and the bind address) and a client
 * certificate, written as the QMC exports them: client.pem, client_key.pem (PKCS#1, as Qlik's
 * export) and root.pem. The files are the emulator's own and are replaced on every start.
 */
async function qrsMaterial(config: EmulatorConfig): Promise<{ cert: string; key: string; ca: string } | undefined> {
  if (!config.qrs) return undefined;
  const { generateKeyPair } = await import('../../core/keys/key-pair.js');
  const { createIssuedCertificate } = await import('../../core/keys/issued-certificate.js');
  const [root, server, client] = await Promise.all([0, 1, 2].map(() => generateKeyPair({ bits: 2048 })));
  if (!root || !server || !client) throw new Error('key generation failed');
  const days = 30;
  const ca = await createIssuedCertificate({
    publicKey: root.publicKey,
    signingKey: root.privateKey,
    commonName: 'qs-jwt emulator CA',
    role: 'ca',
    days,
  });
  const issuer = { privateKey: root.privateKey, certificatePem: ca };
  const ip = /^[\d.]+$|:/.test(config.host) ? [config.host] : [];
  const serverCert = await createIssuedCertificate({
    publicKey: server.publicKey,
    signingKey: root.privateKey,
    issuer,
    commonName: 'localhost',
    role: 'server',
    days,
    dnsNames: ['localhost', ...(ip.length === 0 ? [config.host] : [])],
    ipAddresses: ['127.0.0.1', '::1', ...ip.filter((item) => item !== '127.0.0.1' && item !== '::1')],
  });
  const clientCert = await createIssuedCertificate({
    publicKey: client.publicKey,
    signingKey: root.privateKey,
    issuer,
    commonName: 'QlikClient',
    role: 'client',
    days,
  });
  const { writeFilesAtomically } = await import('../io/atomic-write.js');
  const folder = config.qrs.certsDir;
  await writeFilesAtomically(
    [
      { path: resolve(folder, 'client.pem'), content: clientCert, mode: 0o644 },
      {
        path: resolve(folder, 'client_key.pem'),
        content: client.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
        mode: 0o600,
      },
      { path: resolve(folder, 'root.pem'), content: ca, mode: 0o644 },
    ],
    { force: true },
  );
  return { cert: serverCert, key: server.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, ca };
}

async function tlsMaterial(config: EmulatorConfig): Promise<{ cert: string; key: string } | undefined> {
  if (config.tls.mode === 'off') return undefined;
  if (config.tls.mode === 'files') {
    const cert = (await readInput(config.tls.certFile ?? '', '--tls-cert')).toString('utf8');
    const key = (await readInput(config.tls.keyFile ?? '', '--tls-key')).toString('utf8');
    return { cert, key };
  }
  const { generateKeyPair, encodePrivateKeyPem } = await import('../../core/keys/key-pair.js');
  const { createSelfSignedCertificate } = await import('../../core/keys/certificate.js');
  const pair = await generateKeyPair({ bits: 2048 });
  const cert = await createSelfSignedCertificate({ ...pair, commonName: 'localhost', days: 30 });
  return { cert, key: encodePrivateKeyPem(pair.privateKey) };
}

/** The warning for a bind address other machines can reach (0.0.0.0, ::, a LAN address). */
export function networkExposureWarning(host: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return (
    `qs-jwt emulate: warning: listening on ${host}, reachable from the network: the emulator is a test ` +
    'stand-in, not a security boundary (it opens sessions for any token its certificate verifies); ' +
    'bind 127.0.0.1 unless other machines must reach it'
  );
}

/** The API key file's text without surrounding whitespace; an empty file is refused. */
async function apiKeyFrom(file: string): Promise<string> {
  const key = (await readInput(file, '--api-key-file', 16 * 1024)).toString('utf8').trim();
  if (key === '' || /\s/.test(key))
    throw new CliError(`--api-key-file ${file}: expected the API key alone on one line`);
  return key;
}

/** Starts the emulator, prints its URL first on stdout, and runs until SIGINT or SIGTERM. */
async function serve(config: EmulatorConfig, printConfig: boolean | undefined): Promise<void> {
  if (printConfig) {
    writeStdout(`${JSON.stringify(config, null, 2)}\n`);
    return;
  }
  const virtualProxyKeys = await Promise.all(
    config.virtualProxies.map((proxy) =>
      publicKeyFrom(proxy.certFile, proxy.jwtPublicKeyCertificate, `virtual proxy /${proxy.prefix} certificate`),
    ),
  );
  const certificates = await Promise.all(
    config.virtualProxies.map(async (proxy) =>
      proxy.certFile !== undefined
        ? (await readInput(proxy.certFile, 'certificate')).toString('utf8')
        : (proxy.jwtPublicKeyCertificate ?? ''),
    ),
  );
  const tenant = config.tenant;
  const tenantPem =
    tenant?.certFile !== undefined
      ? (await readInput(tenant.certFile, 'tenant certificate')).toString('utf8')
      : tenant?.publicKey;
  const tenantKey =
    tenant && tenantPem !== undefined
      ? await publicKeyFrom(tenant.certFile, tenant.publicKey, 'tenant certificate')
      : undefined;
  const tenantApiKey = tenant?.apiKeyFile !== undefined ? await apiKeyFrom(tenant.apiKeyFile) : undefined;
  const tls = await tlsMaterial(config);
  const qrsTls = await qrsMaterial(config);
  const { startEmulator } = await import('../../emulator/server/emulator-server.js');
  let emulator;
  try {
    emulator = await startEmulator({
      config,
      virtualProxyKeys,
      tenantKey,
      tls,
      tenantApiKey,
      tenantPem,
      qrs: qrsTls && { tls: qrsTls, certificates },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new CliError(
        `${config.host}:${config.port} is in use: choose another --port, or --port 0 for a free one`,
        1,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new CliError(`--host ${config.host} is not an address of this machine`);
    if (code === 'EACCES')
      throw new CliError(`port ${config.port} needs privileges: choose one above 1023, or --port 0`, 1);
    throw error;
  }
  writeStdout(`${emulator.url}\n${emulator.qrsUrl !== undefined ? `${emulator.qrsUrl}\n` : ''}`);
  const lines = [
    ...(emulator.qrsUrl !== undefined
      ? [`qs-jwt emulate: QRS API ${emulator.qrsUrl}/qrs/ (mutual TLS; client certificates in ${config.qrs?.certsDir})`]
      : []),
    ...config.virtualProxies.map(
      (proxy) =>
        `qs-jwt emulate: QSEoW virtual proxy ${emulator.url}/${proxy.prefix}/ (${proxy.upstream ? `forwarding to ${proxy.upstream}` : 'answering itself'})`,
    ),
    ...(config.tenant
      ? [
          `qs-jwt emulate: Qlik Cloud tenant ${emulator.url} (POST /login/jwt-session${config.tenant.issuer !== undefined ? `, issuer ${config.tenant.issuer}, kid ${config.tenant.keyId}` : ''}${tenantApiKey !== undefined ? ', identity-provider API with the API key' : ''})`,
        ]
      : []),
    'qs-jwt emulate: one JSON line per authentication decision follows; stop with Ctrl-C or SIGTERM',
  ];
  const exposure = networkExposureWarning(config.host);
  if (exposure !== undefined) lines.unshift(exposure);
  writeStderr(`${lines.join('\n')}\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      emulator.close().then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.exitCode = 0;
}

function buildQseow(): Command {
  const command = newCommand(
    'emulate qseow',
    'Emulate a client-managed Qlik Sense JWT virtual proxy (QPS/QRS endpoints, sessions, engine websocket).',
    [
      'qs-jwt emulate qseow --cert publickey.cer --port 0',
      'qs-jwt emulate qseow --cert publickey.cer --prefix jwt --audience qlik.example.com --userid-attr sub_id --port 8080',
      'qs-jwt emulate qseow --cert publickey.cer --attribute group=groups --mandatory-attribute email=email --app sales=Sales',
      'qs-jwt emulate qseow --cert publickey.cer --websocket-csrf --allowed-origin https://portal.example.com --tls',
      'qs-jwt emulate qseow --cert publickey.cer --upstream http://127.0.0.1:3000   # inject X-Qlik-User into your backend',
      'qs-jwt emulate qseow --qrs-port 0 --qrs-certs ./qrs-certs   # QRS API with mutual TLS; no virtual proxy until set up',
    ],
  ).name('qseow');
  command
    .option(
      '--cookie-name <name>',
      'session cookie header name (default X-Qlik-Session-<prefix>; -HTTP is appended over http)',
    )
    .option('--session-timeout <minutes>', 'session inactivity timeout (default 30)', integerIn(1, 525_600))
    .addOption(
      new Option('--same-site <mode>', 'SameSite of the session cookie (default Lax)').choices([
        'Strict',
        'Lax',
        'None',
      ]),
    )
    .option(
      '--attribute <sense=claim>',
      'map a claim to a session attribute (repeatable); arrays give one value each',
      collect,
    )
    .option('--mandatory-attribute <sense=claim>', 'as --attribute, and refuse tokens without the claim (401)', collect)
    .option('--websocket-csrf', 'Nov 2024 behaviour: cookie websockets need ?qlik-csrf-token= and an allowed Origin')
    .option('--allowed-origin <origin>', 'host or origin allowed to open the engine websocket (repeatable)', collect)
    .option('--upstream <url>', 'forward authenticated requests here with X-Qlik-User and X-Qlik-Security')
    .option('--app <id[=name]>', 'an app the engine lists and opens (repeatable)', collect)
    .option(
      '--qrs-port <n>',
      'also serve the QRS API over mutual TLS on this port (0: a free one); its URL is the second stdout line',
      integerIn(0, 65_535),
    )
    .option(
      '--qrs-certs <dir>',
      'with --qrs-port: write client.pem, client_key.pem and root.pem here, as the QMC exports them',
    );
  addSettings(command, [
    SETTINGS.cert,
    SETTINGS.prefix,
    { setting: SETTINGS.audience, note: 'the virtual proxy checks it only when given' },
    SETTINGS.useridAttr,
    SETTINGS.userdirAttr,
    { setting: SETTINGS.clockTolerance, note: 'Qlik allows none' },
  ]);
  addServerOptions(command);
  return command.action(async (_flags: QseowFlags, self: Command) => {
    resolveSettings(self);
    const flags = self.opts<QseowFlags>();
    const qrs = qrsSettings(flags);
    if (flags.cert === undefined && qrs === undefined)
      throw new CliError(
        '--cert is required: the certificate pasted into the virtual proxy (publickey.cer from qs-jwt keys create), unless --qrs-port serves the QRS API to set one up',
      );
    if (flags.cert === undefined) {
      await serve(await validated(serverSettings(flags, { qrs }), 'flags'), flags.printConfig);
      return;
    }
    const proxy = {
      prefix: flags.prefix,
      certFile: resolve(flags.cert),
      jwtAttributeUserId: flags.useridAttr,
      jwtAttributeUserDirectory: flags.userdirAttr,
      jwtAudience: flags.audience,
      jwtAttributeMap: [
        ...mappings(flags.attribute, false, '--attribute'),
        ...mappings(flags.mandatoryAttribute, true, '--mandatory-attribute'),
      ],
      sessionCookieHeaderName: flags.cookieName,
      sessionInactivityTimeout: flags.sessionTimeout,
      websocketCrossOriginWhiteList: flags.allowedOrigin,
      websocketCsrf: flags.websocketCsrf ?? false,
      upstream: flags.upstream,
      clockTolerance: `${flags.clockTolerance ?? 0}s`,
      sameSite: flags.sameSite,
      apps: apps(flags.app),
    };
    await serve(
      await validated(
        serverSettings(flags, { virtualProxies: [dropUndefined(proxy)], ...(qrs ? { qrs } : {}) }),
        'flags',
      ),
      flags.printConfig,
    );
  });
}

function buildCloud(): Command {
  const command = newCommand(
    'emulate cloud',
    "Emulate a Qlik Cloud tenant's JWT login (POST /login/jwt-session), CSRF token, users/me and engine websocket.",
    [
      'qs-jwt emulate cloud --cert publickey.cer --issuer https://idp.acme.com --kid my-key-id --port 0',
      'qs-jwt emulate cloud --cert publickey.pem --issuer https://idp.acme.com --kid k1 --clock-tolerance 5s --app my-app --tls',
      'qs-jwt emulate cloud --api-key-file api-key.txt   # no identity provider until one is created through the API',
    ],
  ).name('cloud');
  command
    .option('--tenant-id <id>', 'tenantId reported by /api/v1/users/me')
    .option('--session-timeout <minutes>', 'session inactivity timeout (default 30)', integerIn(1, 525_600))
    .addOption(
      new Option('--same-site <mode>', 'SameSite of the session cookies (default Lax)').choices([
        'Strict',
        'Lax',
        'None',
      ]),
    )
    .option('--allowed-origin <origin>', 'host or origin allowed to open the engine websocket (repeatable)', collect)
    .option('--app <id[=name]>', 'an app the engine lists and opens (repeatable)', collect)
    .option('--api-key-file <file>', 'the API key that authorises /api/v1/identity-providers and /api/v1/users/me')
    .option('--api-key-role <role>', "a role of the API key's user (repeatable; default TenantAdmin)", collect);
  addSettings(command, [
    SETTINGS.cert,
    SETTINGS.issuer,
    SETTINGS.kid,
    { setting: SETTINGS.clockTolerance, default: '5s' },
  ]);
  addServerOptions(command);
  return command.action(async (_flags: CloudFlags, self: Command) => {
    resolveSettings(self);
    const flags = self.opts<CloudFlags>();
    const missing = (['cert', 'issuer', 'kid'] as const).filter((name) => flags[name] === undefined);
    if (missing.length > 0 && (missing.length < 3 || flags.apiKeyFile === undefined)) {
      throw new CliError(
        `${missing.map((name) => `--${name}`).join(', ')} required: the identity provider's certificate, issuer and key ID (or none of them, with --api-key-file)`,
      );
    }
    const tenant = {
      issuer: flags.issuer,
      keyId: flags.kid,
      certFile: flags.cert === undefined ? undefined : resolve(flags.cert),
      apiKeyFile: flags.apiKeyFile === undefined ? undefined : resolve(flags.apiKeyFile),
      apiKeyRoles: flags.apiKeyRole,
      clockTolerance: `${flags.clockTolerance}s`,
      tenantId: flags.tenantId,
      sessionInactivityTimeout: flags.sessionTimeout,
      allowedOrigins: flags.allowedOrigin,
      sameSite: flags.sameSite,
      apps: apps(flags.app),
    };
    await serve(await validated(serverSettings(flags, { tenant: dropUndefined(tenant) }), 'flags'), flags.printConfig);
  });
}

function qrsSettings(flags: QseowFlags): { port: number; certsDir: string } | undefined {
  if ((flags.qrsPort === undefined) !== (flags.qrsCerts === undefined))
    throw new CliError(
      '--qrs-port and --qrs-certs go together: the port to serve QRS on and the folder for the client certificates',
    );
  return flags.qrsPort === undefined ? undefined : { port: flags.qrsPort, certsDir: resolve(flags.qrsCerts ?? '') };
}

/** Flags not given are left out, so the schema's defaults apply (and --print-config shows them). */
function dropUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** Config file paths (certFile, tls files) are relative to the file's folder. */
function resolveConfigPaths(json: unknown, folder: string): unknown {
  if (json === null || typeof json !== 'object') return json;
  const config = json as Record<string, unknown>;
  const fix = (entry: unknown, fields: readonly string[]): unknown => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return entry;
    const copy = { ...(entry as Record<string, unknown>) };
    for (const field of fields)
      if (typeof copy[field] === 'string') copy[field] = resolve(folder, copy[field] as string);
    return copy;
  };
  return {
    ...config,
    ...(Array.isArray(config['virtualProxies'])
      ? { virtualProxies: config['virtualProxies'].map((proxy) => fix(proxy, ['certFile'])) }
      : {}),
    ...(config['tenant'] !== undefined ? { tenant: fix(config['tenant'], ['certFile', 'apiKeyFile']) } : {}),
    ...(config['qrs'] !== undefined ? { qrs: fix(config['qrs'], ['certsDir']) } : {}),
    ...(config['tls'] !== undefined ? { tls: fix(config['tls'], ['certFile', 'keyFile']) } : {}),
  };
}

export function buildCommand(): Command {
  const command = newCommand(
    'emulate',
    "Run a local stand-in for Qlik's JWT endpoints (QSEoW virtual proxy, Qlik Cloud login) for tests and CI. Prints the URL as the first line of stdout.",
    [
      'qs-jwt emulate qseow --cert publickey.cer --port 0',
      'qs-jwt emulate cloud --cert publickey.cer --issuer https://idp.acme.com --kid my-key-id',
      'qs-jwt emulate --config emulator.json            # several virtual proxies and/or a tenant',
      'qs-jwt emulate --config emulator.json --print-config',
    ],
  );
  // Options before qseow/cloud belong to emulate, after them to the subcommand (same names in both).
  command.enablePositionalOptions();
  command.option(
    '--config <file>',
    'JSON settings: {host, port, tls, virtualProxies: [...], tenant: {...}, limits: {...}}',
  );
  addServerOptions(command);
  command.addCommand(buildQseow());
  command.addCommand(buildCloud());
  return command.action(async (_flags: unknown, self: Command) => {
    resolveSettings(self);
    const flags = self.opts<ServerFlags & { config?: string }>();
    if (flags.config === undefined)
      throw new CliError(
        'say what to emulate: qs-jwt emulate qseow …, qs-jwt emulate cloud …, or qs-jwt emulate --config FILE',
      );
    const text = (await readInput(flags.config, '--config')).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CliError(`--config ${flags.config}: not valid JSON (${(error as Error).message})`);
    }
    const withPaths = resolveConfigPaths(json, dirname(resolve(flags.config)));
    const label = `--config ${flags.config}`;
    if (withPaths === null || typeof withPaths !== 'object' || Array.isArray(withPaths))
      return serve(await validated(withPaths, label), flags.printConfig);
    return serve(
      await validated(serverSettings(flags, withPaths as Record<string, unknown>), label),
      flags.printConfig,
    );
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
