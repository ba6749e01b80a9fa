/**
 * Composes this device's entries: builds the next chat entry of a content, signs it, encrypts it
 * for the chat's epoch and queues its envelope. State, history and outbox change in one store
 * transaction before any byte leaves, so a restart never reuses a key and the outbox posts
 * exactly these bytes (the relay dedupes by CID).
 */
import {
  afterOwnEntry,
  chainKey,
  createChatEntry,
  createEnvelope,
  encryptApplicationMessage,
  nextEntryLinks,
  type AccountId,
  type CryptoSuite,
  type MessageContent,
  type MlsContext,
} from '@parley/core';
import { putEntry } from '../chats/entries.js';
import { encodeState, groupStateOf, requireChat, saveChat } from '../chats/records.js';
import type { DeviceKeys } from '../device/device-keys.js';
import { ClientError } from '../errors.js';
import type { Emit } from '../events.js';
import type { LogMonitor } from '../log/log-monitor.js';
import type { ClientStore, StoredMessage } from '../store/client-store.js';
import { appendToOutbox } from './outbox.js';

/** The longest text a message may carry, in UTF-8 bytes. */
export const MAX_MESSAGE_TEXT_BYTES = 64 * 1024;

/** What composing needs. */
export interface ComposerDeps {
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly mls: MlsContext;
  readonly account: AccountId;
  readonly device: DeviceKeys;
  /** The checkpoint each entry carries (the one held; none if it cannot be read). */
  readonly log: Pick<LogMonitor, 'latest'>;
  readonly clock: () => number;
  readonly emit: Emit;
}

/** Writes this device's entries into chats and their envelopes into the outbox. */
export class Composer {
  readonly #d: ComposerDeps;

  constructor(deps: ComposerDeps) {
    this.#d = deps;
  }

  /**
   * Queues `content` as this device's next entry in chat `id`. Returns the history row it adds
   * (status `queued`), or undefined for a content that is not shown as a message (a leave).
   * @throws ClientError CLIENT_CHAT_NOT_FOUND | CLIENT_NOT_A_MEMBER | CLIENT_TEXT_TOO_LONG
   */
  async compose(id: string, content: MessageContent): Promise<StoredMessage | undefined> {
    const { store, suite, mls, account, device } = this.#d;
    const chat = await requireChat(store, id);
    if (chat.status !== 'active') throw new ClientError('CLIENT_NOT_A_MEMBER');
    const text = textOf(content);
    if (text !== undefined && new TextEncoder().encode(text).length > MAX_MESSAGE_TEXT_BYTES) {
      throw new ClientError('CLIENT_TEXT_TOO_LONG');
    }
    const sentAt = this.#d.clock();
    const { n, prev, heads } = nextEntryLinks(chat);
    const checkpoint = (await this.#d.log.latest().catch(() => undefined))?.note ?? null;
    const created = await createChatEntry(suite, device.seed, {
      chat: chat.topic,
      author: account,
      device: device.publicKey,
      n,
      prev,
      heads,
      sentAt,
      body: content,
      checkpoint,
    });
    const sent = await encryptApplicationMessage(mls, groupStateOf(chat, mls), created.bytes);
    const envelope = createEnvelope({
      topic: chat.topic,
      payload: sent.message,
      createdAt: sentAt,
    });
    const cid = envelope.cid.toString();
    return store.transaction(async () => {
      const links = afterOwnEntry(chat, chainKey(account, device.publicKey), n, created.hash);
      await saveChat(store, { ...chat, ...links, state: encodeState(sent.newState) });
      await putEntry(store, id, {
        bytes: created.bytes,
        hash: created.hash,
        author: account,
        device: device.publicKey,
        n,
        cid,
        seq: null,
        leafIndex: null,
        own: true,
      });
      await store.put(`mine/${cid}`, new Uint8Array([1]));
      const message =
        text === undefined
          ? undefined
          : await store.addMessage({
              chatId: id,
              author: account,
              text,
              sentAt,
              own: true,
              status: 'queued',
              cid,
              seq: undefined,
            });
      // Outbox keys sort in the order messages were written (the entry counters must arrive
      // in order, or receivers would refuse later ones as replays).
      await appendToOutbox(store, {
        chat: id,
        envelope: envelope.bytes,
        message: message?.id ?? 0,
      });
      if (message !== undefined) this.#d.emit('message', { chatId: id, message });
      return message;
    });
  }
}

/** The text a content shows in the history (until the history keeps contents: ADR 0016). */
function textOf(content: MessageContent): string | undefined {
  return content.type === 'text' ? content.text : undefined;
}
