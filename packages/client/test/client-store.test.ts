/**
 * One contract for every ClientStore: the memory store of ephemeral clients, the SQLite store of
 * Node and the IndexedDB store of browsers (here on fake-indexeddb, a complete IndexedDB
 * implementation in Node; the browser suite in packages/web runs the same store in Chromium).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { openIndexedDbClientStore } from '../src/browser/index.js';
import { openSqliteClientStore } from '../src/node/index.js';
import { openMemoryClientStore } from '../src/store/memory-client-store.js';
import {
  messageText,
  openSealedStore,
  type ClientStore,
  type MessageBody,
  type StoredMessage,
} from '../src/index.js';

interface Backend {
  readonly name: string;
  /** Opens the same store again each time it is called within one test. */
  opener(): () => Promise<ClientStore>;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const backends: Backend[] = [
  {
    name: 'memory (ephemeral clients)',
    opener: () => {
      const store = openMemoryClientStore();
      return () => Promise.resolve(store);
    },
  },
  {
    name: 'SQLite (Node)',
    opener: () => {
      const dir = mkdtempSync(join(tmpdir(), 'parley-store-'));
      dirs.push(dir);
      return () => Promise.resolve(openSqliteClientStore(join(dir, 'client.db')));
    },
  },
  {
    name: 'IndexedDB (browsers)',
    opener: () => {
      const factory = new IDBFactory();
      return () => openIndexedDbClientStore('parley-test', { indexedDB: factory, IDBKeyRange });
    },
  },
];

const STORE_KEY = new Uint8Array(32).fill(7);
const random = (length: number) => globalThis.crypto.getRandomValues(new Uint8Array(length));
const sealed = (backend: Backend): Backend => ({
  name: `sealed over ${backend.name}`,
  opener: () => {
    const open = backend.opener();
    return async () => openSealedStore(await open(), { key: STORE_KEY, random });
  },
});
backends.push(...backends.map(sealed));

const bytes = (...values: number[]) => new Uint8Array(values);

function message(chatId: string, text: string, cid?: string): Omit<StoredMessage, 'id'> {
  return {
    chatId,
    author: 'bciqauthor',
    hash: cid === undefined ? undefined : `hash-of-${cid}`,
    content: { type: 'text', text },
    editedAt: undefined,
    reactions: {},
    applied: [],
    sentAt: 1_700_000_000_000,
    own: false,
    status: 'received',
    cid,
    seq: cid === undefined ? undefined : 1,
  };
}

describe.each(backends)('ClientStore contract: $name', (backend) => {
  it('stores, lists by prefix in key order, deletes, and keeps values across a reopen', async () => {
    const open = backend.opener();
    const store = await open();
    await store.put('b/2', bytes(2));
    await store.put('a/1', bytes(1));
    await store.put('b/1', bytes(1, 1));
    await store.put('bb', bytes(9));
    expect(await store.get('b/1')).toEqual(bytes(1, 1));
    expect(await store.get('missing')).toBeUndefined();
    expect(await store.keys('b/')).toEqual(['b/1', 'b/2']);
    await store.delete('b/1');
    expect(await store.keys('b/')).toEqual(['b/2']);
    await store.close();
    const again = await open();
    expect(await again.get('b/2')).toEqual(bytes(2));
    expect(await again.keys('')).toEqual(['a/1', 'b/2', 'bb']);
    await again.close();
  });

  it('applies a transaction’s writes all together, and none of them when it throws', async () => {
    const open = backend.opener();
    const store = await open();
    await store.put('kept', bytes(1));
    const result = await store.transaction(async () => {
      await store.put('x/1', bytes(1));
      await store.delete('kept');
      // Reads inside see the transaction's own writes.
      expect(await store.get('x/1')).toEqual(bytes(1));
      expect(await store.get('kept')).toBeUndefined();
      expect(await store.keys('x/')).toEqual(['x/1']);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 'done';
    });
    expect(result).toBe('done');
    expect(await store.get('x/1')).toEqual(bytes(1));
    expect(await store.get('kept')).toBeUndefined();

    await expect(
      store.transaction(async () => {
        await store.put('y/1', bytes(1));
        await store.put('x/1', bytes(7));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.get('y/1')).toBeUndefined();
    expect(await store.get('x/1')).toEqual(bytes(1));
    await store.close();
    const again = await open();
    expect(await again.keys('')).toEqual(['x/1']);
    await again.close();
  });

  it('undoes only the inner part of a nested transaction that fails', async () => {
    const store = await backend.opener()();
    await store.transaction(async () => {
      await store.put('outer', bytes(1));
      await expect(
        store.transaction(async () => {
          await store.put('inner', bytes(2));
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await store.put('after', bytes(3));
    });
    expect(await store.keys('')).toEqual(['after', 'outer']);
    await store.close();
  });

  it('numbers messages per chat, ignores a repeated CID, pages newest last, and updates status', async () => {
    const open = backend.opener();
    const store = await open();
    const first = await store.addMessage(message('chat-a', 'one', 'cid-1'));
    const second = await store.addMessage(message('chat-a', 'two'));
    const other = await store.addMessage(message('chat-b', 'elsewhere', 'cid-1'));
    const third = await store.addMessage(message('chat-a', 'three', 'cid-3'));
    expect([first?.id, second?.id, third?.id, other?.id]).toEqual([1, 2, 3, 1]);
    expect(await store.addMessage(message('chat-a', 'one again', 'cid-1'))).toBeUndefined();
    expect((await store.messageByHash('chat-a', 'hash-of-cid-3'))?.id).toBe(3);
    expect(await store.messageByHash('chat-a', 'hash-of-cid-9')).toBeUndefined();
    expect((await store.messageByHash('chat-b', 'hash-of-cid-1'))?.id).toBe(1);

    const texts = (list: StoredMessage[]) => list.map((m) => messageText(m));
    expect(texts(await store.messages('chat-a', { limit: 10 }))).toEqual(['one', 'two', 'three']);
    expect(texts(await store.messages('chat-a', { limit: 2 }))).toEqual(['two', 'three']);
    expect(texts(await store.messages('chat-a', { before: 3, limit: 10 }))).toEqual(['one', 'two']);
    expect(texts(await store.messages('chat-a', { before: 2, limit: 1 }))).toEqual(['one']);

    await store.markSent('chat-a', 2, 'cid-2', 7);
    await store.markFailed('chat-a', 3);
    await store.close();
    const again = await open();
    const [, sent, failed] = await again.messages('chat-a', { limit: 10 });
    expect(sent).toMatchObject({ id: 2, status: 'sent', cid: 'cid-2', seq: 7 });
    expect(failed).toMatchObject({ id: 3, status: 'failed' });
    const [one] = await again.messages('chat-a', { limit: 1, before: 2 });
    expect(one).toEqual({ ...message('chat-a', 'one', 'cid-1'), id: 1 });
    await again.close();
  });

  it('rolls back a message added in a transaction that fails', async () => {
    const store = await backend.opener()();
    await expect(
      store.transaction(async () => {
        await store.addMessage(message('chat-a', 'ghost', 'cid-g'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await store.messages('chat-a', { limit: 10 })).toEqual([]);
    expect(await store.messageByHash('chat-a', 'hash-of-cid-g')).toBeUndefined();
    expect((await store.addMessage(message('chat-a', 'real')))?.id).toBe(1);
    await store.close();
  });

  it('keeps every shown content, its edit time and reactions, and rewrites a body in place', async () => {
    const open = backend.opener();
    const store = await open();
    const to = new Uint8Array(32).fill(9);
    const unknown = new Uint8Array([0xa1, 0x64, 0x74, 0x79, 0x70, 0x65, 0x63, 0x6e, 0x65, 0x77]);
    const bodies: MessageBody[] = [
      { content: { type: 'reply', to, text: 'yes' }, editedAt: 5, reactions: {}, applied: ['a1'] },
      {
        content: { type: 'unsupported', originalType: 'new', reserved: false, bytes: unknown },
        editedAt: undefined,
        reactions: { '👍': ['bciqa', 'bciqb'] },
        applied: ['a2', 'a3'],
      },
      { content: { type: 'deleted' }, editedAt: undefined, reactions: {}, applied: ['a4'] },
    ];
    for (const [index, body] of bodies.entries()) {
      await store.addMessage({ ...message('chat-c', 'x', `cid-c${index}`), ...body });
    }
    const edited: MessageBody = {
      content: { type: 'text', text: 'now this' },
      editedAt: 42,
      reactions: { '🎉': ['bciqc'] },
      applied: ['a5'],
    };
    await store.addMessage(message('chat-c', 'before', 'cid-c3'));
    await store.rewriteMessage('chat-c', 4, 'bciqauthor', edited);
    await store.close();
    const again = await open();
    const read = await again.messages('chat-c', { limit: 10 });
    expect(
      read.map(({ content, editedAt, reactions, applied }) => ({
        content,
        editedAt,
        reactions,
        applied,
      })),
    ).toEqual([...bodies, edited]);
    expect(read.map((m) => m.hash)).toEqual([0, 1, 2, 3].map((i) => `hash-of-cid-c${i}`));
    expect(await again.messageByHash('chat-c', 'hash-of-cid-c3')).toEqual(read[3]);
    await again.close();
  });
});
