import type { KeySummary } from './api-client.js';

/**
 * What the views share: the keys the server holds, the profile's defaults, and the settings and token
 * of the Create view (Test sends that token; Setup shows the values that match those settings).
 */
export interface CreateSettings {
  platform: 'qseow' | 'cloud';
  key: string;
  userIdAttribute: string;
  userDirectoryAttribute: string;
  audience: string;
  issuer: string;
  kid: string;
  token: string;
}

type Topic = 'keys' | 'settings';

export class AppState {
  keys: KeySummary[] = [];
  defaults: Record<string, string> = {};
  settings: CreateSettings = {
    platform: 'qseow',
    key: '',
    userIdAttribute: '',
    userDirectoryAttribute: '',
    audience: '',
    issuer: '',
    kid: '',
    token: '',
  };
  readonly #listeners = new Map<Topic, (() => void)[]>();

  on(topic: Topic, listener: () => void): void {
    this.#listeners.set(topic, [...(this.#listeners.get(topic) ?? []), listener]);
  }

  emit(topic: Topic): void {
    for (const listener of this.#listeners.get(topic) ?? []) listener();
  }

  addKey(key: KeySummary): void {
    this.keys = [...this.keys.filter((known) => known.id !== key.id), key];
    this.emit('keys');
  }
}

/** Options of a key picker: every key by name, size and kid. */
export function keyOptions(keys: readonly KeySummary[]): [string, string][] {
  if (keys.length === 0) return [['', 'no key yet: create or paste one in Keys']];
  return keys.map((key) => [key.id, `${key.name} (RSA ${key.bits}, kid ${key.kid.slice(0, 10)}…)`]);
}

/** Keeps a key picker's options in step with the store, preserving the choice when it still exists. */
export function bindKeyPicker(picker: HTMLSelectElement, state: AppState, preferred: () => string): void {
  const refresh = (): void => {
    const current = picker.value || preferred();
    picker.replaceChildren(
      ...keyOptions(state.keys).map(([value, label]) => {
        const option = document.createElement('option');
        option.value = value;
        option.textContent = label;
        return option;
      }),
    );
    if (state.keys.some((key) => key.id === current)) picker.value = current;
  };
  refresh();
  state.on('keys', refresh);
}
