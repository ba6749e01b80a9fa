/**
 * The store key: HKDF-SHA256 (RFC 5869) over the identity's signing seed, the secret the key file
 * protects, so the store opens only once the key file is unlocked with its passphrase
 * (docs/spec/client-store.md).
 */
import { type CryptoSuite, type Identity, utf8 } from '@parley/core';

const SALT = utf8('parley client store');

/** Derives the 32-byte key that seals this identity's ClientStore (openSealedStore). */
export function deriveStoreKey(suite: CryptoSuite, identity: Identity): Promise<Uint8Array> {
  return suite.kdf.hkdfSha256(
    identity.secrets.signingSeed,
    SALT,
    utf8(`parley/client-store-key/v1 ${identity.accountId}`),
    32,
  );
}
