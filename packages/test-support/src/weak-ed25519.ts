/**
 * Wycheproof-style table of weak Ed25519 inputs for every entry point that accepts a key: the
 * eight small-order points of edwards25519 in their canonical encodings, the six non-canonical
 * encodings of small-order points (y ≥ p, or x = 0 with the sign bit set), and signatures made
 * of them (the all-zero signature is R = a point of order 4, S = 0).
 */
import { fromHex } from '@parley/core';

/** One weak encoding with what it is. */
export interface WeakEncoding {
  readonly title: string;
  readonly bytes: Uint8Array;
  readonly canonical: boolean;
}

const table: ReadonlyArray<readonly [string, string, boolean]> = [
  ['identity (order 1)', '0100000000000000000000000000000000000000000000000000000000000000', true],
  ['y = -1 (order 2)', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', true],
  [
    'all zero: y = 0, x = +sqrt(-1) (order 4)',
    '0000000000000000000000000000000000000000000000000000000000000000',
    true,
  ],
  [
    'y = 0, x = -sqrt(-1) (order 4)',
    '0000000000000000000000000000000000000000000000000000000000000080',
    true,
  ],
  [
    'order 8, first y, +x',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    true,
  ],
  [
    'order 8, first y, -x',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    true,
  ],
  [
    'order 8, second y, +x',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    true,
  ],
  [
    'order 8, second y, -x',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
    true,
  ],
  [
    'identity with the sign bit set (x = 0)',
    '0100000000000000000000000000000000000000000000000000000000000080',
    false,
  ],
  [
    'y = -1 with the sign bit set (x = 0)',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    false,
  ],
  [
    'y = p (≡ 0), sign 0',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    false,
  ],
  [
    'y = p (≡ 0), sign 1',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    false,
  ],
  [
    'y = p + 1 (≡ 1), sign 0',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    false,
  ],
  [
    'y = p + 1 (≡ 1), sign 1',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    false,
  ],
];

/** The 14 weak encodings: 8 canonical small-order points, 6 non-canonical encodings of them. */
export const WEAK_ED25519_KEYS: readonly WeakEncoding[] = table.map(([title, hex, canonical]) => ({
  title,
  bytes: fromHex(hex),
  canonical,
}));

/**
 * Signatures to try with a weak key: the all-zero signature, and R = each weak encoding with S = 0
 * (with a small-order key A and R, [S]B = R + [k]A holds for a fraction of all messages).
 */
export const WEAK_ED25519_SIGNATURES: readonly WeakEncoding[] = [
  { title: 'all-zero signature', bytes: new Uint8Array(64), canonical: true },
  ...WEAK_ED25519_KEYS.map((key) => {
    const signature = new Uint8Array(64);
    signature.set(key.bytes);
    return { title: `R = ${key.title}, S = 0`, bytes: signature, canonical: key.canonical };
  }),
];

/** How many different messages each weak pair is tried on (1/8 of them verify for order 8). */
export const WEAK_TRIES = 24;
