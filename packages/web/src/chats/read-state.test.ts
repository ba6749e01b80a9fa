import type { ClientStore, StoredMessage } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { countUnread, lastReadId, markRead } from './read-state.js';

/** Just enough of a ClientStore: a map of keys to bytes. */
function memoryStore(): ClientStore {
  const map = new Map<string, Uint8Array>();
  const unused = () => Promise.reject(new Error('not used'));
  return {
    get: (key) => Promise.resolve(map.get(key)),
    put: (key, value) => {
      map.set(key, value);
      return Promise.resolve();
    },
    delete: (key) => {
      map.delete(key);
      return Promise.resolve();
    },
    keys: (prefix) => Promise.resolve([...map.keys()].filter((key) => key.startsWith(prefix))),
    transaction: (work) => work(),
    addMessage: unused,
    markSent: unused,
    markFailed: unused,
    messages: unused,
    messageByHash: unused,
    messageChats: unused,
    rewriteMessage: unused,
    close: () => Promise.resolve(),
  };
}

function message(id: number, own: boolean): StoredMessage {
  return {
    chatId: 'c',
    id,
    author: own ? 'me' : 'them',
    hash: undefined,
    content: { type: 'text', text: String(id) },
    editedAt: undefined,
    reactions: {},
    applied: [],
    sentAt: id,
    own,
    status: own ? 'sent' : 'received',
    cid: undefined,
    seq: undefined,
  };
}

describe('read state', () => {
  it('starts with nothing read and never moves backwards', async () => {
    const store = memoryStore();
    expect(await lastReadId(store, 'c')).toBe(0);
    await markRead(store, 'c', 5);
    await markRead(store, 'c', 3);
    expect(await lastReadId(store, 'c')).toBe(5);
    expect(await lastReadId(store, 'other')).toBe(0);
  });

  it("counts only others' messages after the last one read", () => {
    const messages = [message(1, false), message(2, true), message(3, false), message(4, false)];
    expect(countUnread(messages, 0)).toBe(3);
    expect(countUnread(messages, 3)).toBe(1);
    expect(countUnread(messages, 4)).toBe(0);
  });
});
