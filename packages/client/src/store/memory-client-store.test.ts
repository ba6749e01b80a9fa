/**
 * The in-memory ClientStore: values copied in and out, transactions that restore what they
 * changed on failure (nested ones like savepoints), and data that outlives close().
 */
import { describe, expect, it } from 'vitest';
import { messageText } from '../messages/message-text.js';
import type { MessageBody, StoredMessage } from './client-store.js';
import { openMemoryClientStore } from './memory-client-store.js';

function message(chatId: string, cid?: string): Omit<StoredMessage, 'id'> {
  return {
    chatId,
    author: 'author',
    hash: cid === undefined ? undefined : `hash-of-${cid}`,
    content: { type: 'text', text: 'hello' },
    editedAt: undefined,
    reactions: {},
    applied: [],
    sentAt: 1,
    own: false,
    status: 'received',
    cid,
    seq: cid === undefined ? undefined : 1,
  };
}

describe('the memory ClientStore', () => {
  it('copies values in and out: changing a buffer after put or get changes nothing stored', async () => {
    const store = openMemoryClientStore();
    const value = new Uint8Array([1, 2, 3]);
    await store.put('k', value);
    value[0] = 9;
    const read = await store.get('k');
    if (read === undefined) throw new Error('missing');
    read[1] = 9;
    expect(await store.get('k')).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('lists the keys of a prefix in key order', async () => {
    const store = openMemoryClientStore();
    for (const key of ['b/2', 'a/1', 'b/1', 'c']) await store.put(key, new Uint8Array([1]));
    expect(await store.keys('b/')).toEqual(['b/1', 'b/2']);
    await store.delete('b/1');
    expect(await store.keys('')).toEqual(['a/1', 'b/2', 'c']);
  });

  it('undoes every write of a failed transaction, keys and messages alike', async () => {
    const store = openMemoryClientStore();
    await store.put('kept', new Uint8Array([1]));
    await expect(
      store.transaction(async () => {
        await store.put('kept', new Uint8Array([2]));
        await store.put('new', new Uint8Array([3]));
        await store.addMessage(message('chat'));
        throw new RangeError('abort');
      }),
    ).rejects.toBeInstanceOf(RangeError);
    expect(await store.get('kept')).toEqual(new Uint8Array([1]));
    expect(await store.get('new')).toBeUndefined();
    expect(await store.messages('chat', { limit: 10 })).toEqual([]);
    expect(await store.messageChats()).toEqual([]);
  });

  it('undoes only the inner transaction when it fails and the outer one goes on', async () => {
    const store = openMemoryClientStore();
    const result = await store.transaction(async () => {
      await store.put('outer', new Uint8Array([1]));
      await store
        .transaction(async () => {
          await store.put('inner', new Uint8Array([2]));
          throw new Error('inner fails');
        })
        .catch(() => undefined);
      return 'outer done';
    });
    expect(result).toBe('outer done');
    expect(await store.get('outer')).toEqual(new Uint8Array([1]));
    expect(await store.get('inner')).toBeUndefined();
  });

  it('numbers messages per chat from 1 and ignores a CID the chat already holds', async () => {
    const store = openMemoryClientStore();
    expect((await store.addMessage(message('a', 'cid-1')))?.id).toBe(1);
    expect((await store.addMessage(message('a', 'cid-2')))?.id).toBe(2);
    expect((await store.addMessage(message('b', 'cid-1')))?.id).toBe(1);
    expect(await store.addMessage(message('a', 'cid-1'))).toBeUndefined();
    expect((await store.messageByHash('a', 'hash-of-cid-2'))?.id).toBe(2);
    expect(await store.messageByHash('b', 'hash-of-cid-2')).toBeUndefined();
    expect(await store.messageChats()).toEqual(['a', 'b']);
  });

  it('pages messages before an id, newest last, at most the limit', async () => {
    const store = openMemoryClientStore();
    for (let i = 1; i <= 5; i++) await store.addMessage(message('a', `cid-${i}`));
    expect((await store.messages('a', { limit: 2 })).map((m) => m.id)).toEqual([4, 5]);
    expect((await store.messages('a', { before: 4, limit: 2 })).map((m) => m.id)).toEqual([2, 3]);
    expect((await store.messages('a', { before: 2, limit: 5 })).map((m) => m.id)).toEqual([1]);
  });

  it('marks a message sent or failed, and rewrites its author and body only', async () => {
    const store = openMemoryClientStore();
    await store.addMessage({ ...message('a'), status: 'queued', own: true });
    await store.addMessage({ ...message('a'), status: 'queued', own: true });
    await store.markSent('a', 1, 'cid-x', 4);
    await store.markFailed('a', 2);
    const body: MessageBody = {
      content: { type: 'text', text: 'sealed' },
      editedAt: 7,
      reactions: { '👍': ['b'] },
      applied: ['e1'],
    };
    await store.rewriteMessage('a', 1, 'someone', body);
    await store.markSent('a', 99, 'nothing', 1);
    const [first, second] = await store.messages('a', { limit: 10 });
    expect(first).toMatchObject({ status: 'sent', cid: 'cid-x', seq: 4, author: 'someone' });
    expect(messageText(first ?? body)).toBe('sealed');
    expect(first).toMatchObject({ editedAt: 7, reactions: { '👍': ['b'] }, applied: ['e1'] });
    expect(second).toMatchObject({ status: 'failed', cid: undefined });
  });

  it('keeps its data across close(): the same object opens again with it', async () => {
    const store = openMemoryClientStore();
    await store.put('k', new Uint8Array([7]));
    await store.close();
    expect(await store.get('k')).toEqual(new Uint8Array([7]));
  });
});
