/** The page's only way out: JSON requests to its own server (the CSP allows nothing else). */

export class ApiFailure extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(
    path,
    body === undefined
      ? { credentials: 'same-origin' }
      : {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
  );
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiFailure('WORKBENCH_HTTP', `${response.status}: ${text.slice(0, 200)}`);
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } }).error;
    throw new ApiFailure(error?.code ?? 'WORKBENCH_HTTP', error?.message ?? `HTTP ${response.status}`);
  }
  return json as T;
}

export interface KeySummary {
  id: string;
  name: string;
  origin: 'file' | 'pasted' | 'created';
  bits: number;
  kid: string;
  hasCertificate: boolean;
}

export interface Finding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  fix: string;
}
