import { api, ApiFailure, type Finding } from './api-client.js';
import { bindKeyPicker, type AppState } from './app-state.js';
import { el, field, fill, input, select, textarea } from './element.js';
import { findingsList } from './findings-list.js';

interface TestAnswer {
  url: string;
  ok: boolean;
  steps: { name: string; ok: boolean; status: number | null; detail: string }[];
  user: Record<string, unknown> | null;
  lint?: { findings: Finding[] };
  refusal?: { step: string; status: number; body: string; reason?: string };
  diagnosis?: string[];
}

/**
 * Test: `qs-jwt test`, run by the local server (so no CORS and no browser extension): against the URL
 * typed here, or an emulator the workbench starts with the chosen key and Create's settings.
 */
export function testView(state: AppState): HTMLElement {
  const platform = select(
    'platform',
    [
      ['qseow', 'QSEoW virtual proxy'],
      ['cloud', 'Qlik Cloud tenant'],
    ],
    state.settings.platform,
  );
  const target = select(
    'target',
    [
      ['emulator', 'Emulator started by qs-jwt ui'],
      ['server', 'A server I name'],
    ],
    'emulator',
  );
  const url = input('url', '', { placeholder: 'https://qlik.example.com or https://TENANT.qlikcloud.com' });
  const prefix = input('prefix', 'jwt');
  const key = select('key', []);
  bindKeyPicker(key, state, () => state.settings.key);
  const token = textarea('token', 4);
  const useCreated = el('button', {
    text: 'Use the token from Create',
    className: 'secondary',
    attrs: { type: 'button' },
  });
  const serverFields = el('div', {}, field('Server or tenant URL', url), field('Virtual proxy prefix', prefix));
  const emulatorFields = el(
    'div',
    {},
    field('Key the emulator verifies with', key, "the emulator uses Create's claim names, issuer and key ID"),
  );
  const form = el(
    'form',
    { className: 'form', attrs: { 'aria-label': 'Where to send the token' } },
    field('Platform', platform),
    field('Target', target),
    serverFields,
    emulatorFields,
    field('Token to send', token),
    useCreated,
    el('button', { text: 'Send token', attrs: { type: 'submit' } }),
  );
  const status = el('p', { className: 'status', attrs: { role: 'status' } });
  const results = el('div', { className: 'results' });
  const showTarget = (): void => {
    serverFields.hidden = target.value !== 'server';
    emulatorFields.hidden = target.value !== 'emulator';
  };
  useCreated.addEventListener('click', () => {
    token.value = state.settings.token;
    platform.value = state.settings.platform;
  });
  state.on('settings', () => {
    if (token.value === '' || token.dataset['fromCreate'] === 'yes') {
      token.value = state.settings.token;
      token.dataset['fromCreate'] = 'yes';
      platform.value = state.settings.platform;
    }
  });
  token.addEventListener('input', () => {
    token.dataset['fromCreate'] = 'no';
  });
  form.addEventListener('change', showTarget);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.textContent = 'Sending…';
    const s = state.settings;
    api<TestAnswer>('/api/test', {
      platform: platform.value,
      target: target.value,
      url: url.value,
      prefix: prefix.value,
      key: key.value,
      token: token.value,
      userIdAttribute: s.userIdAttribute,
      userDirectoryAttribute: s.userDirectoryAttribute,
      issuer: s.issuer,
      kid: s.kid,
    }).then(
      (answer) => {
        status.textContent = answer.ok ? `Accepted by ${answer.url}` : `Refused or failed at ${answer.url}`;
        fill(
          results,
          el(
            'ol',
            { className: 'steps', attrs: { 'aria-label': 'Steps' } },
            ...answer.steps.map((step) =>
              el(
                'li',
                { className: step.ok ? 'ok' : 'failed' },
                el('span', { className: 'badge', text: step.ok ? 'ok' : 'failed' }),
                ' ',
                el('code', { text: step.name }),
                step.status !== null ? ` ${step.status} ` : ' ',
                el('span', { text: step.detail }),
              ),
            ),
          ),
          answer.user
            ? el(
                'section',
                { attrs: { 'aria-label': 'User' } },
                el('h3', { text: 'User the server resolved' }),
                el('pre', { text: JSON.stringify(answer.user, null, 2) }),
              )
            : null,
          answer.refusal
            ? el(
                'section',
                { attrs: { 'aria-label': 'Explanation' } },
                el('h3', { text: 'Why it was refused' }),
                el(
                  'ul',
                  { attrs: { 'aria-label': 'Diagnosis' } },
                  ...(answer.diagnosis ?? []).map((line) => el('li', { text: line })),
                ),
                el('p', {
                  text: `Server said ${answer.refusal.status}${answer.refusal.reason ? `: ${answer.refusal.reason}` : ''}`,
                }),
              )
            : null,
          answer.lint ? findingsList(answer.lint.findings, 'Local check') : null,
        );
      },
      (error: unknown) => {
        status.textContent = error instanceof ApiFailure ? `${error.message} (${error.code})` : String(error);
        fill(results);
      },
    );
  });
  showTarget();
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'test-title' } },
    el('h2', { text: 'Test a token against a server', attrs: { id: 'test-title' } }),
    el('div', { className: 'columns' }, form, el('div', {}, status, results)),
  );
}
