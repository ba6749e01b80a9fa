/**
 * Invitations (docs/spec/chats.md §Invitations): an MLS Welcome and what the invitee needs to
 * find the chat, signed by the inviter's device and sealed with HPKE to the invitee's device key,
 * posted to its inbox topic. The relay sees only ciphertext in an inbox.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, utf8 } from '../bytes.js';
import { hpkeOpen, hpkeSeal } from '../crypto/hpke.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { expectBytes, expectFields, expectString, expectUint } from '../encoding/schema.js';
import { CoreError } from '../errors.js';
import { parseAccountId, type AccountId } from '../identity/account-id.js';
import { signFor, verifyFor } from '../identity/signature.js';
import type { RandomSource } from '../random.js';
import { fail, ok, type Result } from '../result.js';

/** What an invitation carries. Every field is covered by the inviter device's signature. */
export interface Invitation {
  readonly chat: Uint8Array;
  /** `room`: a group its creator named as a room (docs/spec/chats.md §Kinds). */
  readonly kind: 'pair' | 'group' | 'room';
  readonly name: string;
  /** The inviting account; the signature proves only `inviterDevice` signed: the invitee checks
   * that device is certified in the inviter's directory entry. */
  readonly inviter: AccountId;
  /** The Ed25519 device key that signed the invitation. */
  readonly inviterDevice: Uint8Array;
  /** The invited account. */
  readonly invitee: AccountId;
  /** SHA-256 of the invitee's KeyPackage the Welcome is for (as uploaded to the directory). */
  readonly keyPackageHash: Uint8Array;
  /** The MLSMessage bytes of the Welcome (with the ratchet tree extension). */
  readonly welcome: Uint8Array;
  /** The seq of the Commit that added the invitee: its history in the chat starts after it. */
  readonly since: number;
  /** When the inviter signed it (ms since the epoch, the inviter's clock). */
  readonly sentAt: number;
}

/** Why an invitation that opened was not accepted. */
export type InvitationFailure =
  /** A v1 invitation: unauthenticated (anyone could claim any inviter), never accepted. */
  | 'unauthenticated-version'
  /** The signature does not verify with `inviterDevice`. */
  | 'bad-signature'
  /** Signed for another account than the one opening it. */
  | 'wrong-invitee';

const VERSION = 2;
const INFO = utf8('parley/invitation/v2');
const LIMITS = { maxBytes: 1024 * 1024, maxDepth: 2 };
const FIELDS = [
  'v',
  'chat',
  'kind',
  'name',
  'inviter',
  'inviterDevice',
  'invitee',
  'keyPackageHash',
  'welcome',
  'since',
  'sentAt',
  'signature',
];

/** The bytes the inviter's device signs (context `invitation`): the Welcome by its hash. */
function signedPart(invitation: Invitation): Uint8Array {
  return encodeCanonical({
    v: VERSION,
    chat: invitation.chat,
    kind: invitation.kind,
    name: invitation.name,
    inviter: invitation.inviter,
    inviterDevice: invitation.inviterDevice,
    invitee: invitation.invitee,
    keyPackageHash: invitation.keyPackageHash,
    welcomeHash: sha256(invitation.welcome),
    since: invitation.since,
    sentAt: invitation.sentAt,
  });
}

/**
 * Signs an invitation with the inviter's device seed and seals it to the invitee's device HPKE
 * key; `inbox` (the topic) is bound as AAD.
 * @throws RangeError if `deviceSeed` is not the seed of `invitation.inviterDevice`
 */
export async function sealInvitation(
  suite: CryptoSuite,
  invitation: Invitation,
  deviceSeed: Uint8Array,
  recipientHpkeKey: Uint8Array,
  inbox: Uint8Array,
  random: RandomSource,
): Promise<Uint8Array> {
  if (!equalBytes(await suite.ed25519.publicKey(deviceSeed), invitation.inviterDevice))
    throw new RangeError('sealInvitation: the seed is not the inviter device’s');
  const signature = await signFor(suite, 'invitation', deviceSeed, signedPart(invitation));
  const sealed = await hpkeSeal({
    recipientPublicKey: recipientHpkeKey,
    info: INFO,
    aad: inbox,
    plaintext: encodeCanonical({ v: VERSION, ...invitation, signature }),
    random,
  });
  return encodeCanonical({ v: VERSION, enc: sealed.enc, ct: sealed.ciphertext });
}

/**
 * Opens an invitation found in `inbox` with the device's HPKE private key and checks that it is
 * signed by the device it names and addressed to `invitee`. The caller still checks that the
 * device is certified for `inviter` and that the Welcome's group is `chat` with that device in it.
 * @throws CoreError CORE_HPKE_OPEN_FAILED (not for this device) | CORE_UNKNOWN_VERSION |
 *   CORE_SCHEMA_INVALID | CORE_ACCOUNT_ID_INVALID | CORE_CBOR_*
 */
export async function openInvitation(
  suite: CryptoSuite,
  sealed: Uint8Array,
  hpkePrivateKey: Uint8Array,
  inbox: Uint8Array,
  invitee: AccountId,
): Promise<Result<Invitation, InvitationFailure>> {
  const outer = expectFields(decodeCanonical(sealed, LIMITS), 'sealed invitation', [
    'v',
    'enc',
    'ct',
  ]);
  // v1 (HPKE base mode, a self-asserted inviter) proves nothing about who sent it.
  if (outer.v === 1) return fail('unauthenticated-version');
  if (outer.v !== VERSION) throw new CoreError('CORE_UNKNOWN_VERSION', '(invitation)');
  const plaintext = await hpkeOpen({
    recipientPrivateKey: hpkePrivateKey,
    enc: expectBytes(outer, 'enc', 'sealed invitation', 32),
    info: INFO,
    aad: inbox,
    ciphertext: expectBytes(outer, 'ct', 'sealed invitation'),
  });
  const fields = expectFields(decodeCanonical(plaintext, LIMITS), 'invitation', FIELDS);
  if (fields.v !== VERSION) throw new CoreError('CORE_UNKNOWN_VERSION', '(invitation)');
  const kind = expectString(fields, 'kind', 'invitation');
  if (kind !== 'pair' && kind !== 'group' && kind !== 'room')
    throw new CoreError('CORE_SCHEMA_INVALID', '(invitation kind)');
  const invitation: Invitation = {
    chat: expectBytes(fields, 'chat', 'invitation', 32),
    kind,
    name: expectString(fields, 'name', 'invitation'),
    inviter: parseAccountId(expectString(fields, 'inviter', 'invitation')),
    inviterDevice: expectBytes(fields, 'inviterDevice', 'invitation', 32),
    invitee: parseAccountId(expectString(fields, 'invitee', 'invitation')),
    keyPackageHash: expectBytes(fields, 'keyPackageHash', 'invitation', 32),
    welcome: expectBytes(fields, 'welcome', 'invitation'),
    since: expectUint(fields, 'since', 'invitation'),
    sentAt: expectUint(fields, 'sentAt', 'invitation'),
  };
  const signature = expectBytes(fields, 'signature', 'invitation', 64);
  const verified = await verifyFor(
    suite,
    'invitation',
    invitation.inviterDevice,
    signedPart(invitation),
    signature,
  );
  if (!verified.ok) return fail('bad-signature');
  if (invitation.invitee !== invitee) return fail('wrong-invitee');
  return ok(invitation);
}
