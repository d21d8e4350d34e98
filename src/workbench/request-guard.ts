/**
 * DNS rebinding and cross-site request checks. A page on another site can make the browser send
 * requests to 127.0.0.1; it cannot read the answers unless its own host name resolves there (DNS
 * rebinding), in which case the Host header names that site. So only Host values naming the bound
 * address or localhost (with this port) are served, and state-changing requests must come from a page
 * of this origin (Origin header), never from a form or script elsewhere.
 */
import { hostForUrl } from '../net/server-listening.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Host header values this server answers: the bound address and the loopback names, with the port. */
export function allowedHosts(boundHost: string, port: number, more: readonly string[] = []): ReadonlySet<string> {
  const names = new Set([hostForUrl(boundHost), ...LOOPBACK_NAMES, ...more.map(hostForUrl)]);
  return new Set([...names].map((name) => `${name.toLowerCase()}:${port}`));
}

export function hostAllowed(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  return hostHeader !== undefined && allowed.has(hostHeader.toLowerCase());
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * A state-changing request is allowed only with an Origin of this server (http://<an allowed host>).
 * Browsers send Origin on every cross-site and same-origin POST, so a missing one is refused too.
 */
export function originAllowed(
  method: string | undefined,
  origin: string | undefined,
  allowed: ReadonlySet<string>,
): boolean {
  if (SAFE_METHODS.has(method ?? '')) return true;
  if (origin === undefined || !origin.startsWith('http://')) return false;
  return allowed.has(origin.slice('http://'.length).toLowerCase());
}
