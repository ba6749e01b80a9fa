/**
 * Posts the outbox in the order it was written. A chat envelope goes with a write proof of the
 * chat's current epoch; an invitation goes to an inbox. What the relay refuses for good is
 * dropped (its message marked `failed`); a transient failure stops the flush until next time.
 */
import { decodeEnvelope, type MlsContext } from '@parley/core';
import { setEntryPosition } from '../chats/entries.js';
import { groupStateOf, requireChat } from '../chats/records.js';
import type { WriteKeys } from '../chats/write-keys.js';
import { isClientError } from '../errors.js';
import type { Emit, Report } from '../events.js';
import type { Receipt, RelayApi } from '../relay/relay-api.js';
import { isTransient } from '../relay/transient.js';
import type { ClientStore } from '../store/client-store.js';
import { decodeOutboxItem } from './outbox.js';

/** What posting the outbox needs. */
export interface OutboxSenderDeps {
  readonly store: ClientStore;
  readonly mls: MlsContext;
  readonly api: Pick<RelayApi, 'postEnvelope'>;
  readonly writeKeys: Pick<WriteKeys, 'proof'>;
  readonly clock: () => number;
  /** Brings a chat up to the relay's topic (its epoch moved on). */
  readonly catchUp: (chatId: string) => Promise<void>;
  readonly trackReceipt: (chatId: string, receipt: Receipt) => Promise<void>;
  readonly emit: Emit;
  readonly report: Report;
}

/** Posts what the outbox holds. */
export class OutboxSender {
  readonly #d: OutboxSenderDeps;

  constructor(deps: OutboxSenderDeps) {
    this.#d = deps;
  }

  /**
   * Posts every outbox item in order. An inbox that refuses for now (full, rate-limited) holds
   * back only its invitation.
   * @throws ClientError a transient failure (what is left stays queued)
   */
  async flush(): Promise<void> {
    const { store } = this.#d;
    for (const key of await store.keys('outbox/')) {
      const item = await store.get(key);
      if (item === undefined) continue;
      const { chat, envelope, message, invitation } = decodeOutboxItem(item);
      let receipt: Receipt;
      try {
        receipt =
          invitation === true
            ? await this.#d.api.postEnvelope(envelope, this.#d.clock())
            : await this.#postToChat(chat, envelope);
      } catch (error) {
        if (
          invitation === true &&
          isTransient(error) &&
          !isClientError(error, 'CLIENT_RELAY_UNREACHABLE')
        ) {
          continue;
        }
        if (isTransient(error)) throw error;
        // Refused for good (the relay will never take these bytes): drop it and say so.
        await store.transaction(async () => {
          if (message > 0) await store.markFailed(chat, message);
          await store.delete(key);
        });
        this.#d.report(chat, error);
        continue;
      }
      await store.transaction(async () => {
        if (message > 0) await store.markSent(chat, message, receipt.cid, receipt.seq);
        if (invitation !== true)
          await setEntryPosition(store, chat, receipt.cid, receipt.seq, receipt.leafIndex);
        await store.delete(key);
      });
      if (invitation === true) continue;
      await this.#d.trackReceipt(chat, receipt);
      if (message > 0) {
        this.#d.emit('sent', { chatId: chat, id: message, seq: receipt.seq, cid: receipt.cid });
      }
    }
  }

  /**
   * Posts to a chat topic with a write proof of the chat's current epoch. Refused because the
   * relay's topic moved on (Commits this device has not processed): catches up and tries once
   * more with the new epoch's key.
   */
  async #postToChat(id: string, envelope: Uint8Array): Promise<Receipt> {
    const post = async () => {
      const chat = await requireChat(this.#d.store, id);
      const proof = await this.#d.writeKeys.proof(
        chat.topic,
        decodeEnvelope(envelope).cid.bytes,
        groupStateOf(chat, this.#d.mls),
      );
      return this.#d.api.postEnvelope(envelope, this.#d.clock(), proof);
    };
    try {
      return await post();
    } catch (error) {
      if (!isClientError(error) || error.relayCode !== 'RELAY_WRITE_FORBIDDEN') throw error;
      await this.#d.catchUp(id);
      return post();
    }
  }
}
