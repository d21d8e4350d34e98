import type { KeyObject } from 'node:crypto';
import { acceptedTimeSpan } from '../core/lint/claim-rules.js';
import { verifyToken } from '../core/lint/verify-token.js';
import type { Finding } from '../core/lint/rules.js';
import type { AuthLogEntry } from './auth-log.js';
import { cookieValues, serializeCookie } from './cookies.js';
import type { VirtualProxyConfig } from './emulator-config.js';
import { bearerToken, headerValue, type RequestFacts } from './http-response.js';
import { isOriginAllowed } from './origin-check.js';
import { describeUser, sameUser, userFromClaims, type QseowUser } from './qseow-identity.js';
import { refusal, type Refusal } from './refusal-codes.js';
import { createSessionStore, openSession, touchSession, type Session, type SessionStore } from './session-store.js';
import {
  createVerifiedTokenCache,
  recallVerified,
  rememberVerified,
  type VerifiedTokenCache,
} from '../core/cache/verified-token-cache.js';

/**
 * A running QSEoW JWT virtual proxy: its settings, the key that verifies tokens, and its sessions.
 * How it authenticates a request (Bearer, else session cookie) is decided here, without sockets.
 */
export interface VirtualProxy {
  config: VirtualProxyConfig;
  publicKey: KeyObject;
  sessions: SessionStore<QseowUser>;
  /** Bearer tokens already accepted: a client repeating one pays for a single RSA verification. */
  verified: VerifiedTokenCache;
  /** The server speaks HTTPS: Secure cookies, and no -HTTP suffix on the cookie name. */
  secure: boolean;
}

export function createVirtualProxy(
  config: VirtualProxyConfig,
  publicKey: KeyObject,
  secure: boolean,
  maxSessions: number,
  maxVerifiedTokens?: number,
): VirtualProxy {
  return {
    config,
    publicKey,
    secure,
    sessions: createSessionStore({ capacity: maxSessions, inactivityMs: config.sessionInactivityTimeout * 60_000 }),
    verified: createVerifiedTokenCache(maxVerifiedTokens),
  };
}

/** Qlik's proxy appends -HTTP to the session cookie name over plain http. */
export function sessionCookieName(proxy: VirtualProxy): string {
  return proxy.secure ? proxy.config.sessionCookieHeaderName : `${proxy.config.sessionCookieHeaderName}-HTTP`;
}

export function sessionCookie(proxy: VirtualProxy, session: Session<QseowUser>): string {
  return serializeCookie(sessionCookieName(proxy), session.id, {
    httpOnly: true,
    secure: proxy.secure,
    sameSite: proxy.config.sameSite,
  });
}

export function expiredSessionCookie(proxy: VirtualProxy): string {
  return serializeCookie(sessionCookieName(proxy), '', {
    httpOnly: true,
    secure: proxy.secure,
    sameSite: proxy.config.sameSite,
    maxAge: 0,
  });
}

export type Authentication =
  | { ok: true; user: QseowUser; session: Session<QseowUser>; setCookies: string[]; via: 'bearer' | 'session' }
  | { ok: false; refusal: Refusal; via: 'bearer' | 'session' | 'none'; claimed?: string | undefined };

/** The error finding that best explains a refusal: the first error, in verifyToken's order. */
export function firstError(findings: readonly Finding[]): Refusal {
  const error = findings.find((item) => item.severity === 'error');
  return error ? { code: error.code, message: error.message } : { code: 'QJ020', message: 'token refused' };
}

/** Who a refused token claims to be, for the log only (never trusted): `DIR\\id` when both claims are strings. */
function claimedUser(
  payload: Readonly<Record<string, unknown>> | undefined,
  config: VirtualProxyConfig,
): string | undefined {
  const id = payload?.[config.jwtAttributeUserId];
  const directory = payload?.[config.jwtAttributeUserDirectory];
  return typeof id === 'string' && typeof directory === 'string' ? `${directory}\\${id}`.slice(0, 200) : undefined;
}

/** The live session named by the request's cookie, trying every candidate value (lenient parsing). */
export function sessionFromCookies(proxy: VirtualProxy, facts: RequestFacts): Session<QseowUser> | undefined {
  for (const value of cookieValues(facts.headers['cookie'], sessionCookieName(proxy))) {
    const session = touchSession(proxy.sessions, value, facts.now);
    if (session) return session;
  }
  return undefined;
}

/** Every rule of the proxy's settings at `at` (Unix seconds), or the cached answer for this exact token. */
function verifyBearer(
  proxy: VirtualProxy,
  token: string,
  at: number,
): { payload: Readonly<Record<string, unknown>> } | { refusal: Refusal; claimed: string | undefined } {
  const cached = recallVerified(proxy.verified, token, at);
  if (cached) return { payload: cached };
  const { config } = proxy;
  const result = verifyToken(token, {
    platform: 'qseow',
    keys: proxy.publicKey,
    userIdAttribute: config.jwtAttributeUserId,
    userDirectoryAttribute: config.jwtAttributeUserDirectory,
    audience: config.jwtAudience,
    clockTolerance: config.clockTolerance,
    at,
  });
  if (!result.accepted || !result.payload)
    return { refusal: firstError(result.findings), claimed: claimedUser(result.payload, config) };
  rememberVerified(proxy.verified, token, result.payload, acceptedTimeSpan(result.payload, config.clockTolerance));
  return { payload: result.payload };
}

/**
 * Qlik's rules: a request with a JWT is validated even when it has a valid cookie (invalid → refused);
 * a JWT for the cookie's user keeps that session; a JWT for another user starts a new one. Without a
 * JWT the session cookie alone is enough.
 */
export function authenticate(proxy: VirtualProxy, facts: RequestFacts): Authentication {
  const token = bearerToken(facts.headers);
  const fromCookie = sessionFromCookies(proxy, facts);
  if (token === 'malformed') return { ok: false, refusal: refusal('EMU002'), via: 'bearer' };
  if (token !== undefined) {
    const verified = verifyBearer(proxy, token, Math.floor(facts.now / 1000));
    if ('refusal' in verified)
      return { ok: false, refusal: verified.refusal, via: 'bearer', claimed: verified.claimed };
    const { config } = proxy;
    const payload = verified.payload;
    const user = userFromClaims(
      payload,
      config.jwtAttributeUserId,
      config.jwtAttributeUserDirectory,
      config.jwtAttributeMap,
    );
    if ('code' in user) return { ok: false, refusal: user, via: 'bearer', claimed: claimedUser(payload, config) };
    if (fromCookie && sameUser(fromCookie.user, user)) {
      fromCookie.user = user;
      return { ok: true, user, session: fromCookie, setCookies: [], via: 'bearer' };
    }
    const session = openSession(proxy.sessions, user, facts.now);
    return { ok: true, user, session, setCookies: [sessionCookie(proxy, session)], via: 'bearer' };
  }
  if (fromCookie) return { ok: true, user: fromCookie.user, session: fromCookie, setCookies: [], via: 'session' };
  const hasCookie = cookieValues(facts.headers['cookie'], sessionCookieName(proxy)).length > 0;
  return hasCookie
    ? { ok: false, refusal: refusal('EMU004', 'the session cookie names no live session'), via: 'session' }
    : { ok: false, refusal: refusal('EMU001'), via: 'none' };
}

export function authLog(
  proxy: VirtualProxy,
  facts: RequestFacts,
  outcome: Authentication | { ok: false; refusal: Refusal; via: 'bearer' | 'session' | 'none'; user?: QseowUser },
): AuthLogEntry {
  const user = outcome.ok ? outcome.user : 'user' in outcome ? outcome.user : undefined;
  const claimed = !outcome.ok && 'claimed' in outcome ? outcome.claimed : undefined;
  return {
    event: 'auth',
    target: `qseow:/${proxy.config.prefix}`,
    outcome: outcome.ok ? 'accepted' : 'rejected',
    via: outcome.via,
    code: outcome.ok ? undefined : outcome.refusal.code,
    reason: outcome.ok ? undefined : outcome.refusal.message,
    user: user ? describeUser(user) : claimed,
    method: facts.method,
    path: facts.path.split('?')[0] ?? '',
  };
}

export type UpgradeDecision =
  | { accept: true; user: QseowUser; session: Session<QseowUser>; log: AuthLogEntry }
  | { accept: false; status: 401 | 403; refusal: Refusal; log: AuthLogEntry };

/**
 * The engine websocket upgrade. Classic flow: a Bearer token on the upgrade request (non-browser
 * clients, no Origin check: browsers cannot set that header). Cookie flow: before Nov 2024 the cookie
 * was enough (an Origin, when sent, must be allowed); with websocketCsrf (the Nov 2024 behaviour) the
 * upgrade also needs ?qlik-csrf-token= equal to the session's token from /qps/csrftoken, else 403.
 * An Origin, when sent, must be allowed; a missing Origin is accepted, because the check is against
 * cross-site websocket hijacking, browsers always send Origin, and Qlik's own Node client (@qlik/api's
 * windowscookie module) opens the engine websocket with the cookie and the CSRF token but no Origin.
 * The Cloud tenant's upgrade decides the same way.
 */
export function decideQseowUpgrade(proxy: VirtualProxy, facts: RequestFacts): UpgradeDecision {
  const auth = authenticate(proxy, facts);
  if (!auth.ok) return { accept: false, status: 401, refusal: auth.refusal, log: authLog(proxy, facts, auth) };
  if (auth.via === 'session') {
    const origin = headerValue(facts.headers, 'origin');
    const host = headerValue(facts.headers, 'host');
    const refuse = (reason: Refusal): UpgradeDecision => ({
      accept: false,
      status: 403,
      refusal: reason,
      log: authLog(proxy, facts, { ok: false, refusal: reason, via: 'session', user: auth.user }),
    });
    if (origin !== undefined && !isOriginAllowed(origin, host, proxy.config.websocketCrossOriginWhiteList))
      return refuse(refusal('EMU007', origin.slice(0, 100)));
    if (proxy.config.websocketCsrf) {
      if (facts.query.get('qlik-csrf-token') !== auth.session.csrfToken) return refuse(refusal('EMU006'));
    }
  }
  return { accept: true, user: auth.user, session: auth.session, log: authLog(proxy, facts, auth) };
}
