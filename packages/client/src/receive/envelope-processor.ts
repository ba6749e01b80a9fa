/**
 * Processes one envelope of a chat topic: a Commit of ours whose answer was lost is adopted,
 * our own envelopes are skipped, a Commit of another member moves the epoch, and an application
 * message is decrypted, its entry checked (signature, sender leaf, membership) and filed. What
 * cannot be processed is rejected (a `rejected` event, kept for `verify`) and skipped.
 */
import {
  decodeCanonical,
  decodeEnvelope,
  decodeGroupMessage,
  epochOf,
  equalBytes,
  leavesOf,
  openChatEntry,
  processGroupMessage,
  toHex,
  type CryptoSuite,
  type MlsContext,
} from '@parley/core';
import { addProblem } from '../chats/entries.js';
import { forgetOwed, owedOf, queueOwed, type Inviter } from '../chats/invitations.js';
import { encodeState, groupStateOf, membersOf, type ChatRecord } from '../chats/records.js';
import type { Emit, Report } from '../events.js';
import { pendingCommitKey } from '../groups/committer.js';
import type { PendingRemovals } from '../groups/pending-removals.js';
import type { LogMonitor } from '../log/log-monitor.js';
import type { TopicEnvelope } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';
import type { EntryAcceptor } from './entry-acceptor.js';
import { storeReceivedMessage } from './store-message.js';

/** What processing envelopes needs. */
export interface EnvelopeProcessorDeps {
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly mls: MlsContext;
  /** This account. */
  readonly self: string;
  readonly inviter: Inviter;
  readonly acceptor: Pick<EntryAcceptor, 'accept'>;
  readonly removals: Pick<PendingRemovals, 'add'>;
  readonly log: Pick<LogMonitor, 'compare' | 'trackDelivery'>;
  readonly clock: () => number;
  readonly emit: Emit;
  readonly report: Report;
}

/** Processes the envelopes of chat topics. */
export class EnvelopeProcessor {
  readonly #d: EnvelopeProcessorDeps;

  constructor(deps: EnvelopeProcessorDeps) {
    this.#d = deps;
  }

  /**
   * Processes one envelope of `chat`; returns the chat with `lastSeq` moved past it. With
   * `resending` (a range asked for again), only unseen application messages are filed, quietly,
   * and `lastSeq` stays.
   */
  async process(chat: ChatRecord, item: TopicEnvelope, resending = false): Promise<ChatRecord> {
    const { seq, bytes } = item;
    // Asking again for a range is quiet: whatever fails there failed (and was filed) before.
    const reject = (record: ChatRecord, reason: string, cid: string) =>
      resending ? Promise.resolve(record) : this.#reject(record, reason, seq, cid);
    const next = resending ? chat : { ...chat, lastSeq: seq };
    // The CID comes from the bytes, never from the relay's word.
    let cid: string;
    try {
      cid = decodeEnvelope(bytes).cid.toString();
    } catch {
      return reject(next, 'malformed-envelope', item.cid);
    }
    const adopted = await this.#adoptPendingCommit(next, cid, seq);
    if (adopted !== undefined) return adopted;
    if ((await this.#d.store.get(`mine/${cid}`)) !== undefined) return next;
    try {
      return await this.#open(chat, next, item, cid, resending, reject);
    } catch (error) {
      return reject(next, error instanceof Error ? error.message : String(error), cid);
    }
  }

  async #open(
    chat: ChatRecord,
    next: ChatRecord,
    item: TopicEnvelope,
    cid: string,
    resending: boolean,
    reject: (record: ChatRecord, reason: string, cid: string) => Promise<ChatRecord>,
  ): Promise<ChatRecord> {
    const { mls, store, emit } = this.#d;
    const { envelope } = decodeEnvelope(item.bytes);
    const decoded = decodeGroupMessage(envelope.payload);
    if (!decoded.ok) return reject(next, 'not-private', cid);
    const pm = decoded.value;
    const state = groupStateOf(chat, mls);
    if (toHex(pm.groupId) !== toHex(chat.topic)) return reject(next, 'wrong-group', cid);
    if (pm.epoch > epochOf(state)) return reject(next, 'future-epoch', cid);
    // Asking again for a range only fills in application messages; Commits were applied.
    if (resending && pm.contentType !== 'application') return next;
    if (pm.contentType === 'commit' && pm.epoch < epochOf(state)) {
      // A Commit the relay ordered after ours for the same epoch cannot exist; an older one is noise.
      return reject(next, 'stale-commit', cid);
    }
    const result = await processGroupMessage(mls, state, pm);
    if (result.kind === 'handshake') {
      // Another Commit took this epoch: a Commit of ours still awaiting its receipt lost.
      await store.delete(pendingCommitKey(chat.id));
      await forgetOwed(store, chat.id);
      const { removed } = result;
      emit('members-changed', {
        chatId: chat.id,
        members: removed ? [] : membersOf(result.newState).map((member) => member.account),
        ...(removed ? { removed: true } : {}),
      });
      return {
        ...next,
        state: encodeState(result.newState),
        status: removed ? 'removed' : 'active',
      };
    }
    const opened = await openChatEntry(this.#d.suite, result.data, chat.topic);
    const after: ChatRecord = { ...next, state: encodeState(result.newState) };
    if (!opened.ok) return reject(after, opened.reason, cid);
    const entry = opened.value;
    // MLS says which leaf of that epoch sent it; the entry must be that leaf's own (a member
    // re-wrapping another member's authentic entry is refused).
    const { sender } = result;
    if (
      sender === undefined ||
      sender.account !== entry.author ||
      !equalBytes(sender.device, entry.device)
    ) {
      return reject(after, 'sender-mismatch', cid);
    }
    // Only a current member's device counts, so a removed member's old keys cannot speak.
    const member = membersOf(result.newState).find((m) => m.account === entry.author);
    if (member?.devices.some((device) => equalBytes(device, entry.device)) !== true) {
      return reject(after, 'not-a-member', cid);
    }
    const { seq, leafIndex } = item;
    const accepted = await this.#d.acceptor.accept(after, entry, result.data, {
      cid,
      seq,
      leafIndex,
    });
    if (accepted === 'replay') return this.#reject(after, 'replay', seq, cid);
    if (entry.checkpoint !== null) {
      await this.#d.log.compare(entry.checkpoint).catch((error: unknown) => {
        this.#d.report(chat.id, error);
      });
    }
    await this.#d.log.trackDelivery(chat.id, cid, leafIndex);
    if (entry.body.type === 'leave') {
      if (entry.author !== this.#d.self) {
        const leaves = leavesOf(result.newState, entry.author).map((leaf) => toHex(leaf.hpkeKey));
        await this.#d.removals.add(chat.id, entry.author, leaves);
      }
      return accepted.chat;
    }
    if (accepted.show) {
      await storeReceivedMessage({ store, emit, self: this.#d.self }, chat.id, entry, { cid, seq });
    }
    return accepted.chat;
  }

  /** Our Commit whose receipt was lost: the relay ordered it, so its epoch is ours now. */
  async #adoptPendingCommit(
    next: ChatRecord,
    cid: string,
    seq: number,
  ): Promise<ChatRecord | undefined> {
    const { store } = this.#d;
    const pending = await store.get(pendingCommitKey(next.id));
    if (pending === undefined) return undefined;
    const { cid: pendingCid, state } = decodeCanonical(pending) as {
      cid: string;
      state: Uint8Array;
    };
    if (pendingCid !== cid) return undefined;
    const adopted: ChatRecord = { ...next, state };
    const owed = await owedOf(store, next.id);
    const adopt = () => store.delete(pendingCommitKey(next.id));
    // The invitations its Welcome owes go to the outbox now (since = this seq).
    if (owed?.commit === cid) await queueOwed(store, this.#d.inviter, adopted, owed, seq, adopt);
    else await adopt();
    this.#d.emit('members-changed', {
      chatId: next.id,
      members: membersOf(groupStateOf(adopted, this.#d.mls)).map((member) => member.account),
    });
    return adopted;
  }

  async #reject(chat: ChatRecord, reason: string, seq: number, cid: string): Promise<ChatRecord> {
    if (reason !== 'stale-commit') {
      await addProblem(
        this.#d.store,
        chat.id,
        { kind: 'rejected', seq, cid, reason },
        this.#d.clock(),
      );
    }
    this.#d.emit('rejected', { chatId: chat.id, seq, reason });
    return chat;
  }
}
