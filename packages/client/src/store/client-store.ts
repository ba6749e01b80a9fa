/**
 * The SDK's local storage: a small key-value space for keys, MLS states and cursors, plus the
 * message history. Node uses SQLite (`@parley/client/node`); browsers can use IndexedDB behind
 * the same interface. Every method is atomic; `transaction` groups writes. One Client per store:
 * two processes writing the same store could each save stale MLS state over the other's.
 */

/** One message of a chat's history. */
export interface StoredMessage {
  readonly chatId: string;
  /** Local order within the chat: 1, 2, 3… */
  readonly id: number;
  readonly author: string;
  readonly text: string;
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
  /** True if the chat's history holds this CID. */
  hasMessage(chatId: string, cid: string): Promise<boolean>;
  /** The chats that hold at least one message, in id order. */
  messageChats(): Promise<string[]>;
  /**
   * Replaces the author and text of a stored message, keeping everything else (the sealed store
   * writes its ciphertext this way, and migrates plaintext rows with it). No-op if absent.
   */
  rewriteMessage(chatId: string, id: number, author: string, text: string): Promise<void>;
  close(): Promise<void>;
}
