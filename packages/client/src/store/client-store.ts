/**
 * The SDK's local storage: a small key-value space for keys, MLS states and cursors, plus the
 * message history. Node uses SQLite (`@parley/client/node`); browsers can use IndexedDB behind
 * the same interface. Every method is atomic; `transaction` groups writes. One Client per store:
 * two processes writing the same store could each save stale MLS state over the other's.
 */
import type { ShownContent } from '../messages/apply-content.js';

/** The part of a stored message that reactions, edits and deletes change (apply-content.ts). */
export interface MessageBody {
  /** What the message shows: text, a reply, an unsupported content, or a deleted tombstone. */
  readonly content: ShownContent;
  /** `sentAt` of the edit now shown, if it was edited. */
  readonly editedAt: number | undefined;
  /** Per emoji, the accounts that reacted with it (sorted, one each). */
  readonly reactions: Readonly<Record<string, readonly string[]>>;
  /** Entry hashes (hex) of the actions applied to it, so each applies once. */
  readonly applied: readonly string[];
}

/** One message of a chat's history. */
export interface StoredMessage extends MessageBody {
  readonly chatId: string;
  /** Local order within the chat: 1, 2, 3… */
  readonly id: number;
  readonly author: string;
  /**
   * The message's entry hash, hex: what a reply, reaction, edit or delete names. Undefined for
   * a message stored by a version before content types (docs/spec/client-store.md).
   */
  readonly hash: string | undefined;
  readonly sentAt: number;
  readonly own: boolean;
  /**
   * `queued` (in the outbox), `sent` (the relay stored it), `received` (from another member),
   * `failed` (the relay refused it for good; it was not delivered).
   */
  readonly status: 'queued' | 'sent' | 'received' | 'failed';
  /** The envelope's CID and the relay's seq, once known. */
  readonly cid: string | undefined;
  readonly seq: number | undefined;
}

/** Local storage of one account on one device. */
export interface ClientStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix`, in key order. */
  keys(prefix: string): Promise<string[]>;
  /** Runs `work` so that its writes all happen or none do. */
  transaction<T>(work: () => Promise<T>): Promise<T>;

  /** Appends a message; returns it with its local id. Duplicate CIDs in a chat are ignored. */
  addMessage(message: Omit<StoredMessage, 'id'>): Promise<StoredMessage | undefined>;
  /** Marks a message sent with its CID and seq. */
  markSent(chatId: string, id: number, cid: string, seq: number): Promise<void>;
  /** Marks a queued message as refused for good. */
  markFailed(chatId: string, id: number): Promise<void>;
  /** Messages of a chat with id < `before` (or the latest), newest last, at most `limit`. */
  messages(chatId: string, options: { before?: number; limit: number }): Promise<StoredMessage[]>;
  /** The message of a chat with this entry hash (hex), if stored. */
  messageByHash(chatId: string, hash: string): Promise<StoredMessage | undefined>;
  /** The chats that hold at least one message, in id order. */
  messageChats(): Promise<string[]>;
  /**
   * Replaces the author and body of a stored message, keeping everything else (actions write
   * their result this way; the sealed store writes its ciphertext and migrates plaintext rows
   * with it). No-op if absent.
   */
  rewriteMessage(chatId: string, id: number, author: string, body: MessageBody): Promise<void>;
  close(): Promise<void>;
}
