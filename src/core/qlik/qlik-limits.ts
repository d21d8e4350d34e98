/** What Qlik's verifiers fix (see shared/qlik-jwt-facts.md): shared by the token builders and the lint. */

/** The only audience Qlik Cloud's JWT login accepts. */
export const QLIK_CLOUD_AUDIENCE = 'qlik.api/login/jwt-session';
/** Qlik Cloud refuses tokens whose `exp − nbf` exceeds one hour. */
export const QLIK_CLOUD_MAX_LIFETIME_SECONDS = 3600;

export const QSEOW_DEFAULTS = {
  userIdAttribute: 'userId',
  userDirectoryAttribute: 'userDirectory',
  groupsAttribute: 'groups',
  expires: '1h',
} as const;

export const CLOUD_DEFAULTS = { expires: '5m' } as const;

/** QSEoW accepts longer lifetimes, but a leaked token stays usable that long. */
export const QSEOW_LONG_LIFETIME_SECONDS = 30 * 86_400;

/**
 * `Authorization: Bearer <token>` lines above this many bytes may be refused: IIS/http.sys and many
 * proxies limit a request header line to 8–16 KiB by default (Node's whole header block: 16 KiB).
 */
export const AUTHORIZATION_HEADER_WARN_BYTES = 8 * 1024;
export const AUTHORIZATION_PREFIX = 'Authorization: Bearer ';

/** The warning for a token whose Authorization header line is over the size many servers accept. */
export function largeHeaderWarning(tokenLength: number): string | undefined {
  const bytes = AUTHORIZATION_PREFIX.length + tokenLength;
  if (bytes <= AUTHORIZATION_HEADER_WARN_BYTES) return undefined;
  return (
    `the header line "Authorization: Bearer <token>" is ${bytes} bytes: servers and proxies often refuse ` +
    'header lines over 8 KiB (IIS/http.sys and many proxies default to 8-16 KiB), so the token may be refused; ' +
    'keep claims such as groups short'
  );
}
