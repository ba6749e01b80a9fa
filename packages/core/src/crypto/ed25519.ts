/**
 * Ed25519 (RFC 8032) through WebCrypto, with Parley's verification policy applied first so every
 * platform answers the same: signatures must be 64 bytes with a canonical S (S < L, §5.1.7).
 * Public keys used as identities are further checked by `checkEd25519PublicKey`.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertBytes, concatBytes, toArrayBufferView } from '../bytes.js';
import { CoreError } from '../errors.js';
import { fromBase64Url } from './base64url.js';

/** Length of an Ed25519 seed (the private key), public key, and signature. */
export const ED25519_SEED_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
/** How many imported public keys a suite keeps for verification. */
const VERIFY_KEY_CACHE = 1024;

// PKCS#8 PrivateKeyInfo for id-Ed25519 (RFC 8410 §7) with the 32-byte seed appended.
const PKCS8_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian (RFC 8032 §5.1).
const ORDER_LE = new Uint8Array([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

/** One private key, imported once, for signing many messages (a relay's receipts). */
export interface Ed25519Signer {
  readonly publicKey: Uint8Array;
  /** Signs `message` (deterministic, RFC 8032 §5.1.6). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Ed25519 operations bound to one WebCrypto implementation. */
export interface Ed25519 {
  /** Derives the public key of a 32-byte seed. Throws RangeError on a wrong length. */
  publicKey(seed: Uint8Array): Promise<Uint8Array>;
  /** Signs `message` with the seed's key (deterministic, RFC 8032 §5.1.6). */
  sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  /**
   * Imports the seed's key once (not extractable) for many signatures: `sign` imports it on every
   * call, which costs more than the signature itself. Throws RangeError on a wrong length.
   */
  signer(seed: Uint8Array): Promise<Ed25519Signer>;
  /** True only for a valid signature under Parley's policy; never throws for bad input bytes. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** Builds Ed25519 operations on `subtle` (Node's or the browser's WebCrypto). */
export function createEd25519(subtle: SubtleCrypto): Ed25519 {
  const importPrivate = (seed: Uint8Array): Promise<CryptoKey> => {
    assertBytes(seed, ED25519_SEED_BYTES, 'Ed25519 seed');
    return subtle.importKey(
      'pkcs8',
      toArrayBufferView(concatBytes(PKCS8_PREFIX, seed)),
      { name: 'Ed25519' },
      true,
      ['sign'],
    );
  };
  // Imported public keys, most recently used last: verifying a history checks many entries of
  // a few devices, and importing the key costs more than the verification. Public: no secret kept.
  const verifyKeys = new Map<string, Promise<CryptoKey>>();
  const verifyKey = (publicKey: Uint8Array): Promise<CryptoKey> => {
    const id = Array.from(publicKey, (byte) => byte.toString(16).padStart(2, '0')).join('');
    const cached = verifyKeys.get(id);
    if (cached !== undefined) {
      verifyKeys.delete(id);
      verifyKeys.set(id, cached);
      return cached;
    }
    const imported = subtle.importKey(
      'raw',
      toArrayBufferView(publicKey),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    // A key WebCrypto refuses is not kept: the next call tries (and refuses) it again.
    imported.catch(() => verifyKeys.delete(id));
    verifyKeys.set(id, imported);
    if (verifyKeys.size > VERIFY_KEY_CACHE) {
      const oldest = verifyKeys.keys().next().value;
      if (oldest !== undefined) verifyKeys.delete(oldest);
    }
    return imported;
  };
  return {
    async publicKey(seed) {
      const jwk = await subtle.exportKey('jwk', await importPrivate(seed));
      if (jwk.x === undefined) throw new Error('WebCrypto returned an Ed25519 JWK without x');
      return fromBase64Url(jwk.x);
    },
    async sign(seed, message) {
      const key = await importPrivate(seed);
      return new Uint8Array(
        await subtle.sign({ name: 'Ed25519' }, key, toArrayBufferView(message)),
      );
    },
    async signer(seed) {
      const jwk = await subtle.exportKey('jwk', await importPrivate(seed));
      if (jwk.x === undefined) throw new Error('WebCrypto returned an Ed25519 JWK without x');
      const key = await subtle.importKey(
        'pkcs8',
        toArrayBufferView(concatBytes(PKCS8_PREFIX, seed)),
        { name: 'Ed25519' },
        false,
        ['sign'],
      );
      return {
        publicKey: fromBase64Url(jwk.x),
        sign: async (message) =>
          new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key, toArrayBufferView(message))),
      };
    },
    async verify(publicKey, message, signature) {
      if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
      if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
      if (!isCanonicalScalar(signature.subarray(32))) return false;
      try {
        const key = await verifyKey(publicKey);
        return await subtle.verify(
          { name: 'Ed25519' },
          key,
          toArrayBufferView(signature),
          toArrayBufferView(message),
        );
      } catch {
        // An encoding WebCrypto cannot import is simply not a valid key.
        return false;
      }
    },
  };
}

/** True if the 32-byte little-endian scalar is below the group order L (RFC 8032 §5.1.7). */
function isCanonicalScalar(scalar: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = scalar[i] ?? 0;
    const b = ORDER_LE[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}

/**
 * Checks a public key meant to be an identity or device key: a canonical encoding of a curve
 * point that is not of small order (such keys admit signatures that verify for many messages).
 * @throws CoreError CORE_KEY_INVALID | CORE_KEY_WEAK
 */
export function checkEd25519PublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) {
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
