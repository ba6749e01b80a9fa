/**
 * Commits group changes. The relay accepts one Commit per epoch: when another member's wins,
 * the committer processes it and builds its Commit again (up to COMMIT_ATTEMPTS times). A Commit
 * whose answer was lost is kept as `pending-commit/<chat>` so that, if it shows up in the topic,
 * it becomes the chat's state (see the envelope processor).
 */
import {
  commitChanges,
  createEnvelope,
  encodeCanonical,
  type GroupChange,
  type GroupState,
  type MlsContext,
} from '@parley/core';
import {
  forgetOwed,
  keepOwed,
  owedOf,
  queueOwed,
  type Invitee,
  type Inviter,
} from '../chats/invitations.js';
import {
  encodeState,
  groupStateOf,
  membersOf,
  requireChat,
  saveChat,
  type ChatRecord,
} from '../chats/records.js';
import type { WriteKeys } from '../chats/write-keys.js';
import { ClientError, isClientError } from '../errors.js';
import type { Emit } from '../events.js';
import type { Receipt, RelayApi } from '../relay/relay-api.js';
import { unlessTransient } from '../relay/transient.js';
import type { ClientStore } from '../store/client-store.js';

/** How many times a Commit is built again after losing its epoch. */
export const COMMIT_ATTEMPTS = 8;

/** The key of a Commit posted without an answer, and the state it would lead to. */
export function pendingCommitKey(chatId: string): string {
  return `pending-commit/${chatId}`;
}

/** What the committer needs. */
export interface CommitterDeps {
  readonly store: ClientStore;
  readonly mls: MlsContext;
  readonly api: Pick<RelayApi, 'postEnvelope'>;
  readonly writeKeys: Pick<WriteKeys, 'proof'>;
  readonly inviter: Inviter;
  readonly clock: () => number;
  /** Brings a chat up to the relay's topic (processes Commits that won). */
  readonly catchUp: (chatId: string) => Promise<void>;
  /** Posts what the outbox holds (the invitations a Commit owed). */
  readonly flushOutbox: () => Promise<void>;
  /** Checks and keeps the relay's receipt for the log. */
  readonly trackReceipt: (chatId: string, receipt: Receipt) => Promise<void>;
  readonly emit: Emit;
}

/** Builds the changes of a Commit against the latest state; none: nothing to commit. */
export type ChangesFor = (state: GroupState) => Promise<GroupChange[]>;

/** Commits changes to chats, retrying when another Commit takes the epoch. */
export class Committer {
  readonly #d: CommitterDeps;

  constructor(deps: CommitterDeps) {
    this.#d = deps;
  }

  /**
   * Commits the changes `changesFor` builds against the latest state; `inviteesOf` names who
   * the Welcome is for (their invitations go to the outbox once the Commit is ordered).
   * @throws ClientError CLIENT_NOT_A_MEMBER | CLIENT_COMMIT_CONFLICT, and the relay's errors
   */
  async commit(id: string, changesFor: ChangesFor, inviteesOf?: () => Invitee[]): Promise<void> {
    const { store, mls, clock } = this.#d;
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      await this.#d.catchUp(id);
      const chat = await requireChat(store, id);
      if (chat.status !== 'active') throw new ClientError('CLIENT_NOT_A_MEMBER');
      const state = groupStateOf(chat, mls);
      const changes = await changesFor(state);
      if (changes.length === 0) return;
      const result = await commitChanges(mls, state, changes);
      const envelope = createEnvelope({
        topic: chat.topic,
        payload: result.commit,
        createdAt: clock(),
      });
      const cid = envelope.cid.toString();
      await store.put(`mine/${cid}`, new Uint8Array([1]));
      // Signed by this epoch's write key, naming the next epoch's: only members commit.
      const proof = await this.#d.writeKeys.proof(
        chat.topic,
        envelope.cid.bytes,
        state,
        result.newState,
      );
      // The invitations the Welcome owes are kept before the Commit leaves: whatever happens to
      // the post, they reach the outbox once the Commit is known to be ordered.
      const invitees = inviteesOf?.() ?? [];
      if (result.welcome !== undefined && invitees.length > 0) {
        await keepOwed(store, id, { commit: cid, welcome: result.welcome, invitees });
      }
      let receipt: Receipt;
      try {
        receipt = await this.#d.api.postEnvelope(envelope.bytes, clock(), proof);
      } catch (error) {
        if (
          isClientError(error) &&
          (error.relayCode === 'RELAY_COMMIT_CONFLICT' ||
            error.relayCode === 'RELAY_WRITE_FORBIDDEN')
        ) {
          await store.delete(`mine/${cid}`);
          await forgetOwed(store, id);
          continue;
        }
        // The relay may have stored the Commit without our hearing back. Keep the new state
        // beside the chat: if the Commit shows up in the topic, it becomes the chat's state.
        await store.put(
          pendingCommitKey(id),
          encodeCanonical({ cid, state: encodeState(result.newState) }),
        );
        throw error;
      }
      await this.#committed(chat, result.newState, cid, receipt);
      return;
    }
    throw new ClientError('CLIENT_COMMIT_CONFLICT', `(${COMMIT_ATTEMPTS} attempts)`);
  }

  /** Saves the state a Commit the relay took leads to, and queues the invitations it owes. */
  async #committed(
    chat: ChatRecord,
    newState: GroupState,
    cid: string,
    receipt: Receipt,
  ): Promise<void> {
    const { store } = this.#d;
    const updated: ChatRecord = { ...chat, state: encodeState(newState) };
    const save = async () => {
      await store.delete(pendingCommitKey(chat.id));
      await saveChat(store, updated);
    };
    const owed = await owedOf(store, chat.id);
    if (owed?.commit === cid) {
      await queueOwed(store, this.#d.inviter, updated, owed, receipt.seq, save);
    } else {
      await save();
    }
    await this.#d.trackReceipt(chat.id, receipt);
    this.#d.emit('members-changed', {
      chatId: chat.id,
      members: membersOf(newState).map((m) => m.account),
    });
    if (owed !== undefined) await unlessTransient(this.#d.flushOutbox);
  }
}
