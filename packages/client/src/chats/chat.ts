/** A handle on one chat: send, reply, react, edit, delete, read history, see members, leave. */
import { fromHex, type LeaveContent, type MessageContent } from '@parley/core';
import { ClientError } from '../errors.js';
import type { ClientEvents } from '../events.js';
import type { MessageProof } from '../history/message-proof.js';
import type { ChatVerification } from '../history/verification.js';
import type { StoredMessage } from '../store/client-store.js';
import type { ChatOperations } from './chat-operations.js';
import type { MessageRef } from './message-ref.js';
import type { ChatKind } from './records.js';

/** One chat of a client. Cheap to create; all state lives in the client's store. */
export class Chat {
  readonly id: string;
  readonly #client: ChatOperations;

  constructor(client: ChatOperations, id: string) {
    this.#client = client;
    this.id = id;
  }

  /** The chat's name (the peer's account id for a pair chat), kind and status. */
  async info(): Promise<{
    name: string;
    kind: ChatKind;
    status: 'active' | 'removed' | 'left';
  }> {
    const record = await this.#client.chatRecord(this.id);
    return { name: record.name, kind: record.kind, status: record.status };
  }

  /** Sends a text message; queued and sent later if the relay is unreachable. */
  send(text: string): Promise<StoredMessage> {
    return this.#client.send(this.id, text);
  }

  /**
   * Sends `text` as a reply to the message `to` (its local id or entry hash).
   * @throws ClientError CLIENT_MESSAGE_NOT_FOUND, and as `send`
   */
  async reply(to: MessageRef, text: string): Promise<StoredMessage> {
    const target = await this.#target(to);
    return this.#client.sendContent(this.id, { type: 'reply', to: target, text });
  }

  /**
   * Reacts to message `to` with `emoji` (one reaction per emoji and account); returns the
   * message as it now stands.
   * @throws ClientError CLIENT_MESSAGE_NOT_FOUND | CLIENT_MESSAGE_DELETED
   */
  async react(to: MessageRef, emoji: string): Promise<StoredMessage> {
    const target = await this.#target(to);
    return this.#client.sendContent(this.id, {
      type: 'reaction',
      to: target,
      emoji,
      remove: false,
    });
  }

  /**
   * Takes back this account's `emoji` reaction to message `to`.
   * @throws ClientError CLIENT_MESSAGE_NOT_FOUND | CLIENT_MESSAGE_DELETED
   */
  async unreact(to: MessageRef, emoji: string): Promise<StoredMessage> {
    const target = await this.#target(to);
    return this.#client.sendContent(this.id, { type: 'reaction', to: target, emoji, remove: true });
  }

  /**
   * Replaces the text of this account's message `to`; returns it as it now stands.
   * @throws ClientError CLIENT_MESSAGE_NOT_FOUND | CLIENT_NOT_MESSAGE_AUTHOR |
   *   CLIENT_MESSAGE_DELETED | CLIENT_TEXT_TOO_LONG
   */
  async edit(to: MessageRef, text: string): Promise<StoredMessage> {
    const target = await this.#target(to);
    return this.#client.sendContent(this.id, { type: 'edit', to: target, text });
  }

  /**
   * Deletes this account's message `to` for every member: it stays as a tombstone.
   * @throws ClientError CLIENT_MESSAGE_NOT_FOUND | CLIENT_NOT_MESSAGE_AUTHOR |
   *   CLIENT_MESSAGE_DELETED
   */
  async delete(to: MessageRef): Promise<StoredMessage> {
    const target = await this.#target(to);
    return this.#client.sendContent(this.id, { type: 'delete', to: target });
  }

  /**
   * Sends `content` exactly as given, with none of the checks above (an action's target, its
   * author): for tests that play a newer client or a misbehaving one (an unknown content type,
   * an edit of another account's message). Not for apps.
   */
  unsafeSendContent(content: Exclude<MessageContent, LeaveContent>): Promise<StoredMessage> {
    return this.#client.sendContent(this.id, content, { unchecked: true });
  }

  /** The message `ref` names, if stored. */
  message(ref: MessageRef): Promise<StoredMessage | undefined> {
    return this.#client.message(this.id, ref);
  }

  /** Messages before local id `before` (default: the latest), oldest first. */
  history(options: { before?: number; limit?: number } = {}): Promise<StoredMessage[]> {
    return this.#client.history(this.id, options);
  }

  /** The accounts in the chat's current epoch. */
  async members(): Promise<string[]> {
    return this.#client
      .members(await this.#client.chatRecord(this.id))
      .map((member) => member.account);
  }

  /** Adds an account through the chat: a Commit, and a Welcome to its inbox. */
  addMember(accountId: string): Promise<void> {
    return this.#client.addMember(this.id, accountId);
  }

  /** Removes an account: a Commit that rotates every key. */
  removeMember(accountId: string): Promise<void> {
    return this.#client.removeMember(this.id, accountId);
  }

  /** Asks the other members to remove this account, and stops following the chat. */
  leave(): Promise<void> {
    return this.#client.leave(this.id);
  }

  /**
   * Verifies this chat's history and the relay's log as far as this device can see: signatures,
   * per-author chains, problems seen while receiving, inclusion of every envelope, evidence.
   */
  verify(): Promise<ChatVerification> {
    return this.#client.verify(this.id);
  }

  /** A self-contained transcript file that `verifyTranscript` (or `parley verify --file`) checks offline. */
  export(): Promise<Uint8Array> {
    return this.#client.exportTranscript(this.id);
  }

  /** The proof behind one message (by its CID): signature, chain position, log inclusion. */
  proof(cid: string): Promise<MessageProof | undefined> {
    return this.#client.messageProof(this.id, cid);
  }

  /** Listens to this chat's new messages. */
  onMessage(handler: (message: StoredMessage) => void): () => void {
    return this.#client.onMessage((event: ClientEvents['message']) => {
      if (event.chatId === this.id) handler(event.message);
    });
  }

  /** Listens to changes of this chat's stored messages (reactions, edits, deletes). */
  onMessageChanged(handler: (message: StoredMessage) => void): () => void {
    return this.#client.onMessageChanged((event: ClientEvents['message-changed']) => {
      if (event.chatId === this.id) handler(event.message);
    });
  }

  /** @throws ClientError CLIENT_MESSAGE_NOT_FOUND if `ref` names no stored message with a hash */
  async #target(ref: MessageRef): Promise<Uint8Array> {
    const message = await this.#client.message(this.id, ref);
    if (message?.hash === undefined) throw new ClientError('CLIENT_MESSAGE_NOT_FOUND');
    return fromHex(message.hash);
  }
}
