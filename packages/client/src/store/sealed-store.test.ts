/**
 * The sealed store over the in-memory store (seeded nonces): what reaches the inner store is
 * ciphertext bound to its row, a wrong key is refused, and plaintext rows are sealed on first open.
 */
import { utf8 } from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { describe, expect, it } from 'vitest';
import { messageText } from '../messages/message-text.js';
import type { ClientStore, StoredMessage } from './client-store.js';
import { openMemoryClientStore } from './memory-client-store.js';
import { STORE_KEY_CHECK, openSealedStore } from './sealed-store.js';

const KEY = new Uint8Array(32).fill(3);

function seal(inner: ClientStore, key = KEY, plainKeys?: readonly string[]) {
  return openSealedStore(inner, {
    key,
    random: unsafeSeededRandom('sealed-store nonces'),
    ...(plainKeys === undefined ? {} : { plainKeys }),
  });
}

function message(text: string, cid: string): Omit<StoredMessage, 'id'> {
  return {
    chatId: 'chat',
    author: 'the-author',
    hash: `hash-of-${cid}`,
    content: { type: 'text', text },
    editedAt: undefined,
    reactions: {},
    applied: [],
    sentAt: 1,
    own: false,
    status: 'received',
    cid,
    seq: 1,
  };
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle));
}

describe('openSealedStore', () => {
  it('hands the inner store ciphertext and gives the caller back the plaintext', async () => {
    const inner = openMemoryClientStore();
    const store = await seal(inner);
    await store.put('secret', utf8('my private key'));
    const raw = await inner.get('secret');
    if (raw === undefined) throw new Error('not written');
    expect(contains(raw, utf8('my private key'))).toBe(false);
    expect(await store.get('secret')).toEqual(utf8('my private key'));
  });

  it('seals a message’s author and text, and keeps its CID and status in the clear', async () => {
    const inner = openMemoryClientStore();
    const store = await seal(inner);
    const added = await store.addMessage(message('meet at noon', 'cid-1'));
    expect(added).toMatchObject({
      id: 1,
      author: 'the-author',
      content: { type: 'text', text: 'meet at noon' },
    });
    const [raw] = await inner.messages('chat', { limit: 1 });
    expect(JSON.stringify(raw)).not.toContain('noon');
    expect(raw?.author).toBe('');
    expect(raw?.cid).toBe('cid-1');
    const [opened] = await store.messages('chat', { limit: 1 });
    expect(opened).toMatchObject({
      author: 'the-author',
      content: { type: 'text', text: 'meet at noon' },
      status: 'received',
    });
  });

  it('refuses a value moved to another row as CLIENT_STORE_DAMAGED', async () => {
    const inner = openMemoryClientStore();
    const store = await seal(inner);
    await store.put('a', utf8('value of a'));
    const raw = await inner.get('a');
    if (raw === undefined) throw new Error('not written');
    await inner.put('b', raw);
    await expect(store.get('b')).rejects.toMatchObject({ code: 'CLIENT_STORE_DAMAGED' });
  });

  it('refuses a message whose body was replaced with plaintext as CLIENT_STORE_DAMAGED', async () => {
    const inner = openMemoryClientStore();
    const store = await seal(inner);
    await store.addMessage(message('original', 'cid-1'));
    await inner.rewriteMessage('chat', 1, 'mallory', {
      content: { type: 'text', text: 'forged' },
      editedAt: undefined,
      reactions: {},
      applied: [],
    });
    await expect(store.messages('chat', { limit: 1 })).rejects.toMatchObject({
      code: 'CLIENT_STORE_DAMAGED',
    });
  });

  it('refuses to open a store sealed under another key (CLIENT_STORE_KEY_WRONG)', async () => {
    const inner = openMemoryClientStore();
    await seal(inner);
    await expect(seal(inner, new Uint8Array(32).fill(4))).rejects.toMatchObject({
      code: 'CLIENT_STORE_KEY_WRONG',
    });
    await expect(seal(inner)).resolves.toBeDefined();
  });

  it('seals every plaintext row of an older store on first open, losing nothing', async () => {
    const inner = openMemoryClientStore();
    await inner.put('device', utf8('plain device keys'));
    await inner.addMessage(message('written before sealing', 'cid-1'));
    const store = await seal(inner);
    const raw = await inner.get('device');
    if (raw === undefined) throw new Error('lost');
    expect(contains(raw, utf8('plain device keys'))).toBe(false);
    expect(await store.get('device')).toEqual(utf8('plain device keys'));
    const [opened] = await store.messages('chat', { limit: 1 });
    expect(opened === undefined ? undefined : messageText(opened)).toBe('written before sealing');
    expect(JSON.stringify(await inner.messages('chat', { limit: 1 }))).not.toContain('before');
  });

  it('leaves plain keys as they are and hides the key check from keys()', async () => {
    const inner = openMemoryClientStore();
    const store = await seal(inner, KEY, ['keyfile']);
    await store.put('keyfile', utf8('already encrypted'));
    expect(await inner.get('keyfile')).toEqual(utf8('already encrypted'));
    expect(await inner.get(STORE_KEY_CHECK)).toBeDefined();
    expect(await store.keys('')).toEqual(['keyfile']);
  });

  it('throws RangeError for a key that is not 32 bytes', async () => {
    await expect(seal(openMemoryClientStore(), new Uint8Array(16))).rejects.toBeInstanceOf(
      RangeError,
    );
  });
});
