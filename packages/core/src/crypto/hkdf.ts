/** HKDF-SHA256 (RFC 5869) and HMAC-SHA256 (RFC 2104) through WebCrypto. */
import { toArrayBufferView } from '../bytes.js';

/** SHA-256 output length; HKDF-SHA256 can expand to at most 255 times this. */
const SHA256_BYTES = 32;

/** Keyed hashing bound to one WebCrypto implementation. */
export interface Kdf {
  /**
   * HKDF-SHA256 extract-then-expand to `length` bytes.
   * Throws RangeError if `length` is not in 1..8160 (RFC 5869 §2.3).
   */
  hkdfSha256(
    ikm: Uint8Array,
    salt: Uint8Array,
    info: Uint8Array,
    length: number,
  ): Promise<Uint8Array>;
  /** HMAC-SHA256 of `message` under `key` (a full 32-byte tag). Throws RangeError on an empty key. */
  hmacSha256(key: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
}

/** Builds HKDF and HMAC on `subtle`. */
export function createKdf(subtle: SubtleCrypto): Kdf {
  return {
    async hkdfSha256(ikm, salt, info, length) {
      if (!Number.isInteger(length) || length < 1 || length > 255 * SHA256_BYTES) {
        throw new RangeError(
          `HKDF-SHA256 output length must be 1..${255 * SHA256_BYTES}, got ${length}`,
        );
      }
      const key = await subtle.importKey('raw', toArrayBufferView(ikm), 'HKDF', false, [
        'deriveBits',
      ]);
      const params = {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: toArrayBufferView(salt),
        info: toArrayBufferView(info),
      };
      return new Uint8Array(await subtle.deriveBits(params, key, length * 8));
    },
    async hmacSha256(key, message) {
      // WebCrypto refuses zero-length HMAC keys (WebCrypto §HMAC importKey); so does Parley.
      if (key.length === 0) throw new RangeError('HMAC key must not be empty');
      const cryptoKey = await subtle.importKey(
        'raw',
        toArrayBufferView(key),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      return new Uint8Array(await subtle.sign('HMAC', cryptoKey, toArrayBufferView(message)));
    },
  };
}
