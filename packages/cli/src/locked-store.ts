/** A ClientStore that takes the home's lock before every access (see home-lock.ts for why). */
import type { ClientStore } from '@parley/client';
import type { HomeLock } from './home-lock.js';

/**
 * Wraps `inner` so that each call first holds `lock`; `onAccess` runs after the lock is taken
 * (the follow mode of `parley read` uses it to hand the lock back once the client is idle).
 * `close` closes `inner` only; the caller closes the lock.
 */
export function lockedStore(inner: ClientStore, lock: HomeLock, onAccess: () => void): ClientStore {
  const locked = async <T>(work: () => Promise<T>): Promise<T> => {
    await lock.acquire();
    onAccess();
    return work();
  };
  return {
    get: (key) => locked(() => inner.get(key)),
    put: (key, value) => locked(() => inner.put(key, value)),
    delete: (key) => locked(() => inner.delete(key)),
    keys: (prefix) => locked(() => inner.keys(prefix)),
    transaction: (work) => locked(() => inner.transaction(work)),
    addMessage: (message) => locked(() => inner.addMessage(message)),
    markSent: (chatId, id, cid, seq) => locked(() => inner.markSent(chatId, id, cid, seq)),
    markFailed: (chatId, id) => locked(() => inner.markFailed(chatId, id)),
    messages: (chatId, options) => locked(() => inner.messages(chatId, options)),
    messageByHash: (chatId, hash) => locked(() => inner.messageByHash(chatId, hash)),
    messageChats: () => locked(() => inner.messageChats()),
    rewriteMessage: (chatId, id, author, body) =>
      locked(() => inner.rewriteMessage(chatId, id, author, body)),
    close: () => inner.close(),
  };
}
