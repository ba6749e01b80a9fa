/**
 * What a Chat handle asks of the client: the operations on one chat, serialised by the client
 * where they change state. A narrow interface, so `chat.ts` never imports the client.
 */
import type { LeaveContent, MessageContent } from '@parley/core';
import type { ClientEvents } from '../events.js';
import type { MessageProof } from '../history/message-proof.js';
import type { ChatVerification } from '../history/verification.js';
import type { StoredMessage } from '../store/client-store.js';
import type { MessageRef } from './message-ref.js';
import type { ChatKind, ChatMember, ChatRecord } from './records.js';

/** The operations behind Chat and ChatDirectory. */
export interface ChatOperations {
  /** @throws ClientError CLIENT_CHAT_NOT_FOUND */
  chatRecord(id: string): Promise<ChatRecord>;
  members(chat: ChatRecord): ChatMember[];
  history(id: string, options: { before?: number; limit?: number }): Promise<StoredMessage[]>;
  createChat(kind: ChatKind, name: string, members: readonly string[]): Promise<string>;
  listChats(): Promise<ChatSummary[]>;
  send(id: string, text: string): Promise<StoredMessage>;
  /**
   * Sends a reply or an action (reaction, edit, delete); returns the reply's row, or the
   * message an action names as it now stands.
   */
  sendContent(
    id: string,
    content: Exclude<MessageContent, LeaveContent>,
    options?: { readonly unchecked?: boolean },
  ): Promise<StoredMessage>;
  /** The message of chat `id` with this local id or entry hash (hex), if stored. */
  message(id: string, ref: MessageRef): Promise<StoredMessage | undefined>;
  addMember(id: string, account: string): Promise<void>;
  removeMember(id: string, account: string): Promise<void>;
  leave(id: string): Promise<void>;
  verify(id: string): Promise<ChatVerification>;
  exportTranscript(id: string): Promise<Uint8Array>;
  messageProof(id: string, cid: string): Promise<MessageProof | undefined>;
  onMessage(handler: (event: ClientEvents['message']) => void): () => void;
  onMessageChanged(handler: (event: ClientEvents['message-changed']) => void): () => void;
}

/** A summary of a chat for lists. */
export interface ChatSummary {
  readonly id: string;
  readonly kind: ChatKind;
  readonly name: string;
  readonly status: ChatRecord['status'];
  readonly members: readonly string[];
  readonly lastMessage: StoredMessage | undefined;
}
