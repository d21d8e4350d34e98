import { isCookieName } from '../emulator/cookies.js';

/**
 * The cookies a probe got from Set-Cookie, to send back as one Cookie header, the way a browser would
 * for the same host. Values are kept byte for byte (never decoded): the server compares what it set.
 * Attributes (Path, Secure…) are ignored: every probe request goes to one origin and path tree.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Takes every Set-Cookie line of a response; Max-Age=0 or an empty value removes the cookie. */
  capture(setCookieLines: readonly string[] | undefined): void {
    for (const line of setCookieLines ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      if (!isCookieName(name)) continue;
      const value = pair.slice(equals + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute));
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  names(): string[] {
    return [...this.#cookies.keys()];
  }

  get size(): number {
    return this.#cookies.size;
  }

  /** The Cookie header value, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}
