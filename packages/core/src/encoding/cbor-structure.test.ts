/**
 * The non-recursive CBOR header walk (RFC 8949 §3) that bounds depth and lengths before the real
 * decoder runs: its depth count against an independent model, and its refusals.
 */
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../bytes.js';
import {
  dagCborValueArbitrary,
  linkArbitrary,
  scalarArbitrary,
} from '../../test/support/dag-cbor-arbitrary.js';
import { thrownCode } from '../../test/support/core-error.js';
import { encodeCanonical } from './canonical.js';
import { checkCborStructure } from './cbor-structure.js';

/**
 * Levels of a value as the spec counts them: a scalar is 1; an array, map or link (tag 42 around
 * bytes) is one more than its deepest item, and an empty container counts as holding a scalar.
 */
function levelsOf(value: unknown): number {
  if (CID.asCID(value) !== null) return 2;
  if (Array.isArray(value)) return 1 + Math.max(1, ...value.map(levelsOf));
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    return 1 + Math.max(1, ...Object.values(value).map(levelsOf));
  }
  return 1;
}

/** The code `checkCborStructure` throws for these bytes and limit. */
function structureCode(bytes: Uint8Array, maxDepth: number): string {
  return thrownCode(() => {
    checkCborStructure(bytes, maxDepth);
  });
}

describe('checkCborStructure', () => {
  it('accepts every encoded value at exactly its depth and refuses it one level lower', () => {
    fc.assert(
      fc.property(dagCborValueArbitrary(fc.oneof(scalarArbitrary, linkArbitrary), 8), (value) => {
        const bytes = encodeCanonical(value);
        const levels = levelsOf(value);
        expect(() => {
          checkCborStructure(bytes, levels);
        }).not.toThrow();
        if (levels > 1) {
          expect(structureCode(bytes, levels - 1)).toBe('CORE_CBOR_TOO_DEEP');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a depth limit below 1 as a programming error (RangeError)', () => {
    expect(() => {
      checkCborStructure(fromHex('00'), 0);
    }).toThrow(RangeError);
  });

  it.each([
    ['8100', 2, 'an array of a scalar'],
    ['80', 2, 'an empty array'],
    ['a0', 2, 'an empty map'],
    ['a1616100', 2, 'a map of a scalar'],
    ['d82a4100', 2, 'a tag around a scalar'],
    ['828100a0', 3, 'an array of an array and an empty map'],
  ])('counts %s as %i levels (%s)', (hex, levels) => {
    expect(() => {
      checkCborStructure(fromHex(hex), levels);
    }).not.toThrow();
    expect(structureCode(fromHex(hex), levels - 1)).toBe('CORE_CBOR_TOO_DEEP');
  });

  it('walks 100,000 nested arrays without recursion and stops at the limit', () => {
    const deep = fromHex('81'.repeat(100_000) + '00');
    expect(structureCode(deep, 64)).toBe('CORE_CBOR_TOO_DEEP');
    expect(() => {
      checkCborStructure(deep, 100_001);
    }).not.toThrow();
  });

  it.each([
    ['', 'empty input'],
    ['18', 'a header cut inside its argument'],
    ['1b00000000', 'an 8-byte argument cut short'],
    ['43aabb', 'a byte string running past the end'],
    ['7b0000000100000000', 'a text string claiming 4 GiB'],
    ['83000000' + '00', 'a trailing item'],
    ['8200', 'an array missing an item'],
    ['9a00010000', 'an array claiming more items than bytes remain'],
    ['a1', 'a map missing its entry'],
    ['a100', 'a map missing a value'],
    ['bb4000000000000000', 'a map whose doubled count overflows what remains'],
    ['d82a', 'a tag without content'],
    ['1c', 'reserved additional information 28'],
    ['5d', 'reserved additional information 29'],
    ['9e', 'reserved additional information 30'],
    ['1f', 'additional information 31 on an integer'],
    ['5f', 'an indefinite-length byte string'],
    ['9f00ff', 'an indefinite-length array'],
    ['bfff', 'an indefinite-length map'],
    ['ff', 'a lone break'],
  ])('refuses %s (%s) with CORE_CBOR_MALFORMED', (hex) => {
    expect(structureCode(fromHex(hex), 64)).toBe('CORE_CBOR_MALFORMED');
  });

  it('lets through what only the decoder can judge: simple values, floats, non-minimal forms', () => {
    for (const hex of [
      'f7',
      'f0',
      'f97e00',
      'fb7ff8000000000000',
      '1801',
      'c100',
      'a2616101616102',
    ]) {
      expect(() => {
        checkCborStructure(fromHex(hex), 64);
      }).not.toThrow();
    }
  });
});
