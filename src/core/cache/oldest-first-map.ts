/**
 * A Map used as a bounded cache in insertion order, with cheap access to its oldest entries. The
 * obvious `map.delete(map.keys().next().value)` costs more the longer the map has been churning: V8
 * keeps deleted entries as holes in the table until it rehashes, and every new iterator walks over
 * them from the front (at 10,000 entries, ~12 µs per insert instead of ~2 µs; docs/performance.md).
 * One long-lived iterator instead remembers where the oldest live entry is. As in any Map, an entry
 * deleted and set again moves to the end, so the order is "oldest (re)inserted first".
 */
export class OldestFirstMap<K, V> extends Map<K, V> {
  #cursor: MapIterator<K> | undefined;
  /** The oldest key, already read from the cursor but not deleted; forgotten when it is deleted. */
  #held: { key: K } | undefined;

  override delete(key: K): boolean {
    if (this.#held && this.#held.key === key) this.#held = undefined;
    return super.delete(key);
  }

  override clear(): void {
    this.#held = undefined;
    this.#cursor = undefined;
    super.clear();
  }

  #oldest(): { key: K } | undefined {
    if (this.#held) return this.#held;
    let next = this.#cursor?.next();
    if (!next || next.done) {
      // A finished iterator stays finished, even after new entries: start a new one.
      this.#cursor = this.keys();
      next = this.#cursor.next();
      if (next.done) return undefined;
    }
    this.#held = { key: next.value };
    return this.#held;
  }

  /** Deletes the oldest entries until at most `limit` remain. */
  trimTo(limit: number): void {
    while (this.size > Math.max(0, limit)) {
      const oldest = this.#oldest();
      if (!oldest) return;
      this.delete(oldest.key);
    }
  }

  /** Deletes oldest entries while `drop` says so; stops at the first it keeps. Returns how many went. */
  dropOldestWhile(drop: (value: V, key: K) => boolean): number {
    let dropped = 0;
    for (let oldest = this.#oldest(); oldest; oldest = this.#oldest()) {
      if (!drop(this.get(oldest.key) as V, oldest.key)) break;
      this.delete(oldest.key);
      dropped += 1;
    }
    return dropped;
  }
}
