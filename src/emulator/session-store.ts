import { randomBytes } from 'node:crypto';

/**
 * In-memory sessions as plain data and functions, the clock passed in, so expiry and eviction are
 * testable without waiting. A store is bounded: past `capacity` the oldest session is evicted, so a
 * client minting tokens in a loop cannot exhaust memory.
 */

import { OldestFirstMap } from '../core/cache/oldest-first-map.js';

export const DEFAULT_SESSION_CAPACITY = 10_000;

export interface Session<User> {
  id: string;
  user: User;
  /** Sent back by /qps/csrftoken and /api/v1/csrf-token; required on websocket upgrades in CSRF mode. */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStore<User> {
  /** Insertion order = creation order: the first entry is the oldest. */
  sessions: OldestFirstMap<string, Session<User>>;
  capacity: number;
  /** Inactivity after which a session ends, in milliseconds. */
  inactivityMs: number;
}

export function createSessionStore<User>(options: { capacity?: number; inactivityMs: number }): SessionStore<User> {
  const capacity = options.capacity ?? DEFAULT_SESSION_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new Error(`session capacity ${capacity} is not a positive whole number`);
  return { sessions: new OldestFirstMap(), capacity, inactivityMs: options.inactivityMs };
}

/** 192 random bits: unguessable, and URL- and cookie-safe. */
export function newSessionSecret(): string {
  return randomBytes(24).toString('base64url');
}

export function isExpired<User>(store: SessionStore<User>, session: Session<User>, now: number): boolean {
  return now - session.lastSeenAt >= store.inactivityMs;
}

export function openSession<User>(store: SessionStore<User>, user: User, now: number): Session<User> {
  removeExpired(store, now);
  store.sessions.trimTo(store.capacity - 1);
  const session: Session<User> = {
    id: newSessionSecret(),
    user,
    csrfToken: newSessionSecret(),
    createdAt: now,
    lastSeenAt: now,
  };
  store.sessions.set(session.id, session);
  return session;
}

/** The live session with this id, its inactivity clock restarted; an expired one is removed. */
export function touchSession<User>(store: SessionStore<User>, id: string, now: number): Session<User> | undefined {
  const session = store.sessions.get(id);
  if (!session) return undefined;
  if (isExpired(store, session, now)) {
    store.sessions.delete(id);
    return undefined;
  }
  session.lastSeenAt = now;
  // Re-inserting keeps the map in last-seen order: expiry then only looks at the front, and the cap
  // evicts the least recently used session.
  store.sessions.delete(id);
  store.sessions.set(id, session);
  return session;
}

/** Ends every session whose user matches; returns how many ended. */
export function endSessions<User>(store: SessionStore<User>, matches: (user: User) => boolean): number {
  let ended = 0;
  for (const [id, session] of store.sessions) {
    if (matches(session.user)) {
      store.sessions.delete(id);
      ended += 1;
    }
  }
  return ended;
}

/**
 * Drops expired sessions. The map is in last-seen order, so expired sessions are all at the front and
 * the sweep stops at the first live one: opening a session costs O(expired), not O(sessions).
 */
export function removeExpired<User>(store: SessionStore<User>, now: number): number {
  return store.sessions.dropOldestWhile((session) => isExpired(store, session, now));
}
