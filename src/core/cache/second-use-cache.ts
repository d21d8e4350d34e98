import { admitOnSecondSighting, createDoorkeeper, type Doorkeeper } from './doorkeeper.js';
import { OldestFirstMap } from './oldest-first-map.js';

/**
 * A bounded cache keyed by text that keeps a key from its second use on (doorkeeper.ts says why) and,
 * past `capacity`, drops its oldest entry (oldest-first-map.ts says how). The one mechanism behind the
 * emulator's verified tokens and the bridge's minted tokens; each adds only what its entries mean.
 */
export interface SecondUseCache<V> {
  /** Insertion order: the first entry is the oldest. */
  entries: OldestFirstMap<string, V>;
  capacity: number;
  doorkeeper: Doorkeeper;
}

/** `name` names the cache in the error for a bad capacity; capacity 0 keeps nothing. */
export function createSecondUseCache<V>(capacity: number, name: string): SecondUseCache<V> {
  if (!Number.isInteger(capacity) || capacity < 0) {
    throw new Error(`${name} capacity ${capacity} is not a whole number`);
  }
  // A cache that keeps nothing has nothing to admit: no fingerprint table.
  return { entries: new OldestFirstMap(), capacity, doorkeeper: createDoorkeeper(capacity === 0 ? 0 : undefined) };
}

/**
 * Whether to store `key` now: from its second use on, never with capacity 0. Asked before building the
 * entry, so a key seen once costs no allocation.
 */
export function admits<V>(cache: SecondUseCache<V>, key: string): boolean {
  return cache.capacity > 0 && admitOnSecondSighting(cache.doorkeeper, key);
}

/** Stores `value` as the newest entry for `key`, dropping the oldest entries past capacity. */
export function storeNewest<V>(cache: SecondUseCache<V>, key: string, value: V): void {
  cache.entries.delete(key);
  cache.entries.trimTo(cache.capacity - 1);
  cache.entries.set(key, value);
}

/**
 * The entry for `key` while `at` is before the end `endOf` gives it; an ended entry is dropped, so
 * stale entries leave as they are met, not only when capacity pushes them out.
 */
export function recallBefore<V>(
  cache: SecondUseCache<V>,
  key: string,
  at: number,
  endOf: (value: V) => number,
): V | undefined {
  const entry = cache.entries.get(key);
  if (entry === undefined) return undefined;
  if (at >= endOf(entry)) {
    cache.entries.delete(key);
    return undefined;
  }
  return entry;
}
