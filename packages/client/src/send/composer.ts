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
  isShownAsMessage,
  nextEntryLinks,
  toHex,
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
import {
  actionOf,
  applyStoredAction,
  isAction,
  type ActionContent,
} from '../messages/stored-actions.js';
import type { ClientStore, StoredMessage } from '../store/client-store.js';
import { newBody } from '../store/message-body.js';
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
   * (status `queued`); for a reaction, an edit or a delete, the message it names as it now
   * stands (applied at once here); undefined for a leave.
   * @throws ClientError CLIENT_CHAT_NOT_FOUND | CLIENT_NOT_A_MEMBER | CLIENT_TEXT_TOO_LONG |
   *   CLIENT_MESSAGE_NOT_FOUND (an action's target is not stored) | CLIENT_NOT_MESSAGE_AUTHOR
   *   (an edit or delete of another account's message) | CLIENT_MESSAGE_DELETED; with
   *   `unchecked` (tests only), the last three are not checked
   */
  async compose(
    id: string,
    content: MessageContent,
    options: { readonly unchecked?: boolean } = {},
  ): Promise<StoredMessage | undefined> {
    const { store, suite, mls, account, device } = this.#d;
    const chat = await requireChat(store, id);
    if (chat.status !== 'active') throw new ClientError('CLIENT_NOT_A_MEMBER');
    const text = 'text' in content ? content.text : undefined;
    if (text !== undefined && new TextEncoder().encode(text).length > MAX_MESSAGE_TEXT_BYTES) {
      throw new ClientError('CLIENT_TEXT_TOO_LONG');
    }
    if (isAction(content) && options.unchecked !== true) {
      await checkTarget(store, id, account, content);
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
      const message = isShownAsMessage(content)
        ? await store.addMessage({
            chatId: id,
            author: account,
            hash: toHex(created.hash),
            ...newBody(content),
            sentAt,
            own: true,
            status: 'queued',
            cid,
            seq: undefined,
          })
        : undefined;
      // Outbox keys sort in the order messages were written (the entry counters must arrive
      // in order, or receivers would refuse later ones as replays).
      await appendToOutbox(store, {
        chat: id,
        envelope: envelope.bytes,
        message: message?.id ?? 0,
      });
      if (message !== undefined) this.#d.emit('message', { chatId: id, message });
      if (!isAction(content)) return message;
      const action = actionOf({ author: account, sentAt, hash: created.hash }, content);
      await applyStoredAction({ store, emit: this.#d.emit }, id, action);
      return store.messageByHash(id, toHex(content.to));
    });
  }
}

/**
 * Refuses an action that receivers would not apply (apply-content.ts).
 * @throws ClientError CLIENT_MESSAGE_NOT_FOUND | CLIENT_NOT_MESSAGE_AUTHOR | CLIENT_MESSAGE_DELETED
 */
async function checkTarget(
  store: ClientStore,
  chatId: string,
  account: string,
  content: ActionContent,
): Promise<void> {
  const target = await store.messageByHash(chatId, toHex(content.to));
  if (target === undefined) throw new ClientError('CLIENT_MESSAGE_NOT_FOUND');
  if (content.type !== 'reaction' && target.author !== account) {
    throw new ClientError('CLIENT_NOT_MESSAGE_AUTHOR');
  }
  if (target.content.type === 'deleted') throw new ClientError('CLIENT_MESSAGE_DELETED');
}
