/** The outbox: items kept in the order they were written, read back byte for byte. */
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { appendToOutbox, decodeOutboxItem } from './outbox.js';

describe('appendToOutbox', () => {
  it('gives items keys that sort in write order, past ten and past a hundred', async () => {
    const store = openMemoryClientStore();
    for (let i = 1; i <= 120; i++) {
      await appendToOutbox(store, { chat: 'c', envelope: new Uint8Array([i]), message: i });
    }
    const keys = await store.keys('outbox/');
    const order = [];
    for (const key of keys) {
      const item = await store.get(key);
      if (item !== undefined) order.push(decodeOutboxItem(item).message);
    }
    expect(order).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('keeps counting after items were posted and deleted (no key is reused)', async () => {
    const store = openMemoryClientStore();
    await appendToOutbox(store, { chat: 'c', envelope: new Uint8Array([1]), message: 1 });
    for (const key of await store.keys('outbox/')) await store.delete(key);
    await appendToOutbox(store, { chat: 'c', envelope: new Uint8Array([2]), message: 2 });
    expect(await store.keys('outbox/')).toEqual([`outbox/${'2'.padStart(16, '0')}`]);
  });

  it('reads an invitation item back as written', async () => {
    const store = openMemoryClientStore();
    const item = {
      chat: 'c',
      envelope: new Uint8Array([9, 8]),
      message: 0,
      invitation: true as const,
    };
    await appendToOutbox(store, item);
    const [key] = await store.keys('outbox/');
    const bytes = key === undefined ? undefined : await store.get(key);
    expect(bytes === undefined ? undefined : decodeOutboxItem(bytes)).toEqual(item);
  });
});
