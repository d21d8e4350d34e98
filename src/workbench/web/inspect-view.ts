import { api, ApiFailure, type Finding } from './api-client.js';
import type { AppState } from './app-state.js';
import { debounce, el, field, fill, input, select, textarea } from './element.js';
import { findingsList, verdict } from './findings-list.js';

interface InspectAnswer {
  accepted: boolean;
  signatureValid?: boolean;
  header: Record<string, unknown> | null;
  payload?: Record<string, unknown>;
  parts: string[];
  times: Record<string, { unix: number; iso: string; relative: string }>;
  findings: Finding[];
  verified: boolean;
}

/**
 * Inspect: a pasted token's parts, header and payload (times readable), and every finding of the
 * chosen platform's rules; with a pasted certificate, public key, JWK or JWKS it is `verify`.
 * All token text is shown through textContent.
 */
export function inspectView(state: AppState): HTMLElement {
  const token = textarea('token', 5, { placeholder: 'eyJhbGciOi… (a "Bearer " prefix is ignored)' });
  const platform = select(
    'platform',
    [
      ['qseow', 'QSEoW'],
      ['cloud', 'Qlik Cloud'],
      ['none', 'signature and time only'],
    ],
    state.defaults['platform'] ?? 'qseow',
  );
  const settings = {
    audience: input('audience', state.defaults['audience'] ?? ''),
    userIdAttribute: input('userIdAttribute', state.defaults['useridAttr'] ?? ''),
    userDirectoryAttribute: input('userDirectoryAttribute', state.defaults['userdirAttr'] ?? ''),
    issuer: input('issuer', state.defaults['issuer'] ?? ''),
    kid: input('kid', state.defaults['kid'] ?? ''),
  };
  const key = textarea('key', 4, { placeholder: '-----BEGIN CERTIFICATE----- … or a JWK / JWKS' });
  const qseowSet = el(
    'fieldset',
    {},
    el('legend', { text: 'Virtual proxy settings (checked when given)' }),
    field('JWT audience', settings.audience),
    field('JWT attribute for user ID', settings.userIdAttribute, 'default userId'),
    field('JWT attribute for user directory', settings.userDirectoryAttribute, 'default userDirectory'),
  );
  const cloudSet = el(
    'fieldset',
    {},
    el('legend', { text: 'Identity provider settings (checked when given)' }),
    field('Issuer', settings.issuer),
    field('Key ID', settings.kid),
  );
  const form = el(
    'form',
    { className: 'form', attrs: { 'aria-label': 'Token to inspect' } },
    field('Token', token),
    field('Rules', platform),
    qseowSet,
    cloudSet,
    field('Certificate, public key, JWK or JWKS (optional: checks the signature)', key),
  );
  const status = el('p', { className: 'status', attrs: { role: 'status' } });
  const results = el('div', { className: 'results' });

  const showPlatform = (): void => {
    qseowSet.hidden = platform.value !== 'qseow';
    cloudSet.hidden = platform.value !== 'cloud';
  };
  let sequence = 0;
  const run = async (): Promise<void> => {
    showPlatform();
    if (token.value.trim() === '') {
      status.textContent = 'Paste a token.';
      fill(results);
      return;
    }
    const mine = ++sequence;
    const body = {
      token: token.value,
      platform: platform.value,
      key: key.value,
      ...Object.fromEntries(Object.entries(settings).map(([name, control]) => [name, control.value])),
    };
    try {
      const answer = await api<InspectAnswer>('/api/inspect', body);
      if (mine !== sequence) return;
      status.textContent = verdict(
        answer.accepted,
        answer.findings,
        answer.verified ? '(signature and rules)' : '(rules only: the signature was not checked)',
      );
      const [header, payload, signature] = answer.parts;
      // Findings first: "why would Qlik refuse this?" is what people come here for.
      fill(
        results,
        el('h3', { text: 'Findings' }),
        findingsList(answer.findings),
        answer.parts.length === 3
          ? el(
              'p',
              { className: 'parts', attrs: { 'aria-label': 'Token parts' } },
              el('span', { className: 'part-header', text: header }),
              '.',
              el('span', { className: 'part-payload', text: payload }),
              '.',
              el('span', { className: 'part-signature', text: signature }),
            )
          : null,
        el(
          'section',
          { attrs: { 'aria-label': 'Header' } },
          el('h3', { text: 'Header' }),
          el('pre', { text: answer.header ? JSON.stringify(answer.header, null, 2) : '(not readable)' }),
        ),
        el(
          'section',
          { attrs: { 'aria-label': 'Payload' } },
          el('h3', { text: 'Payload' }),
          el('pre', { text: answer.payload ? JSON.stringify(answer.payload, null, 2) : '(not readable)' }),
        ),
        Object.keys(answer.times).length > 0
          ? el(
              'section',
              { attrs: { 'aria-label': 'Times' } },
              el('h3', { text: 'Times' }),
              el(
                'dl',
                {},
                ...Object.entries(answer.times).flatMap(([claim, time]) => [
                  el('dt', { text: claim }),
                  el('dd', { text: `${time.iso} (${time.relative}), ${time.unix}` }),
                ]),
              ),
            )
          : null,
      );
    } catch (error) {
      if (mine !== sequence) return;
      status.textContent = error instanceof ApiFailure ? `${error.message} (${error.code})` : String(error);
      fill(results);
    }
  };
  const live = debounce(() => void run(), 200);
  form.addEventListener('input', live);
  form.addEventListener('change', live);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  showPlatform();
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'inspect-title' } },
    el('h2', { text: 'Inspect a token', attrs: { id: 'inspect-title' } }),
    el('div', { className: 'columns' }, form, el('div', {}, status, results)),
  );
}
