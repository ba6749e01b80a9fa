/** The test-only seeded RandomSource: deterministic, seed-dependent, and split-independent. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unsafeSeededRandom } from './seeded-random.js';

function referenceBlock(seed: string, counter: number): Uint8Array {
  const index = Buffer.alloc(4);
  index.writeUInt32BE(counter);
  return new Uint8Array(createHash('sha256').update(seed, 'utf8').update(index).digest());
}

describe('unsafeSeededRandom', () => {
  it('streams sha256(seed || u32be(counter)) blocks, checked against node:crypto', () => {
    const random = unsafeSeededRandom('parley');
    const expected = new Uint8Array([
      ...referenceBlock('parley', 0),
      ...referenceBlock('parley', 1),
      ...referenceBlock('parley', 2),
    ]);
    expect(random(70)).toEqual(expected.subarray(0, 70));
    expect(random(26)).toEqual(expected.subarray(70, 96));
  });

  it('gives the same stream however the calls split it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 10 }), (lengths) => {
        const total = lengths.reduce((sum, length) => sum + length, 0);
        const split = unsafeSeededRandom('split');
        const joined = new Uint8Array(lengths.flatMap((length) => [...split(length)]));
        expect(joined).toEqual(unsafeSeededRandom('split')(total));
      }),
    );
  });

  it('gives different streams for different seeds, and the same for equal string and bytes seeds', () => {
    expect(unsafeSeededRandom('a')(32)).not.toEqual(unsafeSeededRandom('b')(32));
    expect(unsafeSeededRandom(new TextEncoder().encode('a'))(32)).toEqual(
      unsafeSeededRandom('a')(32),
    );
  });

  it('throws RangeError on a negative or fractional length', () => {
    expect(() => unsafeSeededRandom('x')(-1)).toThrow(RangeError);
    expect(() => unsafeSeededRandom('x')(1.5)).toThrow(RangeError);
  });
});
