/**
 * A ClientStore in memory: for ephemeral clients (a bot, a one-shot CLI run, a test) whose
 * keys and history may vanish with the process. Transactions restore a snapshot on failure;
 * nested ones behave like savepoints. Values are copied in and out, as a real store would.
 * Closing releases nothing: the same object opens again with its data (until it is dropped).
 */
import type { ClientStore, StoredMessage } from './client-store.js';
import { bodyOf } from './message-body.js';

interface Snapshot {
  readonly kv: Map<string, Uint8Array>;
  readonly messages: Map<string, StoredMessage[]>;
}

/** Opens an empty store that lives as long as the returned object. */
export function openMemoryClientStore(): ClientStore {
  let kv = new Map<string, Uint8Array>();
  let messages = new Map<string, StoredMessage[]>();
  const snapshot = (): Snapshot => ({
    kv: new Map(kv),
    messages: new Map([...messages].map(([chat, rows]) => [chat, [...rows]])),
  });
  const rowsOf = (chatId: string): StoredMessage[] => {
    let rows = messages.get(chatId);
    if (rows === undefined) {
      rows = [];
      messages.set(chatId, rows);
    }
    return rows;
  };
  const update = (chatId: string, id: number, change: Partial<StoredMessage>) => {
    const rows = messages.get(chatId) ?? [];
    const index = rows.findIndex((row) => row.id === id);
    const row = rows[index];
    if (row !== undefined) rows[index] = { ...row, ...change };
  };
  return {
    get: (key) => {
      const value = kv.get(key);
      return Promise.resolve(value === undefined ? undefined : value.slice());
    },
    put: (key, value) => {
      kv.set(key, value.slice());
      return Promise.resolve();
    },
    delete: (key) => {
      kv.delete(key);
      return Promise.resolve();
    },
    keys: (prefix) => {
      return Promise.resolve([...kv.keys()].filter((key) => key.startsWith(prefix)).sort());
    },
    async transaction(work) {
      const before = snapshot();
      try {
        return await work();
      } catch (error) {
        kv = before.kv;
        messages = before.messages;
        throw error;
      }
    },
    addMessage: (message) => {
      const rows = rowsOf(message.chatId);
      if (message.cid !== undefined && rows.some((row) => row.cid === message.cid)) {
        return Promise.resolve(undefined);
      }
      const stored: StoredMessage = { ...message, id: (rows.at(-1)?.id ?? 0) + 1 };
      rows.push(stored);
      return Promise.resolve(stored);
    },
    markSent: (chatId, id, cid, seq) => {
      update(chatId, id, { status: 'sent', cid, seq });
      return Promise.resolve();
    },
    markFailed: (chatId, id) => {
      update(chatId, id, { status: 'failed' });
      return Promise.resolve();
    },
    messages: (chatId, options) => {
      const rows = (messages.get(chatId) ?? []).filter(
        (row) => options.before === undefined || row.id < options.before,
      );
      return Promise.resolve(rows.slice(Math.max(0, rows.length - options.limit)));
    },
    messageByHash: (chatId, hash) => {
      return Promise.resolve((messages.get(chatId) ?? []).find((row) => row.hash === hash));
    },
    messageChats: () => {
      const chats = [...messages].filter(([, rows]) => rows.length > 0).map(([chat]) => chat);
      return Promise.resolve(chats.sort());
    },
    rewriteMessage: (chatId, id, author, body) => {
      update(chatId, id, { author, ...bodyOf(body) });
      return Promise.resolve();
    },
    // Nothing to release: the data lives as long as this object.
    close: () => Promise.resolve(),
  };
}
