import type { RuleCode } from '../core/lint/rules.js';

/**
 * Why the emulator refused a request that no token rule explains. Token problems keep their QJ codes
 * (src/core/lint/rules.ts); these EMU codes cover the rest of Qlik's behaviour. Stable: never renumber.
 */
export const EMULATOR_REFUSALS = {
  EMU001: 'no Authorization: Bearer header and no session cookie',
  EMU002: 'Authorization header is not "Bearer <token>"',
  EMU003: 'mandatory mapped attribute missing from the token',
  EMU004: 'session missing or expired',
  EMU005: 'xrfkey check failed',
  EMU006: 'websocket upgrade without a valid qlik-csrf-token',
  EMU007: 'websocket Origin not allowed',
  EMU008: 'jti already used (Qlik Cloud tokens are single-use)',
  EMU009: 'CSRF header missing or wrong on a non-GET API call',
  EMU010: 'virtual proxy not linked to the central proxy',
  EMU011: 'virtual proxy has no usable JWT certificate or attribute names',
  EMU012: 'no JWT identity provider exists on the tenant',
} as const;

export type EmulatorRefusalCode = keyof typeof EMULATOR_REFUSALS;
export type RefusalCode = RuleCode | EmulatorRefusalCode;

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export function refusal(code: EmulatorRefusalCode, detail?: string): Refusal {
  const title = EMULATOR_REFUSALS[code];
  return { code, message: detail ? `${title}: ${detail}` : title };
}

/** For the X-Qs-Jwt-Reason debugging header: one line of visible ASCII, bounded. */
export function reasonHeader(reason: Refusal): string {
  return `${reason.code} ${reason.message}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}
