/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha, RFC 8439 inside) from @noble/ciphers; WebCrypto
 * has no ChaCha. Its 192-bit nonce makes random nonces safe, which is why key files use it.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { CoreError } from '../errors.js';

/** Key and nonce lengths of XChaCha20-Poly1305 (its tag is 16 bytes). */
export const XCHACHA_KEY_BYTES = 32;
export const XCHACHA_NONCE_BYTES = 24;

/** Encrypts and returns ciphertext || tag. Throws RangeError on wrong key or nonce lengths. */
export function xchachaSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  checkSizes(key, nonce);
  return xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
}

/**
 * Authenticates and decrypts ciphertext || tag.
 * @throws CoreError CORE_AEAD_OPEN_FAILED; RangeError on wrong key or nonce lengths
 */
export function xchachaOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  checkSizes(key, nonce);
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(sealed);
  } catch (cause) {
    throw new CoreError('CORE_AEAD_OPEN_FAILED', undefined, { cause });
  }
}

function checkSizes(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== XCHACHA_KEY_BYTES) {
    throw new RangeError(`XChaCha20-Poly1305 key must be ${XCHACHA_KEY_BYTES} bytes`);
  }
  if (nonce.length !== XCHACHA_NONCE_BYTES) {
    throw new RangeError(`XChaCha20-Poly1305 nonce must be ${XCHACHA_NONCE_BYTES} bytes`);
  }
}
