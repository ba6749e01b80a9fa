/**
 * A Parley identity: an Ed25519 signing key (whose hash is the account id) and an X25519 key for
 * HPKE. Secrets come from a RandomSource, never from a global.
 */
import { assertBytes } from '../bytes.js';
import { checkEd25519PublicKey, ED25519_SEED_BYTES } from '../crypto/ed25519.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { X25519_KEY_BYTES } from '../crypto/x25519.js';
import type { RandomSource } from '../random.js';
import { accountIdFromPublicKey, type AccountId } from './account-id.js';

/** The secret half of an identity: what a key file protects. */
export interface IdentitySecrets {
  readonly signingSeed: Uint8Array;
  readonly hpkePrivateKey: Uint8Array;
}

/** An identity with its public keys and account id derived from its secrets. */
export interface Identity {
  readonly accountId: AccountId;
  readonly signingPublicKey: Uint8Array;
  readonly hpkePublicKey: Uint8Array;
  readonly secrets: IdentitySecrets;
}

/** Creates a new identity from fresh randomness. */
export function generateIdentity(suite: CryptoSuite, random: RandomSource): Promise<Identity> {
  return identityFromSecrets(suite, {
    signingSeed: random(ED25519_SEED_BYTES),
    hpkePrivateKey: random(X25519_KEY_BYTES),
  });
}

/**
 * Rebuilds an identity from its secrets (after importing a key file).
 * @throws CoreError CORE_KEY_WEAK if the seed yields a small-order key (never for real seeds);
 *   RangeError on wrong lengths
 */
export async function identityFromSecrets(
  suite: CryptoSuite,
  secrets: IdentitySecrets,
): Promise<Identity> {
  assertBytes(secrets.signingSeed, ED25519_SEED_BYTES, 'signing seed');
  assertBytes(secrets.hpkePrivateKey, X25519_KEY_BYTES, 'HPKE private key');
  const signingPublicKey = await suite.ed25519.publicKey(secrets.signingSeed);
  checkEd25519PublicKey(signingPublicKey);
  const hpkePublicKey = await suite.x25519.publicKey(secrets.hpkePrivateKey);
  return {
    accountId: accountIdFromPublicKey(signingPublicKey),
    signingPublicKey,
    hpkePublicKey,
    secrets: {
      // Copies (Uint8Array.from, not slice: a Buffer's slice would share memory).
      signingSeed: Uint8Array.from(secrets.signingSeed),
      hpkePrivateKey: Uint8Array.from(secrets.hpkePrivateKey),
    },
  };
}
