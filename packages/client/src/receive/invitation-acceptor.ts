/**
 * Joins the chat of an invitation its inviter proved (docs/spec/chats.md §Invitations): sealed
 * to this device, signed by a device the inviter's directory entry certifies, for a group that
 * is what it says. Any other is dropped with an `invitation-rejected` event and never shown.
 */
import {
  decodeEnvelope,
  equalBytes,
  joinChatGroup,
  openInvitation,
  type AccountId,
  type CryptoSuite,
  type MlsContext,
} from '@parley/core';
import { checkJoinedGroup, type InvitationRejection } from '../chats/invitations.js';
import { chatIdOf, encodeState, loadChat, saveChat } from '../chats/records.js';
import type { DeviceKeys } from '../device/device-keys.js';
import type { KeyPackages } from '../device/key-packages.js';
import type { DeviceLookup } from '../directory/device-lookup.js';
import { ClientError } from '../errors.js';
import type { Emit } from '../events.js';
import type { ClientStore } from '../store/client-store.js';

/** What accepting invitations needs. */
export interface InvitationAcceptorDeps {
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly mls: MlsContext;
  readonly account: AccountId;
  readonly device: DeviceKeys;
  readonly keyPackages: Pick<KeyPackages, 'kept'>;
  readonly lookup: Pick<DeviceLookup, 'devicesOf'>;
  readonly clock: () => number;
  readonly emit: Emit;
  /** Called with a joined chat: follow its topic from `since` and catch up. */
  readonly joined: (chatId: string, topic: Uint8Array, since: number) => Promise<void>;
}

/** Opens and joins invitations from this account's inbox. */
export class InvitationAcceptor {
  readonly #d: InvitationAcceptorDeps;

  constructor(deps: InvitationAcceptorDeps) {
    this.#d = deps;
  }

  /**
   * Processes the inbox envelope at `seq`; joins its chat if the invitation holds.
   * @throws ClientError CLIENT_KEY_PACKAGE_INVALID (for a KeyPackage this device never made, or
   *   a malformed Welcome)
   */
  async accept(envelopeBytes: Uint8Array, inbox: Uint8Array, seq: number): Promise<void> {
    const { store, mls, account } = this.#d;
    const { envelope } = decodeEnvelope(envelopeBytes);
    const opened = await openInvitation(
      this.#d.suite,
      envelope.payload,
      this.#d.device.hpkePrivateKey,
      inbox,
      account,
    );
    const refuse = (reason: InvitationRejection) => {
      this.#d.emit('invitation-rejected', { seq, reason });
    };
    if (!opened.ok) {
      refuse(opened.reason);
      return;
    }
    const invitation = opened.value;
    const certified = await this.#d.lookup.devicesOf(invitation.inviter).catch(() => undefined);
    if (certified?.some((cert) => equalBytes(cert.deviceKey, invitation.inviterDevice)) !== true) {
      refuse('inviter-not-certified');
      return;
    }
    const id = chatIdOf(invitation.chat);
    const previous = await loadChat(store, id);
    if (previous?.status === 'active') return;
    const kept = await this.#d.keyPackages.kept(invitation.keyPackageHash);
    if (kept === undefined) {
      throw new ClientError('CLIENT_KEY_PACKAGE_INVALID', '(invitation for an unknown KeyPackage)');
    }
    const joined = await joinChatGroup(mls, invitation.welcome, kept);
    if (!joined.ok) throw new ClientError('CLIENT_KEY_PACKAGE_INVALID', '(malformed invitation)');
    const state = joined.value;
    const wrong = checkJoinedGroup(state, invitation, account);
    if (wrong !== undefined) {
      refuse(wrong);
      return;
    }
    // A pair chat is named after its other member: the inviter, as proven above.
    const name = invitation.kind === 'pair' ? invitation.inviter : invitation.name;
    await saveChat(store, {
      id,
      topic: invitation.chat,
      kind: invitation.kind,
      name,
      state: encodeState(state),
      lastSeq: invitation.since,
      // Re-invited after leaving or removal: keep counting where this device stopped, or the
      // others (who remember its last counter) would take new entries for replays.
      counter: previous?.counter ?? 0,
      prev: previous?.prev ?? null,
      heads: previous?.heads ?? [],
      chains: previous?.chains ?? {},
      status: 'active',
      createdAt: this.#d.clock(),
    });
    this.#d.emit('invited', {
      chatId: id,
      name,
      inviter: invitation.inviter,
      kind: invitation.kind,
    });
    await this.#d.joined(id, invitation.chat, invitation.since);
  }
}
