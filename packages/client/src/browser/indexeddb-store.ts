/**
 * The browser implementation of ClientStore: one IndexedDB database, one object store of
 * key → bytes. Messages live in the same key space (`m/<chat>/<id>`, with `c/<chat>/<cid>`,
 * `h/<chat>/<hash>` and `n/<chat>` beside them), so every write of the SDK goes through one mechanism. `keys()` lists
 * the key-value space only, never these message rows (as the SQLite store keeps them apart).
 *
 * Transactions: an IndexedDB transaction commits by itself as soon as no request is pending,
 * so it cannot stay open across the SDK's awaits (WebCrypto, the network). `transaction(work)`
 * therefore buffers the writes of `work` in memory (reads see them) and applies them all in one
 * IndexedDB readwrite transaction at the end: all or nothing, as the interface promises. Writes
 * outside a transaction are one IndexedDB transaction each.
 */
import type { ClientStore, MessageBody, StoredMessage } from '../store/client-store.js';
import { bodyOf, decodeMessageBody, encodeMessageBody, legacyBody } from '../store/message-body.js';

const OBJECT_STORE = 'kv';
/** The highest key of a prefix range: no key of ours holds this code point. */
const RANGE_END = '\uffff';

/** Pending writes of an open transaction: a value, or `null` for a deletion. */
type Overlay = Map<string, Uint8Array | null>;

/** The IndexedDB implementation to use: the browser's globals by default. */
export interface IndexedDbEnvironment {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
}

/**
 * Opens (creating if needed) the IndexedDB database `name` as a ClientStore. Use one database per
 * account and device.
 */
export async function openIndexedDbClientStore(
  name: string,
  environment: IndexedDbEnvironment = {
    indexedDB: globalThis.indexedDB,
    IDBKeyRange: globalThis.IDBKeyRange,
  },
): Promise<ClientStore> {
  const db = await openDatabase(environment.indexedDB, name);
  return new IndexedDbClientStore(db, environment.IDBKeyRange);
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(OBJECT_STORE)) {
        request.result.createObjectStore(OBJECT_STORE);
      }
    };
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error(`cannot open IndexedDB database ${name}`));
    };
    request.onblocked = () => {
      reject(new Error(`IndexedDB database ${name} is held open by an older version of the app`));
    };
  });
}

function done(request: IDBRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('IndexedDB request failed'));
    };
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => {
      resolve();
    };
    transaction.onerror = () => {
      reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    };
    transaction.onabort = () => {
      reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    };
  });
}

const pad = (n: number): string => String(n).padStart(12, '0');
/** The prefixes of the message rows, kept out of `keys()`. */
const MESSAGE_PREFIXES = ['m/', 'c/', 'n/', 'h/'];
const isMessageRow = (key: string): boolean =>
  MESSAGE_PREFIXES.some((prefix) => key.startsWith(prefix));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A message row: its fields in the clear, its body as message-body.ts text. */
function encodeMessage(message: StoredMessage): Uint8Array {
  const { chatId, id, author, hash, sentAt, own, status, cid, seq } = message;
  const row = { chatId, id, author, hash, sentAt, own, status, cid, seq };
  return encoder.encode(JSON.stringify({ ...row, body: encodeMessageBody(message) }));
}

/** Reads a row; one written before content types has a `text` and no `body`. */
function decodeMessage(bytes: Uint8Array): StoredMessage {
  // JSON has no `undefined`: an unknown CID, seq or hash is absent from the text.
  const value = JSON.parse(decoder.decode(bytes)) as Pick<
    StoredMessage,
    'chatId' | 'id' | 'author' | 'sentAt' | 'own' | 'status'
  > & {
    cid?: string | null;
    seq?: number | null;
    hash?: string | null;
    body?: string;
    text?: string;
  };
  const { chatId, id, author, sentAt, own, status } = value;
  return {
    chatId,
    id,
    author,
    sentAt,
    own,
    status,
    cid: value.cid ?? undefined,
    seq: value.seq ?? undefined,
    hash: value.hash ?? undefined,
    ...(value.body === undefined ? legacyBody(value.text ?? '') : decodeMessageBody(value.body)),
  };
}

class IndexedDbClientStore implements ClientStore {
  readonly #db: IDBDatabase;
  readonly #range: typeof IDBKeyRange;
  /** The writes of the open transaction (one at a time: nested calls join the outer one). */
  #overlay: Overlay | undefined;
  #depth = 0;
  /** Serializes transactions: the SDK runs one operation at a time, readers may run beside. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(db: IDBDatabase, range: typeof IDBKeyRange) {
    this.#db = db;
    this.#range = range;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const pending = this.#overlay?.get(key);
    if (pending !== undefined) return pending === null ? undefined : pending;
    const store = this.#db.transaction(OBJECT_STORE, 'readonly').objectStore(OBJECT_STORE);
    const value = (await done(store.get(key))) as ArrayBuffer | Uint8Array | undefined;
    return value === undefined ? undefined : new Uint8Array(value);
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    if (this.#overlay !== undefined) {
      this.#overlay.set(key, Uint8Array.from(value));
      return;
    }
    await this.#apply(new Map([[key, Uint8Array.from(value)]]));
  }

  async delete(key: string): Promise<void> {
    if (this.#overlay !== undefined) {
      this.#overlay.set(key, null);
      return;
    }
    await this.#apply(new Map([[key, null]]));
  }

  async keys(prefix: string): Promise<string[]> {
    return (await this.#rawKeys(prefix)).filter((key) => !isMessageRow(key));
  }

  /** Every key under `prefix`, message rows included, with the open transaction's writes. */
  async #rawKeys(prefix: string): Promise<string[]> {
    const store = this.#db.transaction(OBJECT_STORE, 'readonly').objectStore(OBJECT_STORE);
    const stored = (await done(
      store.getAllKeys(this.#range.bound(prefix, `${prefix}${RANGE_END}`)),
    )) as string[];
    const keys = new Set(stored);
    for (const [key, value] of this.#overlay ?? []) {
      if (!key.startsWith(prefix)) continue;
      if (value === null) keys.delete(key);
      else keys.add(key);
    }
    return [...keys].sort();
  }

  transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.#depth > 0) return this.#nested(work);
    const run = this.#queue.then(() => this.#outer(work));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #outer<T>(work: () => Promise<T>): Promise<T> {
    this.#overlay = new Map();
    this.#depth = 1;
    try {
      const result = await work();
      await this.#apply(this.#overlay);
      return result;
    } finally {
      this.#overlay = undefined;
      this.#depth = 0;
    }
  }

  async #nested<T>(work: () => Promise<T>): Promise<T> {
    // A nested transaction that fails undoes only its own writes, as a SAVEPOINT would.
    const outer = this.#overlay ?? new Map<string, Uint8Array | null>();
    const saved = new Map(outer);
    this.#depth += 1;
    try {
      return await work();
    } catch (error) {
      outer.clear();
      for (const [key, value] of saved) outer.set(key, value);
      throw error;
    } finally {
      this.#depth -= 1;
    }
  }

  /** Writes `changes` in one readwrite transaction. */
  async #apply(changes: Overlay): Promise<void> {
    if (changes.size === 0) return;
    const transaction = this.#db.transaction(OBJECT_STORE, 'readwrite', { durability: 'strict' });
    const store = transaction.objectStore(OBJECT_STORE);
    for (const [key, value] of changes) {
      if (value === null) store.delete(key);
      else store.put(value, key);
    }
    await committed(transaction);
  }

  // ——— messages ———

  async addMessage(message: Omit<StoredMessage, 'id'>): Promise<StoredMessage | undefined> {
    return this.transaction(async () => {
      if (
        message.cid !== undefined &&
        (await this.get(`c/${message.chatId}/${message.cid}`)) !== undefined
      ) {
        return undefined;
      }
      const counter = await this.get(`n/${message.chatId}`);
      const id = (counter === undefined ? 0 : Number(decoder.decode(counter))) + 1;
      const stored: StoredMessage = { ...message, id };
      await this.put(`n/${message.chatId}`, encoder.encode(String(id)));
      await this.put(`m/${message.chatId}/${pad(id)}`, encodeMessage(stored));
      if (message.cid !== undefined) {
        await this.put(`c/${message.chatId}/${message.cid}`, encoder.encode(String(id)));
      }
      if (message.hash !== undefined) {
        await this.put(`h/${message.chatId}/${message.hash}`, encoder.encode(String(id)));
      }
      return stored;
    });
  }

  async markSent(chatId: string, id: number, cid: string, seq: number): Promise<void> {
    await this.#update(chatId, id, (message) => ({ ...message, status: 'sent', cid, seq }));
    await this.put(`c/${chatId}/${cid}`, encoder.encode(String(id)));
  }

  async markFailed(chatId: string, id: number): Promise<void> {
    await this.#update(chatId, id, (message) => ({ ...message, status: 'failed' }));
  }

  async #update(
    chatId: string,
    id: number,
    change: (message: StoredMessage) => StoredMessage,
  ): Promise<void> {
    const bytes = await this.get(`m/${chatId}/${pad(id)}`);
    if (bytes === undefined) return;
    await this.put(`m/${chatId}/${pad(id)}`, encodeMessage(change(decodeMessage(bytes))));
  }

  async messages(
    chatId: string,
    options: { before?: number; limit: number },
  ): Promise<StoredMessage[]> {
    const keys = await this.#rawKeys(`m/${chatId}/`);
    const below =
      options.before === undefined
        ? keys
        : keys.filter((key) => key < `m/${chatId}/${pad(options.before ?? 0)}`);
    const picked = options.limit <= 0 ? [] : below.slice(-options.limit);
    const found: StoredMessage[] = [];
    for (const key of picked) {
      const bytes = await this.get(key);
      if (bytes !== undefined) found.push(decodeMessage(bytes));
    }
    return found;
  }

  async messageByHash(chatId: string, hash: string): Promise<StoredMessage | undefined> {
    const id = await this.get(`h/${chatId}/${hash}`);
    if (id === undefined) return undefined;
    const bytes = await this.get(`m/${chatId}/${pad(Number(decoder.decode(id)))}`);
    return bytes === undefined ? undefined : decodeMessage(bytes);
  }

  async messageChats(): Promise<string[]> {
    const chats = (await this.#rawKeys('n/')).map((key) => key.slice('n/'.length));
    return chats.sort();
  }

  async rewriteMessage(
    chatId: string,
    id: number,
    author: string,
    body: MessageBody,
  ): Promise<void> {
    await this.#update(chatId, id, (message) => ({ ...message, author, ...bodyOf(body) }));
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}
