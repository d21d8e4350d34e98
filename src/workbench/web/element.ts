/**
 * Building DOM without innerHTML: every piece of text becomes a text node, so a token payload such as
 * `<img src=x onerror=…>` is shown as the characters it is and can never run.
 */
type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  className?: string;
  text?: string;
  attrs?: Record<string, string | undefined>;
  on?: Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {}))
    if (value !== undefined) node.setAttribute(name, value);
  for (const [name, handler] of Object.entries(options.on ?? {})) node.addEventListener(name, handler as EventListener);
  for (const child of children) if (child) node.append(child);
  return node;
}

let nextId = 0;

/** A label and its control (linked by id), with an optional hint read by screen readers. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
  hint?: string,
): HTMLElement {
  const id = control.id || `f${++nextId}`;
  control.id = id;
  const hintNode = hint ? el('small', { text: hint, attrs: { id: `${id}-hint` } }) : null;
  if (hintNode) control.setAttribute('aria-describedby', hintNode.id);
  return el('div', { className: 'field' }, el('label', { text: label, attrs: { for: id } }), control, hintNode);
}

export function input(name: string, value = '', attrs: Record<string, string> = {}): HTMLInputElement {
  const node = el('input', { attrs: { name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs } });
  node.value = value;
  return node;
}

export function textarea(name: string, rows: number, attrs: Record<string, string> = {}): HTMLTextAreaElement {
  return el('textarea', { attrs: { name, rows: String(rows), spellcheck: 'false', autocomplete: 'off', ...attrs } });
}

export function select(
  name: string,
  options: readonly (readonly [string, string])[],
  value?: string,
): HTMLSelectElement {
  const node = el(
    'select',
    { attrs: { name } },
    ...options.map(([optionValue, label]) => el('option', { text: label, attrs: { value: optionValue } })),
  );
  if (value !== undefined) node.value = value;
  return node;
}

/** A button that copies the current value of a control, saying so for screen readers. */
export function copyButton(label: string, source: () => string): HTMLButtonElement {
  const button = el('button', {
    text: 'Copy',
    className: 'secondary',
    attrs: { type: 'button', 'aria-label': `Copy ${label}` },
  });
  button.addEventListener('click', () => {
    navigator.clipboard.writeText(source()).then(
      () => {
        button.textContent = 'Copied';
        setTimeout(() => {
          button.textContent = 'Copy';
        }, 1500);
      },
      () => {
        button.textContent = 'Select and copy';
      },
    );
  });
  return button;
}

/** A read-only text box with a label and a copy button. */
export function output(label: string, rows: number): { box: HTMLTextAreaElement; node: HTMLElement } {
  const box = textarea(label, rows, { readonly: '' });
  const node = field(label, box);
  node.append(copyButton(label, () => box.value));
  return { box, node };
}

/** Replaces a node's children. */
export function fill(node: Element, ...children: Child[]): void {
  node.replaceChildren(...children.filter((child): child is Node | string => Boolean(child)));
}

/** Calls `run` once typing has paused, so the page asks the server once per pause, not per key. */
export function debounce(run: () => void, ms = 200): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
}
