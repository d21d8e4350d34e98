import { RSA_ALGORITHMS } from '../../core/jose/algorithms.js';
import { PLATFORMS } from '../../core/lint/claim-rules.js';
import { QSEOW_DEFAULTS } from '../../core/qlik/qlik-limits.js';
import type { Setting } from './setting.js';
import {
  durationSeconds, instantSeconds, instantText, integerIn, lifetimeOrTime, nonEmptyText, offsetOrTime, rsaAlgorithm,
  timeoutMilliseconds,
} from './setting-parsers.js';

/**
 * Every setting that more than one command takes, or that an environment variable or a profile can
 * give: declared here once (flag, environment variable, profile field, parser, default, help) and drawn
 * from by each command (add-settings.ts). README's settings table is checked against this list by a
 * test, `config show` prints from it, and shell completions read it through the commands.
 * A flag that only one command has stays in that command's file.
 */
export const SETTINGS = {
  // Where settings come from.
  profile: { name: 'profile', flag: '--profile', valueName: 'name', env: 'QSJWT_PROFILE', help: 'take settings from this profile of the config file', parse: nonEmptyText },
  config: {
    name: 'config', flag: '--config', valueName: 'file', env: 'QSJWT_CONFIG', file: true, parse: nonEmptyText,
    help: 'config file (default: the nearest qs-jwt.config.json from this folder upwards, if it is yours and not writable by others)',
  },
  platform: {
    name: 'platform', flag: '--platform', valueName: 'platform', env: 'QSJWT_PLATFORM', profileField: 'platform', choices: PLATFORMS,
    help: 'whose acceptance rules apply: qseow, cloud or none (default: implied by --audience/--userid-attr/--userdir-attr (qseow) or --issuer/--kid (cloud), else none)',
  },

  // Keys and certificates.
  key: {
    name: 'key', flag: '--key', valueName: 'file', env: 'QSJWT_KEY_FILE', profileField: 'keyFile', file: true, parse: nonEmptyText,
    help: 'private key that signs: PEM (PKCS#8 or PKCS#1, optionally encrypted), DER or JWK file; - reads standard input',
  },
  keyEnv: { name: 'keyEnv', flag: '--key-env', valueName: 'var', parse: nonEmptyText, help: 'read the private key (PEM or JWK text) from this environment variable' },
  keyText: { name: 'keyText', env: 'QSJWT_KEY', secret: true, help: 'private key text (PEM or JWK), for CI secrets; beats QSJWT_KEY_FILE and the profile keyFile' },
  passphraseFile: { name: 'passphraseFile', flag: '--passphrase-file', valueName: 'file', file: true, parse: nonEmptyText, help: 'file holding the passphrase of an encrypted private key' },
  passphrase: { name: 'passphrase', env: 'QSJWT_PASSPHRASE', secret: true, help: 'passphrase of an encrypted private key (or --passphrase-file)' },
  cert: {
    name: 'cert', flag: '--cert', valueName: 'file', env: 'QSJWT_CERT_FILE', profileField: 'certFile', file: true, parse: nonEmptyText,
    help: 'the certificate (or public key) configured in Qlik: the JWT certificate of the virtual proxy or the IdP certificate',
  },

  // Token claims and header.
  alg: {
    name: 'alg', flag: '--alg', valueName: 'alg', env: 'QSJWT_ALG', profileField: 'alg', default: 'RS256', parse: rsaAlgorithm, offered: RSA_ALGORITHMS,
    help: `signature algorithm: ${RSA_ALGORITHMS.join(', ')} (HS*, none and others are refused)`, libraryOptions: ['algorithm'],
  },
  expires: {
    name: 'expires', flag: '--expires', valueName: 'when', env: 'QSJWT_EXPIRES', profileField: 'expires', parse: lifetimeOrTime,
    help: 'lifetime from iat (30s, 5m, 8h, 7d, 1y) or an absolute time (RFC 3339 or Unix seconds)', libraryOptions: ['expires'],
  },
  notBefore: {
    name: 'notBefore', flag: '--not-before', valueName: 'when', parse: offsetOrTime,
    help: 'nbf: an absolute time, or a duration from iat (-30s backdates for clock skew) (default: iat)', libraryOptions: ['notBefore'],
  },
  issuedAt: { name: 'issuedAt', flag: '--issued-at', valueName: 'when', parse: instantText, help: 'iat: RFC 3339, Unix seconds or "now" (default: now)', libraryOptions: ['issuedAt'] },
  jti: { name: 'jti', flag: '--jti', valueName: 'id', parse: nonEmptyText, help: 'jti claim (default: 128 random bits)', libraryOptions: ['jwtId'] },
  claim: {
    name: 'claim', flag: '--claim', valueName: 'key=value', repeatable: true,
    help: 'extra claim; the value is JSON when it parses as JSON, else a string (repeatable)', libraryOptions: ['claims'],
  },
  userid: { name: 'userid', flag: '--userid', valueName: 'id', parse: nonEmptyText, help: 'user ID, e.g. anna', libraryOptions: ['userId'] },
  userdir: { name: 'userdir', flag: '--userdir', valueName: 'directory', parse: nonEmptyText, help: 'user directory, e.g. ACME', libraryOptions: ['userDirectory'] },
  useridAttr: {
    name: 'useridAttr', flag: '--userid-attr', valueName: 'claim', env: 'QSJWT_USERID_ATTR', profileField: 'useridAttr', default: QSEOW_DEFAULTS.userIdAttribute,
    parse: nonEmptyText, libraryOptions: ['userIdAttribute'],
    help: `QSEoW: the virtual proxy's "JWT attribute for user ID", the claim that carries the user ID`,
  },
  userdirAttr: {
    name: 'userdirAttr', flag: '--userdir-attr', valueName: 'claim', env: 'QSJWT_USERDIR_ATTR', profileField: 'userdirAttr',
    default: QSEOW_DEFAULTS.userDirectoryAttribute, parse: nonEmptyText, libraryOptions: ['userDirectoryAttribute'],
    help: `QSEoW: the virtual proxy's "JWT attribute for user directory", the claim that carries the user directory`,
  },
  groupsAttr: {
    name: 'groupsAttr', flag: '--groups-attr', valueName: 'claim', env: 'QSJWT_GROUPS_ATTR', profileField: 'groupsAttr', default: QSEOW_DEFAULTS.groupsAttribute,
    parse: nonEmptyText, libraryOptions: ['groupsAttribute'],
    help: "QSEoW: the claim that carries the groups; map it in the virtual proxy's attribute mapping",
  },
  groups: {
    name: 'groups', flag: '--groups', valueName: 'group', variadic: true, repeatable: true, parse: nonEmptyText, libraryOptions: ['groups'],
    help: 'groups, sent as a JSON array of strings (space-separated and repeatable)',
  },
  name: { name: 'name', flag: '--name', valueName: 'name', parse: nonEmptyText, help: 'name claim', libraryOptions: ['name'] },
  email: { name: 'email', flag: '--email', valueName: 'email', parse: nonEmptyText, help: 'email claim', libraryOptions: ['email'] },
  sub: { name: 'sub', flag: '--sub', valueName: 'subject', parse: nonEmptyText, help: 'sub claim: a stable ID per user (Qlik Cloud keys the user on it)', libraryOptions: ['subject'] },
  audience: {
    name: 'audience', flag: '--audience', valueName: 'aud', env: 'QSJWT_AUDIENCE', profileField: 'audience', parse: nonEmptyText,
    help: "aud: QSEoW checks it against the virtual proxy's JWT audience when that is set; Qlik Cloud takes only qlik.api/login/jwt-session",
    libraryOptions: ['audience'],
  },
  issuer: {
    name: 'issuer', flag: '--issuer', valueName: 'iss', env: 'QSJWT_ISSUER', profileField: 'issuer', parse: nonEmptyText,
    help: "iss: Qlik Cloud checks it against the identity provider's issuer", libraryOptions: ['issuer'],
  },
  kid: {
    name: 'kid', flag: '--kid', valueName: 'id', env: 'QSJWT_KID', profileField: 'kid', parse: nonEmptyText,
    help: "kid header: Qlik Cloud checks it against the identity provider's key ID", libraryOptions: ['keyId'],
  },

  // Checking tokens.
  clockTolerance: {
    name: 'clockTolerance', flag: '--clock-tolerance', valueName: 'duration', env: 'QSJWT_CLOCK_TOLERANCE', profileField: 'clockTolerance', default: '0s',
    parse: durationSeconds, help: 'leeway for exp, nbf and iat when checking, e.g. 30s', libraryOptions: ['clockTolerance'],
  },
  at: { name: 'at', flag: '--at', valueName: 'time', parse: instantSeconds, help: 'check times at this instant: RFC 3339 or Unix seconds (default: now)', libraryOptions: ['at'] },

  // Servers and connections.
  prefix: {
    name: 'prefix', flag: '--prefix', valueName: 'prefix', default: 'jwt',
    help: 'the JWT virtual proxy prefix, as in https://host/PREFIX/ ("" for none)',
  },
  host: { name: 'host', flag: '--host', valueName: 'host', parse: nonEmptyText, help: 'address to listen on (default 127.0.0.1: loopback only)' },
  port: { name: 'port', flag: '--port', valueName: 'n', parse: integerIn(0, 65_535), help: 'port to listen on; 0 picks a free one (default 0)' },
  tlsCert: { name: 'tlsCert', flag: '--tls-cert', valueName: 'file', file: true, parse: nonEmptyText, help: 'serve HTTPS with this PEM certificate (with --tls-key)' },
  tlsKey: { name: 'tlsKey', flag: '--tls-key', valueName: 'file', file: true, parse: nonEmptyText, help: 'PEM private key for --tls-cert' },
  server: { name: 'server', flag: '--server', valueName: 'url', parse: nonEmptyText, help: 'the Qlik Sense server, e.g. https://qlik.example.com' },
  tenant: { name: 'tenant', flag: '--tenant', valueName: 'url', parse: nonEmptyText, help: 'the Qlik Cloud tenant, e.g. https://acme.eu.qlikcloud.com' },
  token: { name: 'token', flag: '--token', valueName: 'token', help: 'a token to use (a "Bearer " prefix is ignored); - reads standard input' },
  ca: { name: 'ca', flag: '--ca', valueName: 'file', file: true, parse: nonEmptyText, help: 'PEM CA certificate(s) to trust for HTTPS (a private CA or the server certificate itself)' },
  insecure: { name: 'insecure', flag: '--insecure', help: 'do not verify the server certificate (test servers only; a warning is printed)' },
  timeout: { name: 'timeout', flag: '--timeout', valueName: 'duration', default: '10s', parse: timeoutMilliseconds, help: 'per request, e.g. 10s or 500ms' },

  // Output.
  format: { name: 'format', flag: '--format', valueName: 'format', default: 'text', help: 'output format' },
  verbose: { name: 'verbose', flag: '--verbose', help: 'say more on stderr: a summary of the token, and which config file and profile were used' },
  force: { name: 'force', flag: '--force', help: 'replace existing output files' },
  out: { name: 'out', flag: '--out', valueName: 'dir', file: true, parse: nonEmptyText, help: 'folder to write into (created if missing)' },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

export const ALL_SETTINGS: readonly Setting[] = Object.values(SETTINGS);
