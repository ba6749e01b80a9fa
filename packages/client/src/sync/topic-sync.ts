/**
 * Syncs chat topics. A pull reads every envelope after the chat's `lastSeq` over HTTP; a pushed
 * envelope (the WebSocket carries the whole envelope) is processed directly when it is the next
 * seq of its chat, and only otherwise (a gap, a chat not followed) falls back to a pull. After
 * either, suspected gaps are asked for again and the cursor is acknowledged; a full sync also
 * acts on pending leave requests.
 */
import type { MlsContext } from '@parley/core';
import {
  chatIdOf,
  groupStateOf,
  loadChat,
  requireChat,
  saveChat,
  type ChatRecord,
} from '../chats/records.js';
import type { WriteKeys } from '../chats/write-keys.js';
import type { Report } from '../events.js';
import type { Membership } from '../groups/membership.js';
import type { PendingRemovals } from '../groups/pending-removals.js';
import type { EnvelopeProcessor } from '../receive/envelope-processor.js';
import type { RelayApi, TopicEnvelope } from '../relay/relay-api.js';
import { isTransient } from '../relay/transient.js';
import type { ClientStore } from '../store/client-store.js';
import type { Gaps } from './gaps.js';
import { PAGE_SIZE } from './page.js';

/** What syncing topics needs. */
export interface TopicSyncDeps {
  readonly store: ClientStore;
  readonly mls: MlsContext;
  readonly api: Pick<RelayApi, 'fetchEnvelopes' | 'acknowledge'>;
  readonly writeKeys: Pick<WriteKeys, 'cursor'>;
  readonly processor: Pick<EnvelopeProcessor, 'process'>;
  readonly gaps: Pick<Gaps, 'resolve'>;
  readonly removals: Pick<PendingRemovals, 'of' | 'done'>;
  /** Acts on a leave request (late-bound: membership commits through this sync). */
  readonly remove: Membership['remove'];
  readonly clock: () => number;
  readonly report: Report;
}

/** Keeps chats in step with their topics. */
export class TopicSync {
  readonly #d: TopicSyncDeps;

  constructor(deps: TopicSyncDeps) {
    this.#d = deps;
  }

  /**
   * Catches up and then acts on the chat's pending leave requests (a removal that fails for
   * now is kept for the next sync; one refused for good is reported and dropped).
   * @throws ClientError CLIENT_CHAT_NOT_FOUND, and the relay's errors
   */
  async sync(id: string): Promise<void> {
    await this.catchUp(id);
    await this.#actOnRemovals(id);
  }

  /**
   * Pulls and processes every envelope after the chat's `lastSeq`, resolves gaps and
   * acknowledges; a chat that is not active is left alone.
   * @throws ClientError CLIENT_CHAT_NOT_FOUND, and the relay's errors
   */
  async catchUp(id: string): Promise<void> {
    const { api, store, clock } = this.#d;
    let chat = await requireChat(store, id);
    if (chat.status !== 'active') return;
    for (;;) {
      const page = await api.fetchEnvelopes(chat.topic, chat.lastSeq, PAGE_SIZE, clock());
      for (const item of page.envelopes) {
        chat = await this.#d.processor.process(chat, item);
        await saveChat(store, chat);
        if (chat.status !== 'active') break;
      }
      if (page.envelopes.length < PAGE_SIZE || chat.status !== 'active') break;
    }
    await this.#settle(chat);
  }

  /**
   * Takes an envelope the relay pushed for `topic`: processed as it is if it is the chat's next
   * seq, else the chat is pulled (the push was out of order or a seq was missed). A topic that
   * is no followed chat is ignored.
   */
  async pushed(topic: Uint8Array, item: TopicEnvelope): Promise<void> {
    const id = chatIdOf(topic);
    const chat = await loadChat(this.#d.store, id);
    if (chat?.status !== 'active') return;
    if (item.seq <= chat.lastSeq) return;
    if (item.seq !== chat.lastSeq + 1) {
      await this.sync(id);
      return;
    }
    const processed = await this.#d.processor.process(chat, item);
    await saveChat(this.#d.store, processed);
    await this.#settle(processed);
    await this.#actOnRemovals(id);
  }

  /** After new envelopes: asks again for gaps and acknowledges with a pseudonymous cursor. */
  async #settle(processed: ChatRecord): Promise<void> {
    let chat = processed;
    if (chat.status === 'active') chat = await this.#d.gaps.resolve(chat);
    if (chat.status !== 'active' || chat.lastSeq === 0) return;
    // A pseudonymous cursor, proven with this epoch's write key (no account beside the topic).
    const cursor = await this.#d.writeKeys.cursor(
      chat.topic,
      chat.lastSeq,
      groupStateOf(chat, this.#d.mls),
    );
    await this.#d.api
      .acknowledge(chat.topic, chat.lastSeq, this.#d.clock(), cursor)
      .catch(() => undefined);
  }

  async #actOnRemovals(id: string): Promise<void> {
    for (const { account, leaves } of await this.#d.removals.of(id)) {
      try {
        await this.#d.remove(id, account, { strict: false, onlyLeaves: leaves });
      } catch (error) {
        this.#d.report(id, error);
        if (isTransient(error)) continue;
      }
      await this.#d.removals.done(id, account);
    }
  }
}
