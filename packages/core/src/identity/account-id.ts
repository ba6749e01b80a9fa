/**
 * Account ids (docs/spec/identity.md): the multibase base32 form of the sha2-256 multihash of the
 * identity key in its multicodec form (ed25519-pub, 0xed). Example: `bciq…`, 56 characters.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { base32 } from 'multiformats/bases/base32';
import * as Digest from 'multiformats/hashes/digest';
import { concatBytes } from '../bytes.js';
import { SHA2_256_CODE } from '../encoding/cid.js';
import { CoreError } from '../errors.js';
import { ED25519_PUBLIC_KEY_BYTES } from '../crypto/ed25519.js';

/** A string known to be a well-formed account id. */
export type AccountId = string & { readonly __brand: 'AccountId' };

/** The unsigned-varint multicodec prefix of an Ed25519 public key (0xed → 0xed 0x01). */
export const ED25519_PUB_MULTICODEC = new Uint8Array([0xed, 0x01]);

/** Computes the account id of an Ed25519 identity public key. Throws RangeError on a wrong length. */
export function accountIdFromPublicKey(publicKey: Uint8Array): AccountId {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new RangeError('accountIdFromPublicKey: Ed25519 public keys are 32 bytes');
  }
  const digest = sha256(concatBytes(ED25519_PUB_MULTICODEC, publicKey));
  return base32.encode(Digest.create(SHA2_256_CODE, digest).bytes) as AccountId;
}

/**
 * Parses and checks an account id: base32 multibase ("b" prefix, lower case), holding a sha2-256
 * multihash with a 32-byte digest and nothing else.
 * @throws CoreError CORE_ACCOUNT_ID_INVALID
 */
export function parseAccountId(text: string): AccountId {
  if (typeof text !== 'string' || !text.startsWith('b')) {
    throw new CoreError('CORE_ACCOUNT_ID_INVALID', '(expected base32 multibase, "b…")');
  }
  let multihash: Uint8Array;
  try {
    multihash = base32.decode(text);
  } catch (cause) {
    throw new CoreError('CORE_ACCOUNT_ID_INVALID', '(not base32)', { cause });
  }
  let digest;
  try {
    digest = Digest.decode(multihash);
  } catch (cause) {
    throw new CoreError('CORE_ACCOUNT_ID_INVALID', '(not a multihash)', { cause });
  }
  if (digest.code !== SHA2_256_CODE || digest.size !== 32) {
    throw new CoreError('CORE_ACCOUNT_ID_INVALID', '(not a sha2-256 multihash)');
  }
  // Only the one canonical spelling is an id: re-encoding must give the same string.
  if (base32.encode(multihash) !== text) {
    throw new CoreError('CORE_ACCOUNT_ID_INVALID', '(not in canonical lower-case form)');
  }
  return text as AccountId;
}

/** True if `publicKey` is the identity key behind `accountId`. */
export function isAccountKey(accountId: AccountId, publicKey: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  return accountIdFromPublicKey(publicKey) === accountId;
}
