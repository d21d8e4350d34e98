/**
 * qs-jwt library: keys, certificates and tokens for Qlik Sense, over Node's native crypto.
 * Everything here is pure (no file or process I/O): read files yourself and pass their contents.
 */
export {
  QsJwtError,
  KeyError,
  AlgorithmError,
  TimeError,
  ClaimError,
  TokenFormatError,
  VerifierSetupError,
  type QsJwtErrorCode,
} from './core/errors.js';
export { RSA_ALGORITHMS, type RsaAlgorithm } from './core/jose/algorithms.js';
export { signCompactBytes, signJwt, type JwsHeader, type JwtPayload } from './core/jose/compact-jws.js';
export {
  generateKeyPair,
  encodePrivateKeyPem,
  encodePublicKeyPem,
  RSA_KEY_SIZES,
  DEFAULT_RSA_KEY_SIZE,
  type RsaKeyPair,
  type RsaKeySize,
} from './core/keys/key-pair.js';
export {
  createSelfSignedCertificate,
  DEFAULT_CERTIFICATE_DAYS,
  DEFAULT_COMMON_NAME,
  type SelfSignedCertificateOptions,
} from './core/keys/certificate.js';
export { loadPrivateKey, loadPublicKey, type KeySource, type LoadPrivateKeyOptions } from './core/keys/key-input.js';
export {
  readKeyMaterial,
  describeKeyMaterial,
  materialToPem,
  materialToSingleLine,
  materialToJwk,
  type KeyMaterial,
  type KeyMaterialDescription,
  type CertificateFacts,
} from './core/keys/key-material.js';
export { jwkThumbprint, type RsaJwk } from './core/keys/jwk.js';
export { toSingleLinePem } from './core/keys/pem-blocks.js';
export { parseSignedDuration, parsePositiveDuration, formatDuration } from './core/time/duration.js';
export { parseAbsoluteTime, parseInstant } from './core/time/instant.js';
export { resolveTimeWindow, type TimeWindow, type TimeWindowInput } from './core/time/token-window.js';
export { REGISTERED_CLAIMS } from './core/qlik/registered-claims.js';
export type { CreatedToken, TokenOptionsBase } from './core/qlik/token-common.js';
export {
  createQseowToken,
  createQseowTokenAsync,
  qseowTokenMinter,
  QSEOW_DEFAULTS,
  type QseowTokenOptions,
  type QseowTokenMinter,
  type QseowSharedOptions,
  type QseowUserOptions,
} from './core/qlik/qseow-token.js';
export {
  createCloudToken,
  createCloudTokenAsync,
  cloudTokenMinter,
  QLIK_CLOUD_AUDIENCE,
  QLIK_CLOUD_MAX_LIFETIME_SECONDS,
  CLOUD_DEFAULTS,
  type CloudTokenOptions,
  type CloudTokenMinter,
  type CloudSharedOptions,
  type CloudUserOptions,
} from './core/qlik/cloud-token.js';
export { QSEOW_LONG_LIFETIME_SECONDS, AUTHORIZATION_HEADER_WARN_BYTES } from './core/qlik/qlik-limits.js';
export { RULES, hasErrors, type Finding, type Rule, type RuleCode, type Severity } from './core/lint/rules.js';
export { decodeToken, normalizeTokenText, MAX_TOKEN_LENGTH, type DecodedToken } from './core/lint/decode-token.js';
export { lintClaims, PLATFORMS, type LintOptions, type Platform } from './core/lint/claim-rules.js';
export {
  PLATFORM_OPTIONS,
  platformForOption,
  uncheckedOptions,
  type PlatformOption,
} from './core/lint/platform-options.js';
export {
  verifyToken,
  lintToken,
  type InspectionResult,
  type VerificationKey,
  type VerifyOptions,
} from './core/lint/verify-token.js';
export { loadJwks, readJwks, type JwksReading } from './core/keys/jwks.js';
export {
  parseConfig,
  ConfigError,
  PROFILE_FIELDS,
  type Profile,
  type QsJwtConfig,
} from './core/config/config-schema.js';
export {
  qseowRowOptions,
  cloudRowOptions,
  qseowRowUser,
  cloudRowUser,
  type BatchRecord,
} from './core/batch/batch-row.js';
