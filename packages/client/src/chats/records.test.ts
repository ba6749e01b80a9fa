/** Chat records round-trip through the store; records from before entry links get defaults. */
import { encodeCanonical, toBase64Url } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import {
  chatIdOf,
  listChatIds,
  loadChat,
  requireChat,
  saveChat,
  type ChatRecord,
} from './records.js';

const topic = new Uint8Array(32).fill(5);
const chat: ChatRecord = {
  id: chatIdOf(topic),
  topic,
  kind: 'pair',
  name: 'bob',
  state: new Uint8Array([1, 2, 3]),
  lastSeq: 7,
  counter: 2,
  prev: new Uint8Array(32).fill(9),
  heads: [new Uint8Array(32).fill(8)],
  chains: { 'bob/00': { first: 2, last: 4 } },
  status: 'active',
  createdAt: 11,
};

describe('chat records', () => {
  it('names a chat by its topic’s base64url', () => {
    expect(chatIdOf(topic)).toBe(toBase64Url(topic));
  });

  it('loads a chat as it was saved, its topic from its id', async () => {
    const store = openMemoryClientStore();
    await saveChat(store, chat);
    expect(await loadChat(store, chat.id)).toEqual(chat);
    expect(await listChatIds(store)).toEqual([chat.id]);
  });

  it('gives a record written before entry links empty links', async () => {
    const store = openMemoryClientStore();
    const { id: _id, topic: _topic, prev: _prev, heads: _heads, chains: _chains, ...old } = chat;
    await store.put(`chat/${chat.id}`, encodeCanonical(old));
    expect(await loadChat(store, chat.id)).toMatchObject({ prev: null, heads: [], chains: {} });
  });

  it('throws CLIENT_CHAT_NOT_FOUND for a chat that must exist and does not', async () => {
    const store = openMemoryClientStore();
    expect(await loadChat(store, 'absent')).toBeUndefined();
    await expect(requireChat(store, 'absent')).rejects.toMatchObject({
      code: 'CLIENT_CHAT_NOT_FOUND',
    });
  });
});
