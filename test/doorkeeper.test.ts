import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { admitOnSecondSighting, createDoorkeeper } from '../src/core/cache/doorkeeper.js';

describe('doorkeeper (admission on second sighting)', () => {
  it('admits a key on its second sighting and keeps admitting it while it stays marked', () => {
    const doorkeeper = createDoorkeeper(16);
    assert.equal(admitOnSecondSighting(doorkeeper, 'anna'), false);
    assert.equal(admitOnSecondSighting(doorkeeper, 'anna'), true);
    assert.equal(admitOnSecondSighting(doorkeeper, 'anna'), true);
  });

  it('admits every key at once when turned off (0 slots)', () => {
    const doorkeeper = createDoorkeeper(0);
    assert.equal(admitOnSecondSighting(doorkeeper, 'anna'), true);
  });

  it('refuses a size that is not a power of two', () => {
    for (const size of [3, 1000, -4, 1.5]) {
      assert.throws(() => createDoorkeeper(size), /power of two/);
    }
  });

  it('admits no key seen once, whatever the keys (property), and a returning key despite one-off traffic around it', () => {
    fc.assert(
      // 50 distinct keys share a 32-bit fingerprint with odds ~3e-7 per run: no flapping.
      fc.property(fc.uniqueArray(fc.string({ maxLength: 40 }), { maxLength: 50 }), (keys) => {
        const doorkeeper = createDoorkeeper(1 << 16);
        return keys.every((key) => !admitOnSecondSighting(doorkeeper, key));
      }),
      { numRuns: 100 },
    );
    // 10,000 one-off keys between two sightings of a returning key, in 65,536 slots (fixed keys: the
    // outcome is deterministic; with random ones the returning key's slot is taken ~14% of the time).
    const doorkeeper = createDoorkeeper(1 << 16);
    assert.equal(admitOnSecondSighting(doorkeeper, 'returning'), false);
    let admittedOneOffs = 0;
    for (let index = 0; index < 10_000; index += 1) {
      if (admitOnSecondSighting(doorkeeper, `one-off-${index}`)) admittedOneOffs += 1;
    }
    assert.ok(admittedOneOffs < 5, `${admittedOneOffs} one-off keys admitted (fingerprint collisions only)`);
    assert.equal(admitOnSecondSighting(doorkeeper, 'returning'), true);
  });
});
