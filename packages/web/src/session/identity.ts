/**
 * Creating and opening identities in the browser. The identity's secrets exist unencrypted only
 * in this page's memory; what is stored and downloaded is the passphrase-encrypted key file
 * (docs/spec/key-file.md), with the default scrypt cost.
 */
import {
  createCryptoSuite,
  exportKeyFile,
  generateIdentity,
  importKeyFile,
  type Identity,
  type RandomSource,
} from '@parley/core';

/** Where an account's database keeps its encrypted key file. */
export const KEY_FILE_KEY = 'web/identity.key';

/** The shortest passphrase accepted for a new key file. */
export const MIN_PASSPHRASE_LENGTH = 8;

/** A new identity and its encrypted key file. */
export interface NewIdentity {
  readonly identity: Identity;
  readonly keyFile: Uint8Array;
}

/**
 * Generates an identity and encrypts it under `passphrase` (scrypt N = 2^17: about a second).
 * @throws RangeError if the passphrase is shorter than MIN_PASSPHRASE_LENGTH
 */
export async function createIdentity(
  subtle: SubtleCrypto,
  random: RandomSource,
  passphrase: string,
): Promise<NewIdentity> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new RangeError(`the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  const identity = await generateIdentity(createCryptoSuite(subtle), random);
  const keyFile = await exportKeyFile({ identity, passphrase, random });
  return { identity, keyFile };
}

/**
 * Decrypts a key file.
 * @throws CoreError CORE_KEYFILE_WRONG_PASSPHRASE | CORE_KEYFILE_MALFORMED | CORE_KEYFILE_TAMPERED |
 *   CORE_KEYFILE_UNSUPPORTED_VERSION | CORE_KEYFILE_UNSUPPORTED_PARAMS
 */
export function openKeyFile(
  subtle: SubtleCrypto,
  keyFile: Uint8Array,
  passphrase: string,
): Promise<Identity> {
  return importKeyFile(createCryptoSuite(subtle), keyFile, passphrase);
}

/** The file name offered for an account's key file download. */
export function keyFileName(accountId: string): string {
  return `parley-${accountId.slice(0, 16)}.key`;
}
