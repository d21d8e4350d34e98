import { createHash, createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { decodeToken } from '../core/lint/decode-token.js';
import { verifyToken } from '../core/lint/verify-token.js';
import {
  apiError as managementError,
  candidateIdentityProviders,
  decideIdentityProviderApi,
  newIdentityProvider,
  type IdentityProviderStore,
} from './cloud-identity-providers.js';
import type { AuthLogEntry } from './auth-log.js';
import { cloudErrorBody, cloudErrorFor, CLOUD_UNAUTHORIZED } from './cloud-error-status.js';
import { parseCookies, serializeCookie } from './cookies.js';
import type { TenantConfig } from './emulator-config.js';
import {
  bearerToken,
  headerValue,
  jsonResponse,
  textResponse,
  type RequestFacts,
  type ResponseDescription,
} from './http-response.js';
import { createJtiRegistry, useJti, type JtiRegistry } from './jti-registry.js';
import { isOriginAllowed } from './origin-check.js';
import { firstError } from './qseow-proxy.js';
import { reasonHeader, refusal, type Refusal } from './refusal-codes.js';
import { createSessionStore, openSession, touchSession, type Session, type SessionStore } from './session-store.js';

/**
 * A Qlik Cloud tenant's JWT login and the few APIs clients call right after it. Sessions are named by
 * the eas.sid cookie with an HMAC signature cookie (eas.sid.sig), as Qlik's Express-style cookies are;
 * the CSRF token travels in _csrfToken (+ .sig) and must come back in the qlik-csrf-token header.
 */

export interface CloudUser {
  /** Stable per subject: 24 hex characters, shaped like Qlik Cloud user IDs. */
  id: string;
  subject: string;
  name: string;
  email: string;
  groups: string[];
}

export interface CloudTenant {
  config: TenantConfig;
  /** The JWT identity providers: /login/jwt-session trusts exactly these, as they are at that moment. */
  identityProviders: IdentityProviderStore;
  /** Authorises the management APIs as a Bearer token, like a Qlik Cloud API key. */
  apiKey: string | undefined;
  sessions: SessionStore<CloudUser>;
  jtis: JtiRegistry;
  /** Signs the session and CSRF cookies; fresh per run. */
  cookieSecret: Buffer;
  secure: boolean;
}

/**
 * `publicKey` with config.issuer and config.keyId: an identity provider that exists from the start
 * (the --cert/--issuer/--kid shortcut). `pem` is its certificate text as the IdP API shows it.
 */
export function createCloudTenant(
  config: TenantConfig,
  publicKey: KeyObject | undefined,
  secure: boolean,
  maxSessions: number,
  maxJtis: number,
  options: { apiKey?: string | undefined; pem?: string | undefined; now?: number } = {},
): CloudTenant {
  const providers = [];
  if (publicKey && config.issuer !== undefined && config.keyId !== undefined) {
    const pem = options.pem ?? (publicKey.export({ type: 'spki', format: 'pem' }) as string);
    providers.push(
      newIdentityProvider(
        {
          issuer: config.issuer,
          keyId: config.keyId,
          pem,
          publicKey,
          clockToleranceSec: config.clockTolerance,
          description: 'created at start (qs-jwt emulate)',
        },
        options.now ?? Date.now(),
      ),
    );
  }
  return {
    config,
    identityProviders: { providers, tenantId: config.tenantId, defaultTolerance: config.clockTolerance },
    apiKey: options.apiKey,
    secure,
    sessions: createSessionStore({ capacity: maxSessions, inactivityMs: config.sessionInactivityTimeout * 60_000 }),
    jtis: createJtiRegistry(maxJtis),
    cookieSecret: randomBytes(32),
  };
}

function sign(tenant: CloudTenant, name: string, value: string): string {
  return createHmac('sha256', tenant.cookieSecret).update(`${name}=${value}`).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function sessionCookies(tenant: CloudTenant, session: Session<CloudUser>): string[] {
  const attributes = { secure: tenant.secure, sameSite: tenant.config.sameSite, httpOnly: true };
  return [
    serializeCookie('eas.sid', session.id, attributes),
    serializeCookie('eas.sid.sig', sign(tenant, 'eas.sid', session.id), attributes),
    // The CSRF cookie is readable by scripts, as it is meant to be echoed into a header.
    serializeCookie('_csrfToken', session.csrfToken, { ...attributes, httpOnly: false }),
    serializeCookie('_csrfToken.sig', sign(tenant, '_csrfToken', session.csrfToken), attributes),
  ];
}

/** The session named by a correctly signed eas.sid cookie, if it is still live. */
export function cloudSession(tenant: CloudTenant, facts: RequestFacts): Session<CloudUser> | undefined {
  const cookies = parseCookies(facts.headers['cookie']);
  const signatures = cookies.get('eas.sid.sig') ?? [];
  for (const id of cookies.get('eas.sid') ?? []) {
    const expected = sign(tenant, 'eas.sid', id);
    if (!signatures.some((candidate) => sameText(candidate, expected))) continue;
    const session = touchSession(tenant.sessions, id, facts.now);
    if (session) return session;
  }
  return undefined;
}

function userId(issuer: string, subject: string): string {
  return createHash('sha256').update(`${issuer}\n${subject}`).digest('hex').slice(0, 24);
}

function logEntry(
  facts: RequestFacts,
  outcome: 'accepted' | 'rejected',
  via: AuthLogEntry['via'],
  user: string | undefined,
  reason?: Refusal,
): AuthLogEntry {
  return {
    event: 'auth',
    target: 'cloud',
    outcome,
    via,
    code: reason?.code,
    reason: reason?.message,
    user,
    method: facts.method,
    path: facts.path.split('?')[0] ?? '',
  };
}

export interface CloudDecision {
  response: ResponseDescription;
  log?: AuthLogEntry | undefined;
}

function loginRefusal(facts: RequestFacts, reason: Refusal, subject: string | undefined): CloudDecision {
  const shape = cloudErrorFor(reason.code);
  // Qlik's detail for a missing claim reads "JWT_LOGIN_VALIDATIONS Missing required claim: nbf".
  const missing = reason.code === 'QJ201' ? /"([^"]+)"/.exec(reason.message)?.[1] : undefined;
  const detail =
    missing !== undefined
      ? `JWT_LOGIN_VALIDATIONS Missing required claim: ${missing}`
      : `JWT_LOGIN_VALIDATIONS ${reason.message}`;
  return {
    response: jsonResponse(shape.status, cloudErrorBody(shape, detail), { 'x-qs-jwt-reason': reasonHeader(reason) }),
    log: logEntry(facts, 'rejected', reason.code === 'EMU001' ? 'none' : 'bearer', subject, reason),
  };
}

/** POST /login/jwt-session: every Qlik Cloud token rule, then the single-use jti. */
export function decideCloudLogin(tenant: CloudTenant, facts: RequestFacts): CloudDecision {
  if (facts.method.toUpperCase() !== 'POST')
    return { response: textResponse(405, 'Method Not Allowed', { allow: 'POST' }) };
  const token = bearerToken(facts.headers);
  if (token === undefined) return loginRefusal(facts, refusal('EMU001'), undefined);
  if (token === 'malformed') return loginRefusal(facts, refusal('EMU002'), undefined);
  const nowSeconds = Math.floor(facts.now / 1000);
  const decoded = decodeToken(token);
  const candidates = candidateIdentityProviders(
    tenant.identityProviders.providers,
    decoded.header?.['kid'],
    decoded.payload?.['iss'],
  );
  const checked = candidates.map((candidate) => ({
    idp: candidate,
    result: verifyToken(token, {
      platform: 'cloud',
      keys: candidate.publicKey,
      issuer: candidate.issuer,
      keyId: candidate.keyId,
      clockTolerance: candidate.clockToleranceSec,
      at: nowSeconds,
    }),
  }));
  const chosen = checked.find((item) => item.result.accepted) ?? checked[0];
  if (!chosen) return loginRefusal(facts, refusal('EMU012'), undefined);
  const { idp, result } = chosen;
  const clockTolerance = idp.clockToleranceSec;
  const payload = result.payload ?? {};
  const subject = typeof payload['sub'] === 'string' ? payload['sub'] : undefined;
  if (!result.accepted) {
    // Claim-format errors first (400), as Qlik's validation reports them before trust errors (401).
    const errors = result.findings.filter((item) => item.severity === 'error');
    const badRequest = errors.find((item) => cloudErrorFor(item.code).status === 400);
    return loginRefusal(
      facts,
      badRequest ? { code: badRequest.code, message: badRequest.message } : firstError(result.findings),
      subject,
    );
  }
  const jti = String(payload['jti']);
  if (!useJti(tenant.jtis, jti, Number(payload['exp']) + clockTolerance, nowSeconds))
    return loginRefusal(facts, refusal('EMU008', jti.slice(0, 80)), subject);
  const groups = Array.isArray(payload['groups']) ? (payload['groups'] as string[]) : [];
  const user: CloudUser = {
    id: userId(idp.issuer, String(subject)),
    subject: String(subject),
    name: String(payload['name']),
    email: String(payload['email']),
    groups,
  };
  const session = openSession(tenant.sessions, user, facts.now);
  return {
    response: jsonResponse(200, {}, { 'set-cookie': sessionCookies(tenant, session) }),
    log: logEntry(facts, 'accepted', 'bearer', user.subject),
  };
}

function apiError(status: number, code: string, title: string, reason: Refusal): ResponseDescription {
  return jsonResponse(status, cloudErrorBody({ code, title, status }, reason.message), {
    'x-qs-jwt-reason': reasonHeader(reason),
  });
}

/** The API key's user, as `/api/v1/users/me` shows it; its roles come from the config. */
function apiKeyUser(tenant: CloudTenant): Record<string, unknown> {
  return {
    id: 'apikeyuser00000000000001',
    tenantId: tenant.config.tenantId,
    subject: 'qs-jwt-emulator|api-key-owner',
    name: 'API key owner',
    email: 'api-key-owner@emulated.test',
    status: 'active',
    assignedRoles: tenant.config.apiKeyRoles.map((name) => ({
      id: createHash('sha256').update(name).digest('hex').slice(0, 24),
      name,
      type: 'default',
      level: name === 'TenantAdmin' ? 'admin' : 'user',
    })),
    assignedGroups: [],
  };
}

const IDP_PATH = '/api/v1/identity-providers';

/**
 * A call with the API key as Bearer token: /api/v1/users/me, and the identity-provider API for a
 * TenantAdmin (403 otherwise, as documented, B.1). API keys need no CSRF token.
 */
function decideApiKeyCall(tenant: CloudTenant, facts: RequestFacts, path: string, body: Buffer): CloudDecision {
  const method = facts.method.toUpperCase();
  const log = logEntry(facts, 'accepted', 'bearer', 'api-key');
  if (path === '/api/v1/users/me') {
    return {
      response:
        method === 'GET'
          ? jsonResponse(200, apiKeyUser(tenant))
          : managementError(405, 'Method Not Allowed', 'GET only'),
      log,
    };
  }
  if (path === IDP_PATH || path.startsWith(`${IDP_PATH}/`)) {
    if (!tenant.config.apiKeyRoles.includes('TenantAdmin')) {
      return {
        response: managementError(403, 'Forbidden', 'the identity-providers API needs the TenantAdmin role'),
        log,
      };
    }
    return { response: decideIdentityProviderApi(tenant.identityProviders, facts, path, body), log };
  }
  return { response: managementError(404, 'Not found', `${method} ${path} is not emulated for API keys`), log };
}

/** Everything under /api/: an API key, or a session (non-GET calls then also need the CSRF header). */
export function decideCloudApi(
  tenant: CloudTenant,
  facts: RequestFacts,
  body: Buffer = Buffer.alloc(0),
): CloudDecision {
  const method = facts.method.toUpperCase();
  const path = (facts.path.split('?')[0] ?? '').replace(/\/+$/, '').toLowerCase();
  const bearer = bearerToken(facts.headers);
  if (tenant.apiKey !== undefined && typeof bearer === 'string') {
    if (sameText(bearer, tenant.apiKey)) return decideApiKeyCall(tenant, facts, path, body);
    const reason = refusal('EMU004', 'the Bearer token is not the API key');
    return {
      response: apiError(401, CLOUD_UNAUTHORIZED.code, CLOUD_UNAUTHORIZED.title, reason),
      log: logEntry(facts, 'rejected', 'bearer', undefined, reason),
    };
  }
  const session = cloudSession(tenant, facts);
  if (!session) {
    const reason = refusal('EMU004', 'no signed eas.sid session cookie');
    return {
      response: apiError(401, CLOUD_UNAUTHORIZED.code, CLOUD_UNAUTHORIZED.title, reason),
      log: logEntry(facts, 'rejected', 'none', undefined, reason),
    };
  }
  const log = logEntry(facts, 'accepted', 'session', session.user.subject);
  if (method !== 'GET' && method !== 'HEAD') {
    const header = headerValue(facts.headers, 'qlik-csrf-token');
    if (header === undefined || !sameText(header, session.csrfToken)) {
      const reason = refusal('EMU009');
      return {
        response: apiError(403, 'CSRF-TOKEN-2', 'CSRF token invalid', reason),
        log: logEntry(facts, 'rejected', 'session', session.user.subject, reason),
      };
    }
  }
  if (path === '/api/v1/csrf-token' && method === 'GET')
    return { response: { status: 204, headers: { 'qlik-csrf-token': session.csrfToken }, body: '' }, log };
  if (path === '/api/v1/users/me' && method === 'GET') {
    const { user } = session;
    return {
      response: jsonResponse(200, {
        id: user.id,
        tenantId: tenant.config.tenantId,
        subject: user.subject,
        name: user.name,
        email: user.email,
        status: 'active',
        assignedGroups: user.groups.map((name) => ({
          id: createHash('sha256').update(name).digest('hex').slice(0, 24),
          name,
          providerType: 'idp',
        })),
      }),
      log,
    };
  }
  return {
    response: jsonResponse(
      404,
      cloudErrorBody({ code: 'HTTP-404', title: 'Not found', status: 404 }, `${method} ${path} is not emulated`),
    ),
    log,
  };
}

export type CloudUpgradeDecision =
  | { accept: true; user: CloudUser; log: AuthLogEntry }
  | { accept: false; status: 401 | 403; refusal: Refusal; log: AuthLogEntry };

/** wss://tenant/app/<appId>?qlik-csrf-token=…: session cookies, the CSRF token, and (when sent) an allowed Origin. */
export function decideCloudUpgrade(tenant: CloudTenant, facts: RequestFacts): CloudUpgradeDecision {
  const session = cloudSession(tenant, facts);
  if (!session) {
    const reason = refusal('EMU004', 'no signed eas.sid session cookie');
    return { accept: false, status: 401, refusal: reason, log: logEntry(facts, 'rejected', 'none', undefined, reason) };
  }
  const origin = headerValue(facts.headers, 'origin');
  let reason: Refusal | undefined;
  if (
    origin !== undefined &&
    !isOriginAllowed(origin, headerValue(facts.headers, 'host'), tenant.config.allowedOrigins)
  )
    reason = refusal('EMU007', origin.slice(0, 100));
  else if (facts.query.get('qlik-csrf-token') !== session.csrfToken) reason = refusal('EMU006');
  if (reason)
    return {
      accept: false,
      status: 403,
      refusal: reason,
      log: logEntry(facts, 'rejected', 'session', session.user.subject, reason),
    };
  return { accept: true, user: session.user, log: logEntry(facts, 'accepted', 'session', session.user.subject) };
}
