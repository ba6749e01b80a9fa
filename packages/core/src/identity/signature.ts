/**
 * Domain-separated signatures (docs/spec/identity.md §Signatures): every signature names what it
 * is for, so a login signature can never pass as a chat entry or a directory entry.
 */
import { concatBytes, utf8 } from '../bytes.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { fail, ok, type Result } from '../result.js';

/** Every purpose a Parley identity or device key signs for. Adding one never changes another. */
export const SIGNATURE_CONTEXTS = [
  'login',
  'directory-entry',
  'device-certificate',
  'chat-entry',
  'key-package',
  'relay-receipt',
  'topic-write',
  'topic-cursor',
  'invitation',
] as const;

/** One of SIGNATURE_CONTEXTS. */
export type SignatureContext = (typeof SIGNATURE_CONTEXTS)[number];

// "parley-sig/v1" then NUL: the NUL keeps this prefix out of any valid UTF-8 text format
// (signed notes, JSON) that another protocol might sign with the same key.
const PREFIX = utf8('parley-sig/v1\u0000');

/**
 * The exact bytes signed for `message` in `context`:
 * prefix || u8(len(context)) || context || message. Length-prefixing the label makes the map
 * from (context, message) to bytes injective.
 */
export function signingInput(context: SignatureContext, message: Uint8Array): Uint8Array {
  if (!SIGNATURE_CONTEXTS.includes(context))
    throw new RangeError(`unknown signature context "${context}"`);
  const label = utf8(context);
  return concatBytes(PREFIX, new Uint8Array([label.length]), label, message);
}

/** Signs `message` for `context` with an Ed25519 seed. */
export function signFor(
  suite: CryptoSuite,
  context: SignatureContext,
  seed: Uint8Array,
  message: Uint8Array,
): Promise<Uint8Array> {
  return suite.ed25519.sign(seed, signingInput(context, message));
}

/** Why a signature was not accepted. */
export type SignatureFailure = 'bad-signature';

/** Verifies a signature made by `signFor` for the same context; never throws for bad bytes. */
export async function verifyFor(
  suite: CryptoSuite,
  context: SignatureContext,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<Result<true, SignatureFailure>> {
  const valid = await suite.ed25519.verify(publicKey, signingInput(context, message), signature);
  return valid ? ok(true) : fail('bad-signature');
}
