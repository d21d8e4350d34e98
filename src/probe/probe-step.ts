import type { Finding } from '../core/lint/rules.js';

/**
 * What `qs-jwt test` reports, as plain data: one entry per request or engine call it made, the user the
 * server resolved, and (after a refusal) the local lint and what the server said. The network adapter
 * in src/probe/client fills it; the command only prints it, as text or JSON.
 */

export interface ProbeStep {
  /** Stable short name: `qrs/about`, `qps/user`, `websocket`, `GetAuthenticatedUser`, `login`, `csrf-token`, `users/me`. */
  name: string;
  ok: boolean;
  /** HTTP status (101 for an accepted websocket upgrade); null when no HTTP answer came (network error, engine call). */
  status: number | null;
  /** One line: what came back, or why the step failed. */
  detail: string;
}

/** What the server said when it refused: enough to explain the refusal without a packet capture. */
export interface ServerRefusal {
  step: string;
  status: number;
  /** The first bytes of the body, on one line. */
  body: string;
  /** The emulator's `X-Qs-Jwt-Reason` header (`QJ030 token expired: …`), when present. */
  reason?: string | undefined;
}

export interface QseowProbeUser {
  userId: string;
  userDirectory: string;
  userName?: string | undefined;
  /** What the engine's GetAuthenticatedUser answered, parsed. */
  engineUser?: { userId: string; userDirectory: string } | undefined;
}

export interface CloudProbeUser {
  id?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  subject?: string | undefined;
  groups: string[];
}

export interface ProbeLint {
  accepted: boolean;
  signatureValid: boolean | null;
  findings: Finding[];
}

export interface ProbeReport {
  /** Every step succeeded. */
  ok: boolean;
  steps: ProbeStep[];
  user: QseowProbeUser | CloudProbeUser | null;
  /** Only after a refusal: the token checked locally with the platform's rules. */
  lint?: ProbeLint | undefined;
  refusal?: ServerRefusal | undefined;
  /** Only after a refusal: likely causes and fixes, most specific first. */
  diagnosis?: string[] | undefined;
}

export function step(name: string, ok: boolean, status: number | null, detail: string): ProbeStep {
  return { name, ok, status, detail: oneLine(detail, 300) };
}

/** Collapses whitespace and bounds the length, so server bodies never break the one-line-per-step output. */
export function oneLine(text: string, max = 200): string {
  const flat = text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A 4xx answer is the server refusing us: that is when the token is linted and a cause is looked for. */
export function isRefusalStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 404 && status !== 405;
}
