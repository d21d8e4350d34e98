import { encodePublicKeyPem } from '../core/keys/key-pair.js';
import { toSingleLinePem } from '../core/keys/pem-blocks.js';
import { defaultCookieName } from '../emulator/emulator-config.js';
import { QSEOW_DEFAULTS } from '../core/qlik/qlik-limits.js';
import { ApiError, optionalText, type RequestBody } from './api-error.js';
import type { KeyStore } from './key-store.js';

/** One value to paste, under the label the QMC or the Qlik Cloud console shows. */
export interface SetupField {
  label: string;
  value: string;
  note?: string;
}

export interface SetupAnswer {
  qseow: SetupField[];
  cloud: SetupField[];
  /** Why no certificate is shown, when the key has none (a key file without publickey.cer beside it). */
  missingCertificate?: string;
}

/** POST /api/setup: what `quickstart` prints, for the chosen key and the settings typed in Create. */
export function setupValues(body: RequestBody, keys: KeyStore): SetupAnswer {
  const key = keys.get(body['key']);
  if (!key) throw new ApiError(400, 'WORKBENCH_KEY_UNKNOWN', 'no key chosen: pick one, or create or paste one in Keys');
  const prefix = optionalText(body, 'prefix', 64) ?? 'jwt';
  const certificate = key.certificatePem;
  const missingCertificate =
    certificate === undefined
      ? 'No certificate is known for this key (none beside the key file): Qlik needs one. Create a key pair in Keys, or run qs-jwt keys create.'
      : undefined;
  const qseow: SetupField[] = [
    { label: 'Prefix', value: prefix },
    { label: 'Session cookie header name', value: defaultCookieName(prefix) },
    { label: 'Authentication method', value: 'JWT' },
    ...(certificate ? [{ label: 'JWT certificate', value: certificate.trim() }] : []),
    {
      label: 'JWT attribute for user ID',
      value: optionalText(body, 'userIdAttribute', 256) ?? QSEOW_DEFAULTS.userIdAttribute,
    },
    {
      label: 'JWT attribute for user directory',
      value: optionalText(body, 'userDirectoryAttribute', 256) ?? QSEOW_DEFAULTS.userDirectoryAttribute,
    },
    ...(optionalText(body, 'audience', 1024)
      ? [{ label: 'JWT audience', value: optionalText(body, 'audience', 1024) ?? '' }]
      : []),
  ];
  const cloud: SetupField[] = [
    {
      label: 'Issuer',
      value: optionalText(body, 'issuer', 1024) ?? 'https://qs-jwt.example.com',
      note: 'must equal the iss claim of your tokens',
    },
    { label: 'Key ID', value: key.kid, note: 'the RFC 7638 thumbprint of the key; tokens carry it as kid' },
    {
      label: 'Certificate',
      value: toSingleLinePem(certificate ?? encodePublicKeyPem(key.publicKey)),
      note: 'one line, as the console expects',
    },
  ];
  return { qseow, cloud, ...(missingCertificate ? { missingCertificate } : {}) };
}
