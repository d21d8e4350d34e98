/**
 * Typed errors with stable codes. Messages are one line that names what was wrong and how to fix it,
 * so adapters (CLI, servers) can show them as they are.
 */
export type QsJwtErrorCode =
  | 'KEY_EMPTY'
  | 'KEY_TOO_LARGE'
  | 'KEY_UNRECOGNISED'
  | 'KEY_NOT_PRIVATE'
  | 'KEY_NOT_RSA'
  | 'KEY_TOO_SMALL'
  | 'KEY_PASSPHRASE_MISSING'
  | 'KEY_PASSPHRASE_WRONG'
  | 'KEY_INVALID'
  | 'KEY_SIZE_UNSUPPORTED'
  | 'CERT_INVALID'
  | 'ALG_UNSUPPORTED'
  | 'TIME_INVALID'
  | 'TIME_ORDER'
  | 'CLOUD_LIFETIME_TOO_LONG'
  | 'CLAIM_RESERVED_NAME'
  | 'CLAIM_CONFLICT'
  | 'CLAIM_INVALID'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_TOO_LARGE'
  | 'CONFIG_INVALID';

export class QsJwtError extends Error {
  readonly code: QsJwtErrorCode;
  /**
   * The option the error is about, in the words its message starts with (`expires`, `not-before`,
   * `issued-at`), so an adapter can point at its own flag.
   */
  readonly option: string | undefined;

  constructor(code: QsJwtErrorCode, message: string, option?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.option = option;
  }
}

/** A key or certificate that cannot be used for what was asked. */
export class KeyError extends QsJwtError {}

/** An algorithm other than RS256/RS384/RS512. */
export class AlgorithmError extends QsJwtError {}

/** A duration or point in time that cannot be parsed or makes no sense (zero, negative, out of order). */
export class TimeError extends QsJwtError {}

/** A claim that Qlik would refuse or that would clash with another claim. */
export class ClaimError extends QsJwtError {}

/** A string that is not a compact JWS. */
export class TokenFormatError extends QsJwtError {}
