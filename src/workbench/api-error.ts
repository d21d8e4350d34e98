import { QsJwtError } from '../core/errors.js';

/**
 * An API failure as the browser gets it: an HTTP status and `{error: {code, message}}`. Core errors
 * keep their own code and message (KEY_TOO_SMALL, CLOUD_LIFETIME_TOO_LONG …); the workbench's own
 * codes start with WORKBENCH_.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function errorBody(
  error: unknown,
): { status: number; body: { error: { code: string; message: string } } } | undefined {
  if (error instanceof ApiError)
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof QsJwtError)
    return { status: 400, body: { error: { code: error.code, message: error.message } } };
  return undefined;
}

/** Request fields arrive as JSON from the page; each is checked and bounded before use. */
export type RequestBody = Readonly<Record<string, unknown>>;

const MAX_FIELD_LENGTH = 16_384;

/** An optional text field: absent or blank gives undefined; anything but a bounded string is refused. */
export function optionalText(body: RequestBody, field: string, max = MAX_FIELD_LENGTH): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError(400, 'WORKBENCH_FIELD_INVALID', `${field} must be text`);
  if (value.length > max)
    throw new ApiError(400, 'WORKBENCH_FIELD_INVALID', `${field} is longer than ${max} characters: shorten it`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function requiredText(body: RequestBody, field: string, label: string, max = MAX_FIELD_LENGTH): string {
  const value = optionalText(body, field, max);
  if (value === undefined) throw new ApiError(400, 'WORKBENCH_FIELD_MISSING', `${label} is required: fill it in`);
  return value;
}

export function choice<T extends string>(body: RequestBody, field: string, allowed: readonly T[], fallback: T): T {
  const value = body[field] ?? fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ApiError(400, 'WORKBENCH_FIELD_INVALID', `${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** One entry per line (group names may hold spaces and commas); blank lines are dropped. */
export function lines(body: RequestBody, field: string): string[] | undefined {
  const value = optionalText(body, field);
  if (value === undefined) return undefined;
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
