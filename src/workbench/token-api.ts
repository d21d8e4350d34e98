import { requireRsaAlgorithm } from '../core/jose/algorithms.js';
import { verifyToken } from '../core/lint/verify-token.js';
import type { Finding } from '../core/lint/rules.js';
import type { LintOptions } from '../core/lint/claim-rules.js';
import { createCloudTokenAsync } from '../core/qlik/cloud-token.js';
import { QLIK_CLOUD_AUDIENCE, QSEOW_DEFAULTS } from '../core/qlik/qlik-limits.js';
import { createQseowTokenAsync } from '../core/qlik/qseow-token.js';
import { setClaim } from '../core/qlik/registered-claims.js';
import type { CreatedToken } from '../core/qlik/token-common.js';
import { ApiError, choice, lines, optionalText, requiredText, type RequestBody } from './api-error.js';
import { commandLine, curlCommand, type FlagValue } from './command-line.js';
import type { KeyStore, StoredKey } from './key-store.js';

/** POST /api/token: mints with the core's builders, lints with the core's rules, and shows the command line. */
export interface TokenAnswer {
  token: string;
  header: CreatedToken['header'];
  payload: CreatedToken['payload'];
  expiresAt: string;
  warnings: string[];
  findings: Finding[];
  command: string;
  curl: string;
}

/** Extra claims, given in the page as one JSON object; each goes through the core's reserved-name check. */
function extraClaims(body: RequestBody): Record<string, unknown> {
  const text = optionalText(body, 'claims');
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      400,
      'WORKBENCH_FIELD_INVALID',
      `Extra claims is not JSON (${(error as Error).message}): write an object, e.g. {"department": "sales"}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError(
      400,
      'WORKBENCH_FIELD_INVALID',
      'Extra claims must be a JSON object, e.g. {"department": "sales"}',
    );
  }
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed)) setClaim(claims, name, value);
  return claims;
}

function signingKey(body: RequestBody, keys: KeyStore): StoredKey {
  const key = keys.get(body['key']);
  if (!key)
    throw new ApiError(400, 'WORKBENCH_KEY_UNKNOWN', 'no signing key chosen: pick one, or create or paste one in Keys');
  return key;
}

/** --key as a script would give it: the file's path, or the name to save a page key under. */
function keyArgument(key: StoredKey): string {
  return key.path ?? 'privatekey.pem';
}

function claimFlags(claims: Record<string, unknown>): string[] {
  return Object.entries(claims).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
}

/**
 * Signs on libuv's thread pool (createQseowTokenAsync): signing is ~90% of the route's time, and the
 * event loop stays free to parse the next requests meanwhile, so a page's bursts are signed on every core.
 */
export async function createToken(body: RequestBody, keys: KeyStore): Promise<TokenAnswer> {
  const platform = choice(body, 'platform', ['qseow', 'cloud'] as const, 'qseow');
  const key = signingKey(body, keys);
  const alg = choice(body, 'alg', ['RS256', 'RS384', 'RS512'] as const, 'RS256');
  const claims = extraClaims(body);
  const window = {
    expires: optionalText(body, 'expires'),
    notBefore: optionalText(body, 'notBefore'),
    issuedAt: optionalText(body, 'issuedAt'),
  };
  const jwtId = optionalText(body, 'jti');
  const groups = lines(body, 'groups');
  const name = optionalText(body, 'name');
  const email = optionalText(body, 'email');
  const common = { privateKey: key.privateKey, algorithm: requireRsaAlgorithm(alg), claims, jwtId, ...window };
  const timeFlags: (readonly [string, FlagValue])[] = [
    ['--alg', alg === 'RS256' ? undefined : alg],
    ['--expires', window.expires],
    ['--not-before', window.notBefore],
    ['--issued-at', window.issuedAt],
    ['--jti', jwtId],
    ['--claim', claimFlags(claims)],
  ];
  let created: CreatedToken;
  let command: string;
  let lintOptions: LintOptions;
  if (platform === 'qseow') {
    const userIdAttribute = optionalText(body, 'userIdAttribute') ?? QSEOW_DEFAULTS.userIdAttribute;
    const userDirectoryAttribute =
      optionalText(body, 'userDirectoryAttribute') ?? QSEOW_DEFAULTS.userDirectoryAttribute;
    const groupsAttribute = optionalText(body, 'groupsAttribute') ?? QSEOW_DEFAULTS.groupsAttribute;
    const options = {
      userId: requiredText(body, 'userId', 'User ID'),
      userDirectory: requiredText(body, 'userDirectory', 'User directory'),
      audience: optionalText(body, 'audience'),
      issuer: optionalText(body, 'issuer'),
      subject: optionalText(body, 'subject'),
      keyId: optionalText(body, 'kid'),
    };
    created = await createQseowTokenAsync({
      ...common,
      ...options,
      userIdAttribute,
      userDirectoryAttribute,
      groupsAttribute,
      name,
      email,
      groups,
    });
    lintOptions = { userIdAttribute, userDirectoryAttribute, audience: options.audience };
    command = commandLine(
      ['create', 'qseow'],
      [
        ['--key', keyArgument(key)],
        ['--userid', options.userId],
        ['--userdir', options.userDirectory],
        ['--userid-attr', userIdAttribute === QSEOW_DEFAULTS.userIdAttribute ? undefined : userIdAttribute],
        [
          '--userdir-attr',
          userDirectoryAttribute === QSEOW_DEFAULTS.userDirectoryAttribute ? undefined : userDirectoryAttribute,
        ],
        ['--name', name],
        ['--email', email],
        ['--groups', groups],
        ['--groups-attr', groupsAttribute === QSEOW_DEFAULTS.groupsAttribute ? undefined : groupsAttribute],
        ['--audience', options.audience],
        ['--issuer', options.issuer],
        ['--sub', options.subject],
        ['--kid', options.keyId],
        ...timeFlags,
      ],
    );
  } else {
    const options = {
      subject: requiredText(body, 'subject', 'Subject'),
      name: requiredText(body, 'name', 'Name'),
      email: requiredText(body, 'email', 'Email'),
      issuer: requiredText(body, 'issuer', 'Issuer'),
      keyId: requiredText(body, 'kid', 'Key ID'),
      emailVerified: body['emailVerified'] !== false,
      audience: optionalText(body, 'audience') ?? QLIK_CLOUD_AUDIENCE,
    };
    created = await createCloudTokenAsync({ ...common, ...options, groups });
    lintOptions = { issuer: options.issuer, keyId: options.keyId };
    command = commandLine(
      ['create', 'cloud'],
      [
        ['--key', keyArgument(key)],
        ['--sub', options.subject],
        ['--name', options.name],
        ['--email', options.email],
        ['--issuer', options.issuer],
        ['--kid', options.keyId],
        ['--email-verified', options.emailVerified ? undefined : 'false'],
        ['--groups', groups],
        ['--audience', options.audience === QLIK_CLOUD_AUDIENCE ? undefined : options.audience],
        ...timeFlags,
      ],
    );
  }
  // Checked as Qlik would, signature included: the server holds the key's public half.
  const { findings } = verifyToken(created.token, { ...lintOptions, platform, keys: key.publicKey });
  return {
    token: created.token,
    header: created.header,
    payload: created.payload,
    expiresAt: created.expiresAt,
    warnings: created.warnings,
    findings,
    command,
    curl: curlCommand(platform, command),
  };
}
