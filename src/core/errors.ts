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
  | 'KEY_PKCS12'
  | 'CERT_INVALID'
  | 'CERT_MULTIPLE'
  | 'ALG_UNSUPPORTED'
  | 'TIME_INVALID'
  | 'TIME_ORDER'
  | 'CLOUD_LIFETIME_TOO_LONG'
  | 'CLAIM_RESERVED_NAME'
  | 'CLAIM_CONFLICT'
  | 'CLAIM_INVALID'
  | 'TOKEN_MALFORMED'
  | 'CONFIG_INVALID'
  | 'TOKEN_TOO_LARGE'
  | 'PLATFORM_UNKNOWN'
  | 'OPTION_WRONG_PLATFORM'
  | 'VERIFY_KEYS_INVALID';

/** What an error is about: the library option that carried the refused value, and that value. */
export interface ErrorSubject {
  /**
   * The option of the library call whose value was refused, by its name in the options object
   * (`expires`, `notBefore`, `userId`, `keyId`…). Adapters map it to their own words: the CLI to the
   * flag, environment variable or config field the value came from.
   */
  option: string;
  /** The value as it was given. */
  value?: unknown;
  /** What is wrong with it and how to fix it, without naming the option or repeating the value. */
  reason: string;
  /** The option to use instead, when the value belongs to another option (a claim set by its own option). */
  instead?: string | undefined;
}

export class QsJwtError extends Error {
  readonly code: QsJwtErrorCode;
  /** Present when the error is about one option's value: see ErrorSubject. */
  readonly subject: ErrorSubject | undefined;

  constructor(code: QsJwtErrorCode, message: string, subject?: ErrorSubject) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.subject = subject;
  }
}

/** An error about one option's value; the message is `<option> "<value>" <reason>`. */
export function optionError<T extends QsJwtError>(
  ErrorClass: new (code: QsJwtErrorCode, message: string, subject?: ErrorSubject) => T,
  code: QsJwtErrorCode,
  subject: ErrorSubject,
): T {
  const shown =
    subject.value === undefined
      ? ''
      : typeof subject.value === 'string'
        ? ` "${subject.value}"`
        : ` ${String(subject.value)}`;
  const instead = subject.instead === undefined ? '' : `: use ${subject.instead}`;
  return new ErrorClass(code, `${subject.option}${shown}: ${subject.reason}${instead}`, subject);
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

/**
 * Verifier settings that cannot be honoured: an unknown platform, a setting the chosen platform's rules
 * never check (which would otherwise be silently ignored), or keys that are not parsed public keys.
 */
export class VerifierSetupError extends QsJwtError {}
