import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admits, createSecondUseCache, recallBefore, storeNewest } from '../src/core/cache/second-use-cache.js';

describe('second-use cache (the verified-token and minted-token caches)', () => {
  it('refuses a capacity that is not a whole number, naming the cache', () => {
    for (const capacity of [-1, 1.5, Number.NaN]) {
      assert.throws(() => createSecondUseCache(capacity, 'test cache'), /^Error: test cache capacity .* whole number/);
    }
  });

  it('admits nothing and keeps no fingerprint table with capacity 0', () => {
    const cache = createSecondUseCache<string>(0, 'test cache');
    assert.equal(cache.doorkeeper.slots.length, 0);
    assert.equal(admits(cache, 'k'), false);
    assert.equal(admits(cache, 'k'), false);
  });

  it('admits a key at its second use and keeps the newest entries within capacity', () => {
    const cache = createSecondUseCache<number>(2, 'test cache');
    const offer = (key: string, value: number): void => {
      if (admits(cache, key)) storeNewest(cache, key, value);
    };
    offer('a', 1);
    assert.equal(cache.entries.size, 0, 'first use: not kept');
    for (const [key, value] of [
      ['a', 1],
      ['b', 2],
      ['b', 2],
      ['c', 3],
      ['c', 3],
      ['a', 4],
    ] as const) {
      offer(key, value);
    }
    assert.deepEqual(
      [...cache.entries],
      [
        ['c', 3],
        ['a', 4],
      ],
      'stored again moves to newest; b, the oldest, went',
    );
  });

  it('recalls an entry only before its end, and drops it once that end is reached', () => {
    const cache = createSecondUseCache<{ end: number }>(4, 'test cache');
    storeNewest(cache, 'k', { end: 100 });
    const endOf = (entry: { end: number }): number => entry.end;
    assert.deepEqual(recallBefore(cache, 'k', 99, endOf), { end: 100 });
    assert.equal(cache.entries.size, 1);
    assert.equal(recallBefore(cache, 'k', 100, endOf), undefined);
    assert.equal(cache.entries.size, 0, 'an ended entry leaves when it is met');
    assert.equal(recallBefore(cache, 'absent', 0, endOf), undefined);
  });
});
