import type { RuleCode } from '../core/lint/rules.js';
import type { RefusalCode } from './refusal-codes.js';

/**
 * How Qlik Cloud's POST /login/jwt-session answers each refusal [choice in the facts]: a missing or
 * malformed claim is a bad request (400, INTERNAL-TOKEN-1, as seen live for a missing nbf); a token that
 * is well formed but not trusted (signature, iss, kid, aud, time) is 401. Kept as data so the choice
 * is visible and testable; a code not listed is 401.
 */
export const CLOUD_BAD_REQUEST_CODES: ReadonlySet<RefusalCode> = new Set<RuleCode>([
  'QJ001',
  'QJ002',
  'QJ003',
  'QJ004',
  'QJ005', // not a usable compact JWS
  'QJ007', // a malformed crit header
  'QJ034', // a time claim that is not a number
  'QJ201', // required claim missing
  'QJ202', // header kid missing
  'QJ204', // email_verified not a boolean
  'QJ205', // subType not "user"
  'QJ206', // groups not an array of strings
  'QJ208', // exp − nbf over one hour: a claim-format rule of the login API
  'QJ212', // claim of the wrong type
]);

export interface CloudErrorShape {
  status: 400 | 401;
  code: string;
  title: string;
}

/** 401's code and title are not documented publicly: these are the emulator's [choice]. */
export const CLOUD_UNAUTHORIZED: CloudErrorShape = { status: 401, code: 'AUTH-1', title: 'Unauthorized' };
export const CLOUD_BAD_TOKEN_REQUEST: CloudErrorShape = {
  status: 400,
  code: 'INTERNAL-TOKEN-1',
  title: 'Invalid token request',
};

export function cloudErrorFor(code: RefusalCode): CloudErrorShape {
  return CLOUD_BAD_REQUEST_CODES.has(code) ? CLOUD_BAD_TOKEN_REQUEST : CLOUD_UNAUTHORIZED;
}

/** Qlik's error body: `{"errors":[{code,title,detail,status}]}`, status as a string. */
export function cloudErrorBody(
  shape: { code: string; title: string; status: number },
  detail: string,
): { errors: { code: string; title: string; detail: string; status: string }[] } {
  return { errors: [{ code: shape.code, title: shape.title, detail, status: String(shape.status) }] };
}
