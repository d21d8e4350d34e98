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
