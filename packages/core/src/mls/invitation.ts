/**
 * Invitations (docs/spec/chats.md §Invitations): an MLS Welcome and what the invitee needs to
 * find the chat, sealed with HPKE to the invitee's device key and posted to its inbox topic. The
 * relay sees only ciphertext in an inbox.
 */
import { utf8 } from '../bytes.js';
import { hpkeOpen, hpkeSeal } from '../crypto/hpke.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { expectBytes, expectFields, expectString, expectUint } from '../encoding/schema.js';
import { CoreError } from '../errors.js';
import { parseAccountId, type AccountId } from '../identity/account-id.js';
import type { RandomSource } from '../random.js';

/** What an invitation carries. */
export interface Invitation {
  readonly chat: Uint8Array;
  readonly kind: 'pair' | 'group';
  readonly name: string;
  readonly inviter: AccountId;
  /** SHA-256 of the invitee's KeyPackage the Welcome is for (as uploaded to the directory). */
  readonly keyPackageHash: Uint8Array;
  /** The MLSMessage bytes of the Welcome (with the ratchet tree extension). */
  readonly welcome: Uint8Array;
  /** The seq of the Commit that added the invitee: its history in the chat starts after it. */
  readonly since: number;
}

const INFO = utf8('parley/invitation/v1');

/** Seals an invitation to the invitee's device HPKE key; `inbox` (the topic) is bound as AAD. */
export async function sealInvitation(
  invitation: Invitation,
  recipientHpkeKey: Uint8Array,
  inbox: Uint8Array,
  random: RandomSource,
): Promise<Uint8Array> {
  const sealed = await hpkeSeal({
    recipientPublicKey: recipientHpkeKey,
    info: INFO,
    aad: inbox,
    plaintext: encodeCanonical({ v: 1, ...invitation }),
    random,
  });
  return encodeCanonical({ v: 1, enc: sealed.enc, ct: sealed.ciphertext });
}

/**
 * Opens an invitation found in `inbox` with the device's HPKE private key.
 * @throws CoreError CORE_HPKE_OPEN_FAILED (not for this device) | CORE_UNKNOWN_VERSION |
 *   CORE_SCHEMA_INVALID | CORE_ACCOUNT_ID_INVALID | CORE_CBOR_*
 */
export async function openInvitation(
  sealed: Uint8Array,
  hpkePrivateKey: Uint8Array,
  inbox: Uint8Array,
): Promise<Invitation> {
  const outer = expectFields(
    decodeCanonical(sealed, { maxBytes: 1024 * 1024, maxDepth: 2 }),
    'sealed invitation',
    ['v', 'enc', 'ct'],
  );
  if (outer.v !== 1) throw new CoreError('CORE_UNKNOWN_VERSION', '(invitation)');
  const plaintext = await hpkeOpen({
    recipientPrivateKey: hpkePrivateKey,
    enc: expectBytes(outer, 'enc', 'sealed invitation', 32),
    info: INFO,
    aad: inbox,
    ciphertext: expectBytes(outer, 'ct', 'sealed invitation'),
  });
  {
    const fields = expectFields(
      decodeCanonical(plaintext, { maxBytes: 1024 * 1024, maxDepth: 2 }),
      'invitation',
      ['v', 'chat', 'kind', 'name', 'inviter', 'keyPackageHash', 'welcome', 'since'],
    );
    if (fields.v !== 1) throw new CoreError('CORE_UNKNOWN_VERSION', '(invitation)');
    const kind = expectString(fields, 'kind', 'invitation');
    if (kind !== 'pair' && kind !== 'group')
      throw new CoreError('CORE_SCHEMA_INVALID', '(invitation kind)');
    return {
      chat: expectBytes(fields, 'chat', 'invitation', 32),
      kind,
      name: expectString(fields, 'name', 'invitation'),
      inviter: parseAccountId(expectString(fields, 'inviter', 'invitation')),
      keyPackageHash: expectBytes(fields, 'keyPackageHash', 'invitation', 32),
      welcome: expectBytes(fields, 'welcome', 'invitation'),
      since: expectUint(fields, 'since', 'invitation'),
    };
  }
}
