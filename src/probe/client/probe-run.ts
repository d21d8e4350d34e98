import type { ProbeStep, ServerRefusal } from '../probe-step.js';
import { isRefusalStatus, oneLine, step } from '../probe-step.js';
import { header, NetworkError, send, type HttpAnswer, type RequestOptions, type TlsSettings } from './http-client.js';

/**
 * Bookkeeping shared by the QSEoW and Qlik Cloud probes: the steps so far (each also handed to
 * `onStep` as it completes, so text output streams while a slow server answers), the first refusal,
 * and how a failed HTTP answer is described.
 */

export interface ProbeSettings {
  token: string;
  timeoutMs: number;
  tls: TlsSettings;
  onStep?: ((step: ProbeStep) => void) | undefined;
}

export interface ProbeOutcome<User> {
  steps: ProbeStep[];
  user: User | null;
  refusal?: ServerRefusal | undefined;
}

export const USER_AGENT = 'qs-jwt test';

export class ProbeRun {
  readonly steps: ProbeStep[] = [];
  refusal: ServerRefusal | undefined;
  readonly #settings: ProbeSettings;

  constructor(settings: ProbeSettings) {
    this.#settings = settings;
  }

  record(name: string, ok: boolean, status: number | null, detail: string): boolean {
    const entry = step(name, ok, status, detail);
    this.steps.push(entry);
    this.#settings.onStep?.(entry);
    return ok;
  }

  /** Records a refused answer: the step fails, and a 4xx (not 404/405) becomes the refusal to explain. */
  fail(name: string, answer: { status: number; headers: HttpAnswer['headers']; body: string }, detail: string): false {
    if (this.refusal === undefined && isRefusalStatus(answer.status)) {
      this.refusal = {
        step: name,
        status: answer.status,
        body: oneLine(answer.body),
        reason: header(answer, 'x-qs-jwt-reason'),
      };
    }
    this.record(name, false, answer.status, detail);
    return false;
  }

  /** A request whose network failure becomes a failed step (and undefined) instead of an exception. */
  async request(
    name: string,
    url: URL,
    options: Omit<RequestOptions, 'timeoutMs' | 'tls'>,
  ): Promise<HttpAnswer | undefined> {
    try {
      return await send(url, {
        ...options,
        headers: { 'user-agent': USER_AGENT, ...options.headers },
        timeoutMs: this.#settings.timeoutMs,
        tls: this.#settings.tls,
      });
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      this.record(name, false, null, `${options.method ?? 'GET'} ${url.pathname}: ${error.message}`);
      return undefined;
    }
  }
}

/** Why an HTTP answer is not the expected one, on one line, with a hint for the usual URL mistakes. */
export function describeFailure(answer: HttpAnswer, request: string, urlHint: string): string {
  const location = header(answer, 'location');
  if (answer.status >= 300 && answer.status < 400) {
    return `${request} → redirected to ${oneLine(location ?? '(no Location)', 120)}: this is not a JWT endpoint (a login page?); ${urlHint}`;
  }
  if (answer.status === 404) return `${request} → Not Found: ${urlHint}`;
  const reason = header(answer, 'x-qs-jwt-reason');
  const body = oneLine(qlikErrorText(answer.body) ?? answer.body, 160);
  return `${request} → ${body || '(empty body)'}${reason ? ` [${oneLine(reason, 160)}]` : ''}`;
}

/** Qlik Cloud's `{"errors":[{code,title,detail}]}` as `CODE title: detail`; undefined for other bodies. */
export function qlikErrorText(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: unknown; title?: unknown; detail?: unknown }[] };
    const first = parsed.errors?.[0];
    if (!first) return undefined;
    return (
      [first.code, first.title].filter((part) => typeof part === 'string').join(' ') +
      (typeof first.detail === 'string' ? `: ${first.detail}` : '')
    );
  } catch {
    return undefined;
  }
}

export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function setCookieLines(answer: HttpAnswer): string[] {
  const value = answer.headers['set-cookie'];
  return value === undefined ? [] : value;
}
