/**
 * Canonical DAG-CBOR (docs/spec/encoding.md): round trips, resistance to mutated and random input,
 * and each refusal of `decodeCanonical` with its code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, utf8 } from '../bytes.js';
import { CoreError } from '../errors.js';
import {
  dagCborValueArbitrary,
  linkArbitrary,
  scalarArbitrary,
} from '../../test/support/dag-cbor-arbitrary.js';
import { thrownCode } from '../../test/support/core-error.js';
import { applyMutation, mutationArbitrary } from '../../test/support/mutations.js';
import {
  DEFAULT_MAX_DECODE_BYTES,
  DEFAULT_MAX_DEPTH,
  decodeCanonical,
  encodeCanonical,
  encodeWithCid,
} from './canonical.js';
import { cidForBytes } from './cid.js';

/** `count` copies of `prefix` followed by `leaf`: a chain of one-item containers. */
function nested(prefix: string, count: number, leaf: string): Uint8Array {
  return fromHex(prefix.repeat(count) + leaf);
}

/** Decodes untrusted bytes and, if they are accepted, checks they are their own encoding. */
function expectCoreErrorOrCanonical(bytes: Uint8Array, original?: Uint8Array): void {
  let decoded: unknown;
  try {
    decoded = decodeCanonical(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CoreError);
    return;
  }
  expect(toHex(encodeCanonical(decoded))).toBe(toHex(bytes));
  if (original !== undefined) {
    expect(cidForBytes(bytes).equals(cidForBytes(original))).toBe(false);
  }
}

describe('encodeCanonical', () => {
  it('sorts map keys by length, then bytewise, whatever the insertion order', () => {
    expect(toHex(encodeCanonical({ b: 1, aa: 2, a: 3 }))).toBe('a3616103616201626161' + '02');
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.nat()), (map) => {
        const reversed = Object.fromEntries(Object.entries(map).reverse());
        expect(toHex(encodeCanonical(reversed))).toBe(toHex(encodeCanonical(map)));
      }),
    );
  });

  it.each([
    [0, '00'],
    [23, '17'],
    [24, '1818'],
    [255, '18ff'],
    [256, '190100'],
    [65536, '1a00010000'],
    [2 ** 32, '1b0000000100000000'],
    [-1, '20'],
    [-25, '3818'],
    [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
  ])('writes the integer %d in its shortest form %s', (value, hex) => {
    expect(toHex(encodeCanonical(value))).toBe(hex);
  });

  it('writes every non-integral number as a 64-bit float, and -0 as the integer 0', () => {
    expect(toHex(encodeCanonical(0.5))).toBe('fb3fe0000000000000');
    expect(toHex(encodeCanonical(1.5))).toBe('fb3ff8000000000000');
    expect(toHex(encodeCanonical(-0))).toBe('00');
  });

  it.each([
    ['undefined', undefined],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['undefined inside an array', [undefined]],
    ['undefined as a map value', { a: undefined }],
    ['a bigint wider than 64 bits', 2n ** 64n],
    ['a symbol', Symbol('x')],
    ['a function', () => 1],
    ['a Date', new Date(0)],
  ])('refuses %s with CORE_CBOR_UNENCODABLE', (_, value) => {
    expect(thrownCode(() => encodeCanonical(value))).toBe('CORE_CBOR_UNENCODABLE');
  });

  it('returns the bytes with their CID from encodeWithCid', () => {
    const { bytes, cid } = encodeWithCid({ hello: 'world' });
    expect(toHex(bytes)).toBe(toHex(encodeCanonical({ hello: 'world' })));
    expect(cid.toString()).toBe(cidForBytes(bytes).toString());
  });
});

describe('decodeCanonical on its own output', () => {
  it('gives back the encoded value: decode(encode(x)) deep-equals x', () => {
    fc.assert(
      fc.property(dagCborValueArbitrary(), (value) => {
        expect(decodeCanonical(encodeCanonical(value))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts every scalar kind at the top level', () => {
    fc.assert(
      fc.property(scalarArbitrary, (value) => {
        expect(decodeCanonical(encodeCanonical(value))).toEqual(value);
      }),
    );
  });

  it('gives back values holding sha2-256 CID links', () => {
    fc.assert(
      fc.property(dagCborValueArbitrary(fc.oneof(scalarArbitrary, linkArbitrary)), (value) => {
        expect(decodeCanonical(encodeCanonical(value))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a CIDv1 dag-cbor sha2-256 link', () => {
    const cid = cidForBytes(utf8('linked'));
    const bytes = encodeCanonical({ link: cid });
    expect(decodeCanonical(bytes)).toEqual({ link: cid });
  });
});

describe('decodeCanonical on mutated or random bytes', () => {
  it('throws only CoreError for a flipped bit, inserted or deleted byte, or truncation; whatever decodes is its own encoding with a new CID', () => {
    fc.assert(
      fc.property(dagCborValueArbitrary(), mutationArbitrary, (value, mutation) => {
        const bytes = encodeCanonical(value);
        expectCoreErrorOrCanonical(applyMutation(bytes, mutation), bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('does the same for mutations of values holding CID links', () => {
    fc.assert(
      fc.property(
        dagCborValueArbitrary(fc.oneof(scalarArbitrary, linkArbitrary)),
        mutationArbitrary,
        (value, mutation) => {
          const bytes = encodeCanonical(value);
          expectCoreErrorOrCanonical(applyMutation(bytes, mutation), bytes);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('throws only CoreError for random bytes, and accepts them only if canonical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expectCoreErrorOrCanonical(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decodeCanonical refusals', () => {
  describe('size', () => {
    it(`refuses input over the default ${DEFAULT_MAX_DECODE_BYTES} bytes with CORE_CBOR_TOO_LARGE`, () => {
      expect(DEFAULT_MAX_DECODE_BYTES).toBe(1024 * 1024);
      const atLimit = concatBytes(
        fromHex('5a000ffffb'),
        new Uint8Array(DEFAULT_MAX_DECODE_BYTES - 5),
      );
      expect(atLimit).toHaveLength(DEFAULT_MAX_DECODE_BYTES);
      expect(decodeCanonical(atLimit)).toHaveLength(DEFAULT_MAX_DECODE_BYTES - 5);
      const overLimit = concatBytes(
        fromHex('5a000ffffc'),
        new Uint8Array(DEFAULT_MAX_DECODE_BYTES - 4),
      );
      expect(thrownCode(() => decodeCanonical(overLimit))).toBe('CORE_CBOR_TOO_LARGE');
    });

    it('refuses input over a configured maxBytes with CORE_CBOR_TOO_LARGE', () => {
      const bytes = encodeCanonical('x'.repeat(20));
      expect(bytes).toHaveLength(21);
      expect(decodeCanonical(bytes, { maxBytes: 21 })).toBe('x'.repeat(20));
      expect(thrownCode(() => decodeCanonical(bytes, { maxBytes: 20 }))).toBe(
        'CORE_CBOR_TOO_LARGE',
      );
    });
  });

  describe('depth (the top-level item is level 1; each array, map or tag adds one)', () => {
    it(`accepts ${DEFAULT_MAX_DEPTH - 1} nested arrays around a scalar (${DEFAULT_MAX_DEPTH} levels) and refuses one more`, () => {
      expect(DEFAULT_MAX_DEPTH).toBe(64);
      const deepest = nested('81', DEFAULT_MAX_DEPTH - 1, '00');
      expect(toHex(encodeCanonical(decodeCanonical(deepest)))).toBe(toHex(deepest));
      expect(thrownCode(() => decodeCanonical(nested('81', DEFAULT_MAX_DEPTH, '00')))).toBe(
        'CORE_CBOR_TOO_DEEP',
      );
    });

    it('honours a configured maxDepth, counting an empty container as a level', () => {
      expect(decodeCanonical(fromHex('00'), { maxDepth: 1 })).toBe(0);
      expect(thrownCode(() => decodeCanonical(fromHex('80'), { maxDepth: 1 }))).toBe(
        'CORE_CBOR_TOO_DEEP',
      );
      expect(decodeCanonical(fromHex('a1616100'), { maxDepth: 2 })).toEqual({ a: 0 });
      expect(thrownCode(() => decodeCanonical(fromHex('a1616180'), { maxDepth: 2 }))).toBe(
        'CORE_CBOR_TOO_DEEP',
      );
    });

    it.each([
      ['arrays', '81', '00'],
      ['maps {"a": …}', 'a16161', '00'],
      ['tag-42 links', 'd82a', '40'],
      ['arrays opened but never closed', '81', ''],
    ])(
      'refuses 100,000 nested %s with CORE_CBOR_TOO_DEEP, without overflowing the stack',
      (_, prefix, leaf) => {
        expect(thrownCode(() => decodeCanonical(nested(prefix, 100_000, leaf)))).toBe(
          'CORE_CBOR_TOO_DEEP',
        );
      },
    );
  });

  it.each([
    ['1801', 'the integer 1 in a 1-byte argument'],
    ['190017', 'the integer 23 in a 2-byte argument'],
    ['1a0000ffff', 'the integer 65535 in a 4-byte argument'],
    ['1b00000000ffffffff', 'the integer 2^32-1 in an 8-byte argument'],
    ['3800', 'the integer -1 in a 1-byte argument'],
    ['5801ff', 'a 1-byte byte string with a 1-byte length'],
    ['780161', 'a 1-character text string with a 1-byte length'],
    ['980100', 'a 1-item array with a 1-byte length'],
    ['b801616100', 'a 1-entry map with a 1-byte length'],
    ['d9002a4100', 'tag 42 in a 2-byte argument'],
  ])('refuses the non-minimal %s (%s) with CORE_CBOR_NON_CANONICAL', (hex) => {
    expect(thrownCode(() => decodeCanonical(fromHex(hex)))).toBe('CORE_CBOR_NON_CANONICAL');
  });

  it.each([
    ['f93c00', '1.0 as a half float (an integer must be an integer)'],
    ['fb3ff0000000000000', '1.0 as a double (an integer must be an integer)'],
    ['fa3fc00000', '1.5 as a single float (DAG-CBOR floats are 64-bit)'],
    ['f93e00', '1.5 as a half float'],
    ['fb8000000000000000', '-0.0 (written as the integer 0)'],
  ])('refuses the non-canonical float %s, %s, with CORE_CBOR_NON_CANONICAL', (hex) => {
    expect(thrownCode(() => decodeCanonical(fromHex(hex)))).toBe('CORE_CBOR_NON_CANONICAL');
  });

  it.each([
    ['a2616201616101', '{"b": 1, "a": 2}: bytewise order broken'],
    ['a262616101616202', '{"aa": 1, "b": 2}: shorter keys must come first'],
  ])('refuses unsorted map keys %s (%s) with CORE_CBOR_NON_CANONICAL', (hex) => {
    expect(thrownCode(() => decodeCanonical(fromHex(hex)))).toBe('CORE_CBOR_NON_CANONICAL');
  });

  it.each([
    ['a2616101616102', 'at the top level'],
    ['81a2616101616102', 'inside an array'],
  ])('refuses a duplicate map key %s (%s) with CORE_CBOR_DUPLICATE_KEY', (hex) => {
    expect(thrownCode(() => decodeCanonical(fromHex(hex)))).toBe('CORE_CBOR_DUPLICATE_KEY');
  });

  it.each([
    ['5f4161ff', 'byte string'],
    ['7f6161ff', 'text string'],
    ['9fff', 'array'],
    ['bfff', 'map'],
  ])('refuses the indefinite-length %s (%s) with CORE_CBOR_MALFORMED', (hex) => {
    expect(thrownCode(() => decodeCanonical(fromHex(hex)))).toBe('CORE_CBOR_MALFORMED');
  });

  it.each([
    ['0000', 'a second item'],
    ['f6ff', 'a break byte'],
    ['a0a0', 'a second map'],
  ])('refuses trailing bytes %s (%s) with CORE_CBOR_MALFORMED', (hex) => {
    expect(thrownCode(() => decodeCanonical(fromHex(hex)))).toBe('CORE_CBOR_MALFORMED');
  });

  it.each([
    ['f97e00', 'NaN (half)'],
    ['fb7ff8000000000000', 'NaN (double)'],
    ['f97c00', 'Infinity (half)'],
    ['fb7ff0000000000000', 'Infinity (double)'],
    ['fbfff0000000000000', '-Infinity (double)'],
  ])('refuses %s (%s) with CORE_CBOR_MALFORMED', (hex) => {
    expect(thrownCode(() => decodeCanonical(fromHex(hex)))).toBe('CORE_CBOR_MALFORMED');
  });

  it('refuses undefined (f7) with CORE_CBOR_NON_CANONICAL: it decodes as null, which encodes as f6', () => {
    expect(thrownCode(() => decodeCanonical(fromHex('f7')))).toBe('CORE_CBOR_NON_CANONICAL');
    expect(thrownCode(() => decodeCanonical(fromHex('81f7')))).toBe('CORE_CBOR_NON_CANONICAL');
  });

  it.each([
    ['', 'empty input'],
    ['62', 'a text string with its content missing'],
    ['5a00010000', 'a byte string longer than the input'],
    ['9bffffffffffffffff', 'an array claiming 2^64-1 items'],
    ['bb7fffffffffffffff', 'a map claiming 2^63-1 entries'],
    ['82', 'an array with its items missing'],
    ['1c', 'reserved additional information 28'],
    ['fe', 'reserved additional information 30 in major type 7'],
    ['a10102', 'a map with an integer key'],
    ['f0', 'the simple value 16'],
    ['f820', 'the simple value 32'],
    ['c100', 'tag 1 (only tag 42 is allowed)'],
    ['d82a6161', 'tag 42 around a text string'],
    ['d82a420171', 'tag 42 around bytes without the 0x00 prefix'],
  ])('refuses %s (%s) with CORE_CBOR_MALFORMED', (hex) => {
    expect(thrownCode(() => decodeCanonical(fromHex(hex)))).toBe('CORE_CBOR_MALFORMED');
  });

  it('refuses a text string that is not UTF-8 (61ff) with CORE_CBOR_NON_CANONICAL: it decodes to U+FFFD', () => {
    expect(thrownCode(() => decodeCanonical(fromHex('61ff')))).toBe('CORE_CBOR_NON_CANONICAL');
  });

  it('throws TypeError for input that is not a Uint8Array', () => {
    expect(() => decodeCanonical('a0' as unknown as Uint8Array)).toThrow(TypeError);
  });

  describe('CID links', () => {
    const sha256Link = 'd82a58250001711220' + 'ab'.repeat(32);

    it('accepts a CIDv1 link with a sha2-256 multihash (baseline for the cases below)', () => {
      expect(toHex(encodeCanonical(decodeCanonical(fromHex(sha256Link))))).toBe(sha256Link);
    });

    it.each([
      [
        'd82a4a00015500050001020304',
        'identity multihash (inline data, fixture cid-bafkqabiaaebagba)',
      ],
      ['d82a58190001781114c876ceeaa8b30123bc5fc99359e682a737308659', 'sha1 (fixture cid-z8mWaJ1…)'],
      ['d82a584500017113' + '40' + 'cd'.repeat(64), 'sha2-512'],
      ['d82a5500017112' + '10' + 'ab'.repeat(16), 'sha2-256 truncated to 16 bytes'],
      ['d82a58250001715620' + 'ab'.repeat(32), 'dbl-sha2-256'],
    ])('refuses a link %s with %s with CORE_CID_UNSUPPORTED_HASH', (hex) => {
      expect(thrownCode(() => decodeCanonical(fromHex(hex)))).toBe('CORE_CID_UNSUPPORTED_HASH');
    });

    it('refuses tag 42 around 0x00 and bytes that are not a CID with CORE_CID_MALFORMED', () => {
      expect(thrownCode(() => decodeCanonical(fromHex('d82a420001')))).toBe('CORE_CID_MALFORMED');
    });
  });
});
