import { ConfigError } from '../core/config/config-schema.js';
import { parseSignedDuration } from '../core/time/duration.js';
import { isCookieName, SAME_SITE_VALUES, type SameSite } from './cookies.js';

/**
 * The emulator's settings: one or more QSEoW JWT virtual proxies and/or one Qlik Cloud tenant. Field
 * names of a virtual proxy follow Qlik's QRS `VirtualProxyConfig` model, so settings can be copied from
 * a real proxy; the rest are the emulator's own. The CLI builds this object from flags or reads it from
 * `--config FILE`; both pass through parseEmulatorConfig, so --print-config shows exactly what runs.
 */

export interface AttributeMapping {
  senseAttribute: string;
  jwtAttribute: string;
  isMandatory: boolean;
}

/** An app the engine emulation lists and opens. */
export interface EmulatedApp {
  id: string;
  name: string;
}

export interface VirtualProxyConfig {
  prefix: string;
  /** Certificate or public key file, relative to the config file. Exactly one of certFile and jwtPublicKeyCertificate. */
  certFile?: string | undefined;
  /** The PEM itself, as in the QRS model. */
  jwtPublicKeyCertificate?: string | undefined;
  jwtAttributeUserId: string;
  jwtAttributeUserDirectory: string;
  /** Checked only when set [choice in the facts]. */
  jwtAudience?: string | undefined;
  jwtAttributeMap: AttributeMapping[];
  /** Without the `-HTTP` suffix, which is added over plain http. */
  sessionCookieHeaderName: string;
  /** Minutes. */
  sessionInactivityTimeout: number;
  /** Hosts (`app.example.com`) or origins (`https://app.example.com`) allowed to open the engine websocket. */
  websocketCrossOriginWhiteList: string[];
  /** The Nov 2024 websocket flow: a cookie-authenticated upgrade needs ?qlik-csrf-token= and an allowed Origin. */
  websocketCsrf: boolean;
  /** Forward authenticated requests here instead of answering them. */
  upstream?: string | undefined;
  /** Seconds of leeway for exp/nbf; Qlik's proxy allows none [choice: 0 by default]. */
  clockTolerance: number;
  sameSite: SameSite;
  apps: EmulatedApp[];
}

export interface TenantConfig {
  /** A JWT identity provider created at start (issuer, keyId and a key together), or none: see apiKeyFile. */
  issuer?: string | undefined;
  keyId?: string | undefined;
  /** Certificate or public key file, relative to the config file. At most one of certFile and publicKey. */
  certFile?: string | undefined;
  publicKey?: string | undefined;
  /** A file whose text is the API key that authorises /api/v1/identity-providers and /api/v1/users/me. */
  apiKeyFile?: string | undefined;
  /** Roles of the API key's user, as /api/v1/users/me reports them (default TenantAdmin). */
  apiKeyRoles: string[];
  /** Seconds; Qlik Cloud's identity provider setting clockToleranceSec. */
  clockTolerance: number;
  tenantId: string;
  /** Minutes. */
  sessionInactivityTimeout: number;
  /** Hosts or origins allowed to open the engine websocket (besides the emulator's own origin). */
  allowedOrigins: string[];
  sameSite: SameSite;
  apps: EmulatedApp[];
}

export interface TlsConfig {
  /** off: http; generate: a fresh self-signed certificate for this run; files: certFile + keyFile. */
  mode: 'off' | 'generate' | 'files';
  certFile?: string | undefined;
  keyFile?: string | undefined;
}

export interface EmulatorLimits {
  maxSessions: number;
  maxBodyBytes: number;
  maxHeaderBytes: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How many used Cloud jtis are remembered at most (each until its exp). */
  maxRememberedJtis: number;
  /** How many accepted Bearer tokens each virtual proxy remembers (each until its exp); 0 verifies every request afresh. */
  maxVerifiedTokens: number;
  /** Engine websockets open at once; more are refused with 503. */
  maxWebsockets: number;
  /** An engine websocket whose client sends nothing for this long is closed (1001); 0 never. */
  websocketIdleTimeoutMs: number;
}

/** The repository API (QRS) over mutual TLS, on a port of its own as Qlik's 4242. */
export interface QrsConfig {
  port: number;
  /** Where client.pem, client_key.pem and root.pem are written, as the QMC exports them. */
  certsDir: string;
}

export interface EmulatorConfig {
  host: string;
  port: number;
  tls: TlsConfig;
  qrs?: QrsConfig | undefined;
  virtualProxies: VirtualProxyConfig[];
  tenant?: TenantConfig | undefined;
  limits: EmulatorLimits;
}

export const DEFAULT_LIMITS: EmulatorLimits = {
  maxSessions: 10_000,
  maxBodyBytes: 64 * 1024,
  maxHeaderBytes: 16 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxRememberedJtis: 100_000,
  maxVerifiedTokens: 10_000,
  maxWebsockets: 1000,
  websocketIdleTimeoutMs: 600_000,
};

export const DEFAULT_PREFIX = 'jwt';
/** Paths the emulator owns outside any virtual proxy; a prefix may not shadow them. */
export const RESERVED_PREFIXES: readonly string[] = ['resources', 'api', 'login', 'app'];

export function defaultCookieName(prefix: string): string {
  return `X-Qlik-Session-${prefix}`;
}

function durationSeconds(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const seconds = parseSignedDuration(value);
  return seconds !== undefined && seconds >= 0 ? seconds : undefined;
}

/** `http(s)://host[:port]` with nothing that would make forwarding ambiguous. */
function isUpstreamUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.username === '' &&
      url.password === '' &&
      url.search === '' &&
      url.hash === ''
    );
  } catch {
    return false;
  }
}

/**
 * Validates and completes an emulator config (parsed JSON or built from flags). Errors name the
 * virtual proxy or tenant and the field, like the profile config's.
 */
export async function parseEmulatorConfig(json: unknown, label: string): Promise<EmulatorConfig> {
  // valibot loads only for the emulator, as for profile configs.
  const v = await import('valibot');
  const text = (what: string) =>
    v.pipe(v.string(`expected ${what} as a string`), v.trim(), v.nonEmpty(`expected a non-empty ${what}`));
  const seconds = (fallback: number) =>
    v.optional(
      v.pipe(
        v.union([v.string(), v.number()], 'expected a duration such as "5s" or a number of seconds'),
        v.transform(durationSeconds),
        v.number('expected a duration of zero or more, such as "5s" or 30'),
      ),
      fallback,
    );
  const minutes = v.optional(
    v.pipe(
      v.number('expected minutes as a number'),
      v.integer('expected whole minutes'),
      v.minValue(1, 'expected at least 1 minute'),
      v.maxValue(525_600, 'expected at most a year'),
    ),
    30,
  );
  const sameSite = v.optional(v.picklist(SAME_SITE_VALUES, `expected one of ${SAME_SITE_VALUES.join(', ')}`), 'Lax');
  const apps = v.optional(
    v.array(
      v.strictObject(
        {
          id: v.pipe(
            text('app ID'),
            v.regex(/^[\w.-]{1,128}$/, 'expected an app ID of letters, digits, "-", "_" or "."'),
          ),
          name: v.optional(text('app name')),
        },
        'an app takes id and name',
      ),
    ),
    [],
  );
  const origins = v.optional(v.array(text('host or origin')), []);
  const proxySchema = v.pipe(
    v.strictObject(
      {
        prefix: v.pipe(
          text('prefix'),
          v.regex(
            /^[a-z0-9][a-z0-9_-]{0,63}$/,
            'expected a lowercase prefix of letters, digits, "-" or "_" (Qlik keeps prefixes lowercase)',
          ),
          v.check(
            (prefix) => !RESERVED_PREFIXES.includes(prefix),
            `expected a prefix other than ${RESERVED_PREFIXES.join(', ')} (the emulator serves those paths itself)`,
          ),
        ),
        certFile: v.optional(text('file path')),
        jwtPublicKeyCertificate: v.optional(text('PEM certificate')),
        jwtAttributeUserId: v.optional(text('claim name'), 'userId'),
        jwtAttributeUserDirectory: v.optional(text('claim name'), 'userDirectory'),
        jwtAudience: v.optional(text('audience')),
        jwtAttributeMap: v.optional(
          v.array(
            v.strictObject(
              {
                senseAttribute: text('Sense attribute name'),
                jwtAttribute: text('claim name'),
                isMandatory: v.optional(v.boolean('expected isMandatory as true or false'), false),
              },
              'an attribute mapping takes senseAttribute, jwtAttribute and isMandatory',
            ),
          ),
          [],
        ),
        sessionCookieHeaderName: v.optional(
          v.pipe(
            text('cookie name'),
            v.check(isCookieName, "expected a cookie name of letters, digits and -_.!#$%&'*+^`|~"),
          ),
        ),
        sessionInactivityTimeout: minutes,
        websocketCrossOriginWhiteList: origins,
        websocketCsrf: v.optional(v.boolean('expected true or false'), false),
        upstream: v.optional(
          v.pipe(
            text('URL'),
            v.check(isUpstreamUrl, 'expected an http:// or https:// URL without credentials, query or fragment'),
          ),
        ),
        clockTolerance: seconds(0),
        sameSite,
        apps,
      },
      'unknown field in a virtual proxy',
    ),
    v.check(
      (proxy) => (proxy.certFile === undefined) !== (proxy.jwtPublicKeyCertificate === undefined),
      'give exactly one of certFile and jwtPublicKeyCertificate',
    ),
  );
  const tenantSchema = v.pipe(
    v.strictObject(
      {
        issuer: v.optional(text('issuer')),
        keyId: v.optional(text('key ID')),
        certFile: v.optional(text('file path')),
        publicKey: v.optional(text('PEM certificate or public key')),
        apiKeyFile: v.optional(text('file path')),
        apiKeyRoles: v.optional(v.array(text('role name')), ['TenantAdmin']),
        clockTolerance: seconds(5),
        tenantId: v.optional(text('tenant ID'), 'emulated-tenant'),
        sessionInactivityTimeout: minutes,
        allowedOrigins: origins,
        sameSite,
        apps,
      },
      'unknown field in the tenant',
    ),
    v.check(
      (tenant) => tenant.certFile === undefined || tenant.publicKey === undefined,
      'give at most one of certFile and publicKey',
    ),
    v.check((tenant) => {
      const given = [tenant.issuer, tenant.keyId, tenant.certFile ?? tenant.publicKey].filter(
        (item) => item !== undefined,
      ).length;
      return given === 3 || (given === 0 && tenant.apiKeyFile !== undefined);
    }, 'give issuer, keyId and certFile (or publicKey) together for an identity provider at start, or none of them and apiKeyFile'),
  );
  const whole = (min: number, max: number, fallback: number) =>
    v.optional(
      v.pipe(
        v.number(),
        v.integer(`expected a whole number from ${min} to ${max}`),
        v.minValue(min, `expected at least ${min}`),
        v.maxValue(max, `expected at most ${max}`),
      ),
      fallback,
    );
  const schema = v.pipe(
    v.strictObject(
      {
        host: v.optional(text('host'), '127.0.0.1'),
        port: whole(0, 65_535, 0),
        tls: v.optional(
          v.pipe(
            v.strictObject(
              {
                mode: v.picklist(['off', 'generate', 'files'], 'expected "off", "generate" or "files"'),
                certFile: v.optional(text('file path')),
                keyFile: v.optional(text('file path')),
              },
              'tls takes mode, certFile and keyFile',
            ),
            v.check(
              (tls) => tls.mode !== 'files' || (tls.certFile !== undefined && tls.keyFile !== undefined),
              'mode "files" needs certFile and keyFile',
            ),
          ),
          { mode: 'off' as const },
        ),
        virtualProxies: v.optional(v.array(proxySchema), []),
        tenant: v.optional(tenantSchema),
        qrs: v.optional(
          v.strictObject(
            {
              port: whole(0, 65_535, 0),
              certsDir: text('folder'),
            },
            'qrs takes port and certsDir',
          ),
        ),
        limits: v.optional(
          v.strictObject(
            {
              maxSessions: whole(1, 10_000_000, DEFAULT_LIMITS.maxSessions),
              maxBodyBytes: whole(1024, 16 * 1024 * 1024, DEFAULT_LIMITS.maxBodyBytes),
              maxHeaderBytes: whole(1024, 1024 * 1024, DEFAULT_LIMITS.maxHeaderBytes),
              requestTimeoutMs: whole(100, 3_600_000, DEFAULT_LIMITS.requestTimeoutMs),
              headersTimeoutMs: whole(100, 3_600_000, DEFAULT_LIMITS.headersTimeoutMs),
              keepAliveTimeoutMs: whole(100, 3_600_000, DEFAULT_LIMITS.keepAliveTimeoutMs),
              maxRememberedJtis: whole(1, 10_000_000, DEFAULT_LIMITS.maxRememberedJtis),
              maxVerifiedTokens: whole(0, 10_000_000, DEFAULT_LIMITS.maxVerifiedTokens),
              maxWebsockets: whole(1, 1_000_000, DEFAULT_LIMITS.maxWebsockets),
              websocketIdleTimeoutMs: whole(0, 86_400_000, DEFAULT_LIMITS.websocketIdleTimeoutMs),
            },
            'unknown field in limits',
          ),
          {},
        ),
      },
      'unknown field at the top level; the config takes host, port, tls, virtualProxies, tenant and limits',
    ),
    v.check(
      (config) => config.virtualProxies.length > 0 || config.tenant !== undefined || config.qrs !== undefined,
      'configure at least one virtual proxy or a tenant (or the QRS API)',
    ),
    v.check(
      (config) => new Set(config.virtualProxies.map((proxy) => proxy.prefix)).size === config.virtualProxies.length,
      'two virtual proxies have the same prefix',
    ),
  );

  const result = v.safeParse(schema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = (issue.path ?? []).map((item) => String(item.key));
    const where =
      path[0] === 'virtualProxies' && path[1] !== undefined
        ? `virtual proxy ${Number(path[1]) + 1}${path.length > 2 ? `, field "${path.slice(2).join('.')}"` : ''}`
        : path.length > 0
          ? `field "${path.join('.')}"`
          : 'top level';
    throw new ConfigError('CONFIG_INVALID', `${label}: ${where}: ${issue.message}`);
  }
  const output = result.output;
  return {
    host: output.host,
    port: output.port,
    tls: output.tls,
    qrs: output.qrs,
    virtualProxies: output.virtualProxies.map((proxy) => ({
      ...proxy,
      sessionCookieHeaderName: proxy.sessionCookieHeaderName ?? defaultCookieName(proxy.prefix),
      apps: proxy.apps.map((app) => ({ id: app.id, name: app.name ?? app.id })),
    })),
    tenant: output.tenant && {
      ...output.tenant,
      apps: output.tenant.apps.map((app) => ({ id: app.id, name: app.name ?? app.id })),
    },
    limits: { ...DEFAULT_LIMITS, ...output.limits },
  };
}
