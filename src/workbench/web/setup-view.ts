import { api, ApiFailure } from './api-client.js';
import { bindKeyPicker, type AppState } from './app-state.js';
import { copyButton, el, field, fill, input, select } from './element.js';

interface SetupField {
  label: string;
  value: string;
  note?: string;
}

interface SetupAnswer {
  qseow: SetupField[];
  cloud: SetupField[];
  missingCertificate?: string;
}

function withValue(box: HTMLTextAreaElement, value: string): HTMLTextAreaElement {
  box.value = value;
  return box;
}

function fieldList(title: string, fields: readonly SetupField[]): HTMLElement {
  return el(
    'section',
    { attrs: { 'aria-label': title } },
    el('h3', { text: title }),
    el(
      'dl',
      { className: 'setup' },
      ...fields.flatMap((item) => [
        el('dt', { text: item.label }),
        // A long value (the certificate) scrolls in a read-only box, which the keyboard can reach.
        el(
          'dd',
          {},
          item.value.length > 80
            ? withValue(
                el('textarea', { className: 'long', attrs: { readonly: '', rows: '4', 'aria-label': item.label } }),
                item.value,
              )
            : el('code', { text: item.value }),
          ' ',
          copyButton(item.label, () => item.value),
          item.note ? el('small', { text: ` ${item.note}` }) : null,
        ),
      ]),
    ),
  );
}

/** Setup: the values to paste into the QMC and the Qlik Cloud console for the chosen key (as quickstart prints). */
export function setupView(state: AppState): HTMLElement {
  const key = select('key', []);
  bindKeyPicker(key, state, () => state.settings.key);
  const prefix = input('prefix', 'jwt');
  const status = el('p', { className: 'status', attrs: { role: 'status' } });
  const results = el('div', { className: 'results' });
  const refresh = (): void => {
    if (key.value === '') {
      status.textContent = 'Create or paste a key in Keys first.';
      fill(results);
      return;
    }
    const s = state.settings;
    api<SetupAnswer>('/api/setup', {
      key: key.value,
      prefix: prefix.value,
      userIdAttribute: s.userIdAttribute,
      userDirectoryAttribute: s.userDirectoryAttribute,
      audience: s.audience,
      issuer: s.issuer,
    }).then(
      (answer) => {
        status.textContent =
          answer.missingCertificate ?? 'Paste these values; they match the key and the settings in Create.';
        fill(
          results,
          fieldList('Qlik Sense: QMC, Virtual proxies, Create new', answer.qseow),
          el('p', { text: 'Then link the virtual proxy to a proxy and add your host to the host allow list.' }),
          fieldList('Qlik Cloud: Administration, Identity providers, Create new, JWT', answer.cloud),
        );
      },
      (error: unknown) => {
        status.textContent = error instanceof ApiFailure ? `${error.message} (${error.code})` : String(error);
      },
    );
  };
  const form = el(
    'form',
    { className: 'form inline', attrs: { 'aria-label': 'Setup for' } },
    field('Key', key),
    field('Virtual proxy prefix', prefix),
  );
  form.addEventListener('change', refresh);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });
  // Only while Setup is shown: Create changes the settings on every key stroke.
  const refreshIfShown = (): void => {
    if (location.hash === '#setup') refresh();
  };
  state.on('keys', refreshIfShown);
  state.on('settings', refreshIfShown);
  window.addEventListener('hashchange', refreshIfShown);
  setTimeout(refreshIfShown, 0);
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'setup-title' } },
    el('h2', { text: 'Set up Qlik for this key', attrs: { id: 'setup-title' } }),
    form,
    status,
    results,
  );
}
