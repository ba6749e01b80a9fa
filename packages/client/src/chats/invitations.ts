/**
 * Invitations as the SDK sends and accepts them (docs/spec/chats.md §Invitations). Sending: the
 * invitations a Commit's Welcome owes are kept with the chat's state until their envelopes are in
 * the outbox, so a failed post (a full inbox, a relay that is down, a crash) is retried like any
 * message. Accepting: an invitation counts only if its inviter proved it — signed by a device
 * certified in the inviter's directory entry that is a member of the group the Welcome joins, for
 * the chat it names; a pair chat must be exactly the inviter and the invitee.
 */
import {
  createEnvelope,
  decodeCanonical,
  encodeCanonical,
  equalBytes,
  groupIdOf,
  inboxTopic,
  sealInvitation,
  type AccountId,
  type CryptoSuite,
  type GroupState,
  type Invitation,
  type InvitationFailure,
  type RandomSource,
} from '@parley/core';
import type { ClientStore } from '../store/client-store.js';
import { appendToOutbox } from '../send/outbox.js';
import { membersOf, type ChatRecord } from './records.js';

/** One invitee of a Commit: its account and the KeyPackage and HPKE key the Welcome is for. */
export interface Invitee {
  readonly account: AccountId;
  readonly keyPackageHash: Uint8Array;
  readonly hpkeKey: Uint8Array;
}

/** The invitations a Commit owes, kept until they are in the outbox. */
export interface OwedInvitations {
  /** The CID of the Commit that added the invitees. */
  readonly commit: string;
  readonly welcome: Uint8Array;
  readonly invitees: readonly Invitee[];
}

/** This device, as an inviter. */
export interface Inviter {
  readonly suite: CryptoSuite;
  readonly account: AccountId;
  readonly deviceSeed: Uint8Array;
  readonly deviceKey: Uint8Array;
  readonly random: RandomSource;
  readonly clock: () => number;
}

/** Why an invitation was dropped (the `invitation-rejected` event's reason). */
export type InvitationRejection =
  | InvitationFailure
  /** The device that signed is not certified in the inviter's directory entry. */
  | 'inviter-not-certified'
  /** The Welcome's group is not the chat the invitation names. */
  | 'wrong-group'
  /** No leaf of the joined group is the inviter's signing device. */
  | 'inviter-not-in-group'
  /** A pair chat whose members are not exactly the inviter and this account. */
  | 'not-a-pair';

const OWED = 'invites-owed/';

/** Keeps the invitations `commit` owes. Call it before the Commit is posted. */
export async function keepOwed(
  store: ClientStore,
  chatId: string,
  owed: OwedInvitations,
): Promise<void> {
  await store.put(`${OWED}${chatId}`, encodeCanonical(owed));
}

/** The invitations a chat's Commit owes, if any are not yet in the outbox. */
export async function owedOf(
  store: ClientStore,
  chatId: string,
): Promise<OwedInvitations | undefined> {
  const stored = await store.get(`${OWED}${chatId}`);
  return stored === undefined ? undefined : (decodeCanonical(stored) as OwedInvitations);
}

/** Forgets what a Commit owed (it lost its epoch to another Commit: nobody was added). */
export async function forgetOwed(store: ClientStore, chatId: string): Promise<void> {
  await store.delete(`${OWED}${chatId}`);
}

/**
 * Signs and seals the owed invitations now that their Commit has `since` as its seq, and moves
 * them to the outbox (in a transaction, with whatever `alsoInTransaction` writes).
 */
export async function queueOwed(
  store: ClientStore,
  inviter: Inviter,
  chat: ChatRecord,
  owed: OwedInvitations,
  since: number,
  alsoInTransaction: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const envelopes: Uint8Array[] = [];
  for (const invitee of owed.invitees) {
    const inbox = inboxTopic(invitee.account);
    const invitation: Invitation = {
      chat: chat.topic,
      kind: chat.kind,
      name: chat.kind === 'pair' ? inviter.account : chat.name,
      inviter: inviter.account,
      inviterDevice: inviter.deviceKey,
      invitee: invitee.account,
      keyPackageHash: invitee.keyPackageHash,
      welcome: owed.welcome,
      since,
      sentAt: inviter.clock(),
    };
    const sealed = await sealInvitation(
      inviter.suite,
      invitation,
      inviter.deviceSeed,
      invitee.hpkeKey,
      inbox,
      inviter.random,
    );
    envelopes.push(
      createEnvelope({ topic: inbox, payload: sealed, createdAt: inviter.clock() }).bytes,
    );
  }
  await store.transaction(async () => {
    await alsoInTransaction();
    for (const envelope of envelopes) {
      await appendToOutbox(store, { chat: chat.id, envelope, message: 0, invitation: true });
    }
    await store.delete(`${OWED}${chat.id}`);
  });
}

/**
 * Checks the group an invitation joined against what the (signature-checked) invitation says:
 * its group id is the chat, the signing device is a leaf of it, and a pair is exactly the inviter
 * and `self`. Certification of the device is checked by the caller against the directory.
 */
export function checkJoinedGroup(
  state: GroupState,
  invitation: Invitation,
  self: AccountId,
): InvitationRejection | undefined {
  if (!equalBytes(groupIdOf(state), invitation.chat)) return 'wrong-group';
  const members = membersOf(state);
  const inviter = members.find((member) => member.account === invitation.inviter);
  if (inviter?.devices.some((device) => equalBytes(device, invitation.inviterDevice)) !== true)
    return 'inviter-not-in-group';
  if (invitation.kind === 'pair' && !isPairOf(state, self, invitation.inviter)) return 'not-a-pair';
  return undefined;
}

/** True if the group's members are exactly `self` and `peer` (the only pair chat to show). */
export function isPairOf(state: GroupState, self: string, peer: string): boolean {
  const accounts = new Set(membersOf(state).map((member) => member.account as string));
  return accounts.size === 2 && accounts.has(self) && accounts.has(peer);
}
