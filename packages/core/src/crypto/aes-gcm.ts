/**
 * AES-GCM (NIST SP 800-38D) through WebCrypto, in the profile Parley uses: 128- or 256-bit keys,
 * 96-bit nonces and 128-bit tags (as RFC 9180 and RFC 9420 use it). Other sizes are refused.
 */
import { toArrayBufferView } from '../bytes.js';
import { CoreError } from '../errors.js';

/** AES-GCM nonce and tag lengths in Parley's profile. */
const AES_GCM_NONCE_BYTES = 12;
const AES_GCM_TAG_BYTES = 16;

/** AES-GCM sealing and opening bound to one WebCrypto implementation. */
export interface AesGcm {
  /** Encrypts and returns ciphertext || tag. Throws RangeError outside the profile. */
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): Promise<Uint8Array>;
  /**
   * Authenticates and decrypts ciphertext || tag.
   * @throws CoreError CORE_AEAD_OPEN_FAILED; RangeError outside the profile
   */
  open(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Promise<Uint8Array>;
}

/** Builds AES-GCM on `subtle`. */
export function createAesGcm(subtle: SubtleCrypto): AesGcm {
  const prepare = async (key: Uint8Array, nonce: Uint8Array, usage: KeyUsage) => {
    if (key.length !== 16 && key.length !== 32) {
      throw new RangeError(`AES-GCM key must be 16 or 32 bytes, got ${key.length}`);
    }
    if (nonce.length !== AES_GCM_NONCE_BYTES) {
      throw new RangeError(
        `AES-GCM nonce must be ${AES_GCM_NONCE_BYTES} bytes, got ${nonce.length}`,
      );
    }
    return subtle.importKey('raw', toArrayBufferView(key), { name: 'AES-GCM' }, false, [usage]);
  };
  return {
    async seal(key, nonce, plaintext, aad) {
      const cryptoKey = await prepare(key, nonce, 'encrypt');
      const params = {
        name: 'AES-GCM',
        iv: toArrayBufferView(nonce),
        additionalData: toArrayBufferView(aad),
        tagLength: AES_GCM_TAG_BYTES * 8,
      };
      return new Uint8Array(await subtle.encrypt(params, cryptoKey, toArrayBufferView(plaintext)));
    },
    async open(key, nonce, sealed, aad) {
      const cryptoKey = await prepare(key, nonce, 'decrypt');
      if (sealed.length < AES_GCM_TAG_BYTES)
        throw new CoreError('CORE_AEAD_OPEN_FAILED', '(too short)');
      const params = {
        name: 'AES-GCM',
        iv: toArrayBufferView(nonce),
        additionalData: toArrayBufferView(aad),
        tagLength: AES_GCM_TAG_BYTES * 8,
      };
      try {
        return new Uint8Array(await subtle.decrypt(params, cryptoKey, toArrayBufferView(sealed)));
      } catch (cause) {
        throw new CoreError('CORE_AEAD_OPEN_FAILED', undefined, { cause });
      }
    },
  };
}
