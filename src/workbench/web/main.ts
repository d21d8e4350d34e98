import { api, type KeySummary } from './api-client.js';
import { AppState } from './app-state.js';
import { createView } from './create-view.js';
import { el } from './element.js';
import { inspectView } from './inspect-view.js';
import { keysView } from './keys-view.js';
import { setupView } from './setup-view.js';
import { testView } from './test-view.js';

/**
 * The workbench page: five views behind links named Create, Inspect, Keys, Test and Setup. Views are
 * built once and shown or hidden, so what was typed in one survives a visit to another.
 */
const VIEWS = [
  ['create', 'Create', createView],
  ['inspect', 'Inspect', inspectView],
  ['keys', 'Keys', keysView],
  ['test', 'Test', testView],
  ['setup', 'Setup', setupView],
] as const;

async function start(): Promise<void> {
  const state = new AppState();
  const initial = await api<{ keys: KeySummary[]; defaults: Record<string, string> }>('/api/state');
  state.keys = initial.keys;
  state.defaults = initial.defaults;
  state.settings.key = initial.keys[0]?.id ?? '';
  const tabs = document.getElementById('tabs') as HTMLElement;
  const main = document.getElementById('views') as HTMLElement;
  const links = new Map<string, HTMLAnchorElement>();
  const panels = new Map<string, HTMLElement>();
  for (const [id, label, build] of VIEWS) {
    const link = el('a', { text: label, attrs: { href: `#${id}` } });
    links.set(id, link);
    tabs.append(el('li', {}, link));
    const panel = el('div', { attrs: { id: `view-${id}` } }, build(state));
    panels.set(id, panel);
    main.append(panel);
  }
  const show = (): void => {
    const wanted = location.hash.slice(1);
    const current = panels.has(wanted) ? wanted : 'create';
    for (const [id, panel] of panels) panel.hidden = id !== current;
    for (const [id, link] of links) {
      if (id === current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = `${VIEWS.find(([id]) => id === current)?.[1] ?? ''} · qs-jwt workbench`;
  };
  window.addEventListener('hashchange', () => {
    show();
    main.focus();
  });
  show();
}

start().catch((error: unknown) => {
  document.getElementById('views')?.replaceChildren(
    el('p', {
      className: 'status',
      attrs: { role: 'alert' },
      text: `The workbench could not start: ${String(error)}. Open the URL qs-jwt ui printed.`,
    }),
  );
});
