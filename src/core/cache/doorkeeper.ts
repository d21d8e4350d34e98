/**
 * Admission on second sighting, for caches that see many keys only once (the doorkeeper of TinyLFU,
 * Einziger et al. 2017): a key is cached the second time it is offered, so a stream of one-off keys
 * (a new identity per request) leaves nothing behind for the garbage collector, while a key that comes
 * back is cached from its second use on. The doorkeeper remembers 32-bit fingerprints in a fixed
 * typed array, so it allocates nothing per key; two keys sharing a slot only make one of them wait for
 * a third sighting, or admit one a sighting early, never give a wrong answer (the cache itself is
 * keyed by the whole key). Measured in docs/performance.md (#14): a bridge whose caches kept every
 * one-off identity served ~14% fewer new identities per second than one that kept none.
 */

export interface Doorkeeper {
  slots: Uint32Array;
}

/** `slots` a power of two; 0 turns the doorkeeper off (every key admitted at once). */
export function createDoorkeeper(slots = 1 << 16): Doorkeeper {
  if (slots !== 0 && (!Number.isInteger(slots) || (slots & (slots - 1)) !== 0)) {
    throw new Error(`doorkeeper size ${slots} is not a power of two`);
  }
  return { slots: new Uint32Array(slots) };
}

/** FNV-1a over the UTF-16 code units, never 0 (0 marks an empty slot). */
function fingerprint(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0 || 1;
}

/** Whether to cache `key` now: true on its second sighting (and each later one while it stays marked). */
export function admitOnSecondSighting(doorkeeper: Doorkeeper, key: string): boolean {
  const { slots } = doorkeeper;
  if (slots.length === 0) return true;
  const mark = fingerprint(key);
  const slot = mark & (slots.length - 1);
  if (slots[slot] === mark) return true;
  slots[slot] = mark;
  return false;
}
