import type { KeyObject } from 'node:crypto';
import { forPlatform } from '../core/lint/platform-options.js';
import { lintToken, verifyToken } from '../core/lint/verify-token.js';
import { MAX_TOKEN_LENGTH } from '../core/lint/decode-token.js';
import { diagnose } from '../probe/diagnosis.js';
import type { ProbeReport } from '../probe/probe-step.js';
import { ApiError, choice, errorBody, optionalText, requiredText, type RequestBody } from './api-error.js';
import type { KeyStore } from './key-store.js';
import type { LocalEmulators } from './local-emulator.js';

export { LocalEmulators } from './local-emulator.js';

/** How long one probe request (and engine call) may take, as `qs-jwt test --timeout` defaults. */
const TIMEOUT_MS = 10_000;

function targetUrl(text: string, label: string): URL {
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    throw new ApiError(
      400,
      'WORKBENCH_FIELD_INVALID',
      `${label} "${text}" is not a URL: write e.g. https://qlik.example.com`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ApiError(400, 'WORKBENCH_FIELD_INVALID', `${label}: only https:// and http:// are supported`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ApiError(
      400,
      'WORKBENCH_FIELD_INVALID',
      `${label}: give the base URL only, without query, fragment or credentials`,
    );
  }
  return url;
}

/**
 * POST /api/test: `qs-jwt test` run by the workbench's server, so the browser needs no CORS and no
 * extension. The target is the URL the user typed, or an emulator started here with the chosen key.
 * After a refusal the token is checked locally (with the key's public half when one is chosen) and
 * the probe's diagnosis explains it.
 */
export async function testToken(
  body: RequestBody,
  keys: KeyStore,
  emulators: LocalEmulators,
): Promise<ProbeReport & { url: string }> {
  const platform = choice(body, 'platform', ['qseow', 'cloud'] as const, 'qseow');
  const target = choice(body, 'target', ['emulator', 'server'] as const, 'emulator');
  const token = requiredText(body, 'token', 'Token', MAX_TOKEN_LENGTH).replace(/^Bearer\s+/i, '');
  const settings = {
    userIdAttribute: optionalText(body, 'userIdAttribute', 256),
    userDirectoryAttribute: optionalText(body, 'userDirectoryAttribute', 256),
    issuer: optionalText(body, 'issuer', 1024),
    keyId: optionalText(body, 'kid', 1024),
  };
  const key = keys.get(body['key']);
  let base: URL;
  if (target === 'emulator') {
    if (!key)
      throw new ApiError(400, 'WORKBENCH_KEY_UNKNOWN', 'the emulator verifies with a key: pick one in the Test view');
    base = new URL(await emulators.urlFor({ platform, publicKey: key.publicKey, ...settings }));
  } else {
    base = targetUrl(
      requiredText(body, 'url', platform === 'qseow' ? 'Server URL' : 'Tenant URL', 2048),
      platform === 'qseow' ? 'Server URL' : 'Tenant URL',
    );
  }
  const tls = { insecure: false };
  const outcome =
    platform === 'qseow'
      ? await (
          await import('../probe/client/qseow-probe.js')
        ).probeQseow({
          server: base,
          prefix: (optionalText(body, 'prefix', 64) ?? 'jwt').replace(/^\/+|\/+$/g, ''),
          token,
          timeoutMs: TIMEOUT_MS,
          tls,
        })
      : await (
          await import('../probe/client/cloud-probe.js')
        ).probeCloud({ tenant: base, token, timeoutMs: TIMEOUT_MS, tls });
  const ok = outcome.steps.length > 0 && outcome.steps.every((step) => step.ok);
  const report: ProbeReport & { url: string } = { url: base.href, ok, steps: outcome.steps, user: outcome.user };
  if (outcome.refusal) {
    const publicKey: KeyObject | undefined = key?.publicKey;
    const lintOptions = { ...forPlatform(platform, settings), at: Math.floor(Date.now() / 1000) };
    const lint = publicKey
      ? verifyToken(token, { ...lintOptions, platform, keys: publicKey })
      : lintToken(token, platform, lintOptions);
    report.lint = { accepted: lint.accepted, signatureValid: lint.signatureValid ?? null, findings: lint.findings };
    report.refusal = outcome.refusal;
    report.diagnosis = diagnose(platform, lint.findings, outcome.refusal, {
      signatureChecked: publicKey !== undefined,
      audience: false,
      userAttributes: settings.userIdAttribute !== undefined || settings.userDirectoryAttribute !== undefined,
      issuer: settings.issuer !== undefined,
      keyId: settings.keyId !== undefined,
    });
  }
  return report;
}

/**
 * testToken with its refusals as data. build-cli.mjs bundles Test apart (workbench-test.js), with its
 * own copies of ApiError and QsJwtError, so the server could not recognise them with instanceof:
 * they are turned into the API's error answer here, beside the classes that threw them.
 */
export async function testAnswer(
  body: RequestBody,
  keys: KeyStore,
  emulators: LocalEmulators,
): Promise<{ report: ProbeReport & { url: string } } | { status: number; error: { code: string; message: string } }> {
  try {
    return { report: await testToken(body, keys, emulators) };
  } catch (error) {
    const answer = errorBody(error);
    if (answer) return { status: answer.status, error: answer.body.error };
    throw error;
  }
}
