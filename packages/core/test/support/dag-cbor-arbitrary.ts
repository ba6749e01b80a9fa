/** fast-check arbitraries for values of the IPLD data model that DAG-CBOR round-trips exactly. */
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { DAG_CBOR_CODE, RAW_CODE, cidForBytes } from '../../src/encoding/cid.js';

const TWO_POW_64 = 2n ** 64n;

/**
 * Integers outside the safe range but within CBOR's 64-bit major types 0 and 1: they decode as
 * bigint. (Safe integers decode as numbers, so a small bigint would not round-trip as a bigint.)
 */
const bigIntegers = fc.oneof(
  fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: TWO_POW_64 - 1n }),
  fc.bigInt({ min: -TWO_POW_64, max: BigInt(Number.MIN_SAFE_INTEGER) - 1n }),
);

/**
 * Finite doubles other than -0, which DAG-CBOR writes as the integer 0. Integral doubles in the
 * safe range come back as the same number, so they need no special case.
 */
const doubles = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .filter((x) => !Object.is(x, -0));

/** Scalars: null, booleans, safe integers, 64-bit bigints, finite doubles, text, bytes. */
export const scalarArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.maxSafeInteger(),
  bigIntegers,
  doubles,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uint8Array({ maxLength: 64 }),
);

/** CIDv1 sha2-256 links (dag-cbor or raw), the only links Parley accepts. */
export const linkArbitrary: fc.Arbitrary<CID> = fc
  .tuple(fc.uint8Array({ maxLength: 16 }), fc.constantFrom(DAG_CBOR_CODE, RAW_CODE))
  .map(([bytes, codec]) => cidForBytes(bytes, codec));

/**
 * Nested arrays and string-keyed maps of `leaf` values, at most `maxDepth` containers deep. Maps
 * come from fc.dictionary, which also makes null-prototype objects and `__proto__` keys.
 */
export function dagCborValueArbitrary(
  leaf: fc.Arbitrary<unknown> = scalarArbitrary,
  maxDepth = 6,
): fc.Arbitrary<unknown> {
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ maxDepth, depthSize: 'small' }, leaf, tie('array'), tie('map')),
    array: fc.array(tie('value'), { maxLength: 6 }),
    map: fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), tie('value'), { maxKeys: 6 }),
  }));
  return value;
}
