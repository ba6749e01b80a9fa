/**
 * HPKE (RFC 9180) single-shot base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and
 * AES-128-GCM — the suite of MLS ciphersuite 1 — from hpke-js (`@hpke/core`) on native WebCrypto.
 * The ephemeral key is derived from caller-supplied randomness (RFC 9180 §7.1.3 DeriveKeyPair).
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { assertBytes, toArrayBufferView } from '../bytes.js';
import { CoreError } from '../errors.js';
import type { RandomSource } from '../random.js';
import { X25519_KEY_BYTES } from './x25519.js';

/** RFC 9180 identifiers of the suite: KEM 0x0020, KDF 0x0001, AEAD 0x0001. */
export const HPKE_SUITE = { kemId: 0x0020, kdfId: 0x0001, aeadId: 0x0001 } as const;

/** What `hpkeSeal` returns: the encapsulated key and the ciphertext. */
export interface HpkeSealed {
  readonly enc: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Creates the hpke-js cipher suite object Parley uses (exposed for known-answer tests). */
export function createHpkeSuite(): CipherSuite {
  return new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes128Gcm(),
  });
}

/** Options of `hpkeSeal`. */
export interface HpkeSealInput {
  readonly recipientPublicKey: Uint8Array;
  readonly info: Uint8Array;
  readonly aad: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly random: RandomSource;
}

/**
 * Seals `plaintext` to an X25519 public key (base mode).
 * @throws CoreError CORE_KEY_INVALID if the public key cannot be used
 */
export async function hpkeSeal(input: HpkeSealInput): Promise<HpkeSealed> {
  assertBytes(input.recipientPublicKey, X25519_KEY_BYTES, 'HPKE recipient public key');
  const suite = createHpkeSuite();
  let recipientPublicKey: CryptoKey;
  try {
    recipientPublicKey = await suite.kem.deserializePublicKey(
      toArrayBufferView(input.recipientPublicKey),
    );
  } catch (cause) {
    throw new CoreError('CORE_KEY_INVALID', '(HPKE recipient key)', { cause });
  }
  try {
    const sender = await suite.createSenderContext({
      recipientPublicKey,
      info: toArrayBufferView(input.info),
      ekm: toArrayBufferView(input.random(X25519_KEY_BYTES)),
    });
    const ciphertext = await sender.seal(
      toArrayBufferView(input.plaintext),
      toArrayBufferView(input.aad),
    );
    return { enc: new Uint8Array(sender.enc), ciphertext: new Uint8Array(ciphertext) };
  } catch (cause) {
    // Encapsulation fails only when the DH output is all zero, i.e. a low-order public key.
    throw new CoreError('CORE_KEY_INVALID', '(HPKE encapsulation failed)', { cause });
  }
}

/** Options of `hpkeOpen`. */
export interface HpkeOpenInput {
  readonly recipientPrivateKey: Uint8Array;
  readonly enc: Uint8Array;
  readonly info: Uint8Array;
  readonly aad: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/**
 * Opens a base-mode HPKE ciphertext with the recipient's X25519 private key.
 * @throws CoreError CORE_HPKE_OPEN_FAILED for any ciphertext, enc, info or aad that does not match
 */
export async function hpkeOpen(input: HpkeOpenInput): Promise<Uint8Array> {
  assertBytes(input.recipientPrivateKey, X25519_KEY_BYTES, 'HPKE recipient private key');
  const suite = createHpkeSuite();
  try {
    const recipientKey = await suite.kem.importKey(
      'raw',
      toArrayBufferView(input.recipientPrivateKey).buffer,
      false,
    );
    const recipient = await suite.createRecipientContext({
      recipientKey,
      enc: toArrayBufferView(input.enc).buffer,
      info: toArrayBufferView(input.info),
    });
    return new Uint8Array(
      await recipient.open(toArrayBufferView(input.ciphertext), toArrayBufferView(input.aad)),
    );
  } catch (cause) {
    throw new CoreError('CORE_HPKE_OPEN_FAILED', undefined, { cause });
  }
}
