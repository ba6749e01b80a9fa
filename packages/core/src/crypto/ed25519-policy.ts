/**
 * Parley's Ed25519 acceptance policy (docs/spec/crypto.md §Ed25519 signatures), the one check
 * every verifier runs before any native or library code: RFC 8032 §5.1.3 strict encodings of A
 * and R (y < p), neither of small order, and a canonical S (S < L, §5.1.7).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { CoreError } from '../errors.js';

const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian (RFC 8032 §5.1).
const ORDER_LE = new Uint8Array([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);
// p = 2^255 - 19, little-endian.
const FIELD_LE = new Uint8Array(32).fill(0xff);
FIELD_LE[0] = 0xed;
FIELD_LE[31] = 0x7f;

// The y coordinates (little-endian, sign bit clear) of the eight points of order dividing 8: each
// y below is shared by at most two points (±x), and together they are exactly those eight.
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4 (x = ±√−1)
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2 (y = −1)
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
].map((hex) => Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16)));

/** Compares two 32-byte little-endian numbers: negative, zero or positive like a - b. */
function compareLe(a: Uint8Array, b: Uint8Array): number {
  for (let i = 31; i >= 0; i--) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** True if the 32-byte little-endian scalar is below the group order L (RFC 8032 §5.1.7). */
function isCanonicalScalar(scalar: Uint8Array): boolean {
  return scalar.length === KEY_BYTES && compareLe(scalar, ORDER_LE) < 0;
}

/**
 * True if `encoding` is 32 bytes whose y is below p (the strict decoding of RFC 8032 §5.1.3) and
 * is not the y of a small-order point. Whether the point is on the curve at all is left to the
 * verifier, which cannot decode it otherwise. Never throws.
 */
export function isStrictPointEncoding(encoding: Uint8Array): boolean {
  if (!(encoding instanceof Uint8Array) || encoding.length !== KEY_BYTES) return false;
  const y = Uint8Array.from(encoding);
  y[31] = (y[31] ?? 0) & 0x7f;
  if (compareLe(y, FIELD_LE) >= 0) return false;
  return !SMALL_ORDER_Y.some((small) => compareLe(small, y) === 0);
}

/**
 * True if a (public key, signature) pair may be given to a verifier: a strict, not small-order
 * key A; a 64-byte signature whose R is strict and not small-order and whose S is below L.
 * Never throws.
 */
export function isAcceptableEd25519Input(publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  return (
    isStrictPointEncoding(publicKey) &&
    isStrictPointEncoding(signature.subarray(0, KEY_BYTES)) &&
    isCanonicalScalar(signature.subarray(KEY_BYTES))
  );
}

/**
 * Checks a public key meant to be an identity, device, log, witness or relay key: a canonical
 * encoding of a curve point that is not of small order (such keys admit signatures that verify
 * for many messages).
 * @throws CoreError CORE_KEY_INVALID | CORE_KEY_WEAK
 */
export function checkEd25519PublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== KEY_BYTES) {
    throw new CoreError('CORE_KEY_INVALID', '(Ed25519 public keys are 32 bytes)');
  }
  let point;
  try {
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch (cause) {
    throw new CoreError('CORE_KEY_INVALID', '(not a canonical Ed25519 point)', { cause });
  }
  if (point.isSmallOrder()) throw new CoreError('CORE_KEY_WEAK');
}
