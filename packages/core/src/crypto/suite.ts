/**
 * The set of primitives the core computes with, bound to one WebCrypto implementation. Callers
 * create it once (`createCryptoSuite(globalThis.crypto.subtle)` in Node 20+ and browsers) and pass
 * it down; the core never reaches for a global.
 */
import { createAesGcm, type AesGcm } from './aes-gcm.js';
import { createEd25519, type Ed25519 } from './ed25519.js';
import { createKdf, type Kdf } from './hkdf.js';
import { createX25519, type X25519 } from './x25519.js';

/** Native-backed primitives. Pure-JS ones (XChaCha20-Poly1305, scrypt, SHA-256) are plain functions. */
export interface CryptoSuite {
  readonly ed25519: Ed25519;
  readonly x25519: X25519;
  readonly aesGcm: AesGcm;
  readonly kdf: Kdf;
}

/**
 * Binds the primitives to `subtle`. Throws TypeError if `subtle` is missing; an implementation
 * without Ed25519/X25519 (older browsers) fails on first use with its own NotSupportedError.
 */
export function createCryptoSuite(subtle: SubtleCrypto): CryptoSuite {
  if (typeof subtle !== 'object' || typeof subtle.importKey !== 'function') {
    throw new TypeError('createCryptoSuite: expected a SubtleCrypto');
  }
  return {
    ed25519: createEd25519(subtle),
    x25519: createX25519(subtle),
    aesGcm: createAesGcm(subtle),
    kdf: createKdf(subtle),
  };
}
