/**
 * X25519 (RFC 7748) through WebCrypto. Policy (docs/spec/crypto.md): public values are used as
 * RFC 7748 §5 says (high bit masked, non-canonical and twist points computed), and an all-zero
 * shared secret is refused (§6.1; RFC 9180 §7.1.4), which rejects every low-order point.
 */
import { assertBytes, concatBytes, toArrayBufferView } from '../bytes.js';
import { CoreError } from '../errors.js';
import { fromBase64Url } from './base64url.js';

/** Length of X25519 private keys, public keys and shared secrets. */
export const X25519_KEY_BYTES = 32;

// PKCS#8 PrivateKeyInfo for id-X25519 (RFC 8410 §7) with the 32-byte private key appended.
const PKCS8_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

/** X25519 operations bound to one WebCrypto implementation. */
export interface X25519 {
  /** Derives the public key of a 32-byte private key. */
  publicKey(privateKey: Uint8Array): Promise<Uint8Array>;
  /**
   * Computes the shared secret.
   * @throws CoreError CORE_DH_ZERO_SHARED_SECRET for low-order public values; CORE_KEY_INVALID
   */
  sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;
}

/** Builds X25519 operations on `subtle`. */
export function createX25519(subtle: SubtleCrypto): X25519 {
  const importPrivate = (privateKey: Uint8Array): Promise<CryptoKey> => {
    assertBytes(privateKey, X25519_KEY_BYTES, 'X25519 private key');
    return subtle.importKey(
      'pkcs8',
      toArrayBufferView(concatBytes(PKCS8_PREFIX, privateKey)),
      { name: 'X25519' },
      true,
      ['deriveBits'],
    );
  };
  return {
    async publicKey(privateKey) {
      const jwk = await subtle.exportKey('jwk', await importPrivate(privateKey));
      if (jwk.x === undefined) throw new Error('WebCrypto returned an X25519 JWK without x');
      return fromBase64Url(jwk.x);
    },
    async sharedSecret(privateKey, publicKey) {
      if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_KEY_BYTES) {
        throw new CoreError('CORE_KEY_INVALID', '(X25519 public keys are 32 bytes)');
      }
      const privateCryptoKey = await importPrivate(privateKey);
      let publicCryptoKey: CryptoKey;
      try {
        publicCryptoKey = await subtle.importKey(
          'raw',
          toArrayBufferView(publicKey),
          { name: 'X25519' },
          false,
          [],
        );
      } catch (cause) {
        throw new CoreError('CORE_KEY_INVALID', undefined, { cause });
      }
      let shared: Uint8Array;
      try {
        shared = new Uint8Array(
          await subtle.deriveBits(
            { name: 'X25519', public: publicCryptoKey },
            privateCryptoKey,
            256,
          ),
        );
      } catch (cause) {
        // WebCrypto refuses the all-zero output with an OperationError (WebCrypto §X25519); any
        // other failure is not ours to rename.
        if (cause instanceof Error && cause.name === 'OperationError') {
          throw new CoreError('CORE_DH_ZERO_SHARED_SECRET', undefined, { cause });
        }
        throw cause;
      }
      if (shared.every((byte) => byte === 0)) throw new CoreError('CORE_DH_ZERO_SHARED_SECRET');
      return shared;
    },
  };
}
