/**
 * Ed25519 (RFC 8032) through WebCrypto, with Parley's verification policy (ed25519-policy.ts:
 * strict, not small-order A and R, canonical S) applied first so every platform answers the same.
 */
import { assertBytes, concatBytes, toArrayBufferView } from '../bytes.js';
import { fromBase64Url } from './base64url.js';
import { isAcceptableEd25519Input } from './ed25519-policy.js';

export { checkEd25519PublicKey } from './ed25519-policy.js';

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
  /**
   * True only for a valid signature under Parley's policy (never for a small-order or
   * non-canonical key or R, or S ≥ L); never throws for bad input bytes.
   */
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
      // The policy first, so Node and every browser refuse the same weak inputs.
      if (!isAcceptableEd25519Input(publicKey, signature)) return false;
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
