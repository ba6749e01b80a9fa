/**
 * Composing entries with real MLS and signatures over the in-memory store: each entry links to
 * the device's previous one, carries the held checkpoint, and lands in state, history and outbox
 * together; a member of the chat can open the queued envelope.
 */
import {
  decodeEnvelope,
  decodeGroupMessage,
  epochOf,
  openChatEntry,
  processGroupMessage,
  type MessageContent,
  type MlsContext,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { allEntries } from '../chats/entries.js';
import { requireChat, saveChat, groupStateOf } from '../chats/records.js';
import type { HeldCheckpoint } from '../log/checkpoints.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import type { ClientStore } from '../store/client-store.js';
import {
  fakeClock,
  mlsFor,
  recordingEmit,
  saveTestChat,
  suite,
  testDevice,
} from '../../test/support/unit-fixtures.js';
import { Composer, MAX_MESSAGE_TEXT_BYTES } from './composer.js';
import { decodeOutboxItem } from './outbox.js';

const NOTE = 'relay.example/log\n3\nroot\n\n— relay sig\n';

async function setUp(
  latest: () => Promise<HeldCheckpoint | undefined> = () =>
    Promise.resolve({ note: NOTE } as HeldCheckpoint),
) {
  const alice = await testDevice('alice');
  const bob = await testDevice('bob');
  const mls = await mlsFor([alice, bob]);
  const store = openMemoryClientStore();
  const chat = await saveTestChat(store, mls, alice, [bob]);
  const { emit, events } = recordingEmit();
  const composer = new Composer({
    store,
    suite,
    mls,
    account: alice.account,
    device: alice.device,
    log: { latest },
    clock: fakeClock(5_000),
    emit,
  });
  return { alice, bob, mls, store, chat, composer, events, id: chat.record.id };
}

async function outbox(store: ClientStore) {
  const items = [];
  for (const key of await store.keys('outbox/')) {
    const bytes = await store.get(key);
    if (bytes !== undefined) items.push(decodeOutboxItem(bytes));
  }
  return items;
}

/** What `reader` (in MLS state `state`) reads in queued envelope bytes. */
async function readAs(
  mls: MlsContext,
  state: Parameters<typeof processGroupMessage>[1],
  bytes: Uint8Array,
) {
  const message = decodeGroupMessage(decodeEnvelope(bytes).envelope.payload);
  if (!message.ok) throw new Error('not a PrivateMessage');
  const processed = await processGroupMessage(mls, state, message.value);
  if (processed.kind !== 'application') throw new Error('not an application message');
  return processed;
}

const text = (value: string): MessageContent => ({ type: 'text', text: value });

describe('Composer.compose', () => {
  it('queues a signed entry that a member opens, with its history row, outbox item and event', async () => {
    const t = await setUp();
    const message = await t.composer.compose(t.id, text('hello bob'));
    expect(message).toMatchObject({ id: 1, status: 'queued', own: true, sentAt: 5_000 });
    const [item] = await outbox(t.store);
    if (item === undefined || message === undefined) throw new Error('nothing queued');
    expect(item).toMatchObject({ chat: t.id, message: message.id });
    const cid = decodeEnvelope(item.envelope).cid.toString();
    expect(message.cid).toBe(cid);
    expect(await t.store.get(`mine/${cid}`)).toBeDefined();
    expect(t.events).toEqual([{ event: 'message', payload: { chatId: t.id, message } }]);

    const bobState = t.chat.joined.get(t.bob.account);
    if (bobState === undefined) throw new Error('bob did not join');
    const read = await readAs(t.mls, bobState, item.envelope);
    expect(read.sender?.account).toBe(t.alice.account);
    const [entry] = await allEntries(t.store, t.id);
    expect(read.data).toEqual(entry?.bytes);
    expect(entry).toMatchObject({ n: 1, cid, seq: null, own: true, author: t.alice.account });
    const opened = await openChatEntry(suite, read.data, t.chat.record.topic);
    expect(opened.ok && [opened.value.n, opened.value.prev, opened.value.checkpoint]).toEqual([
      1,
      null,
      NOTE,
    ]);
  });

  it('links each entry to the device’s previous one and moves the chat’s counter on', async () => {
    const t = await setUp();
    await t.composer.compose(t.id, text('one'));
    await t.composer.compose(t.id, text('two'));
    const chat = await requireChat(t.store, t.id);
    const entries = (await allEntries(t.store, t.id)).sort((a, b) => a.n - b.n);
    expect(entries.map((e) => e.n)).toEqual([1, 2]);
    expect(chat.counter).toBe(2);
    expect(chat.prev).toEqual(entries[1]?.hash);
    const opened = await openChatEntry(suite, entries[1]?.bytes ?? new Uint8Array(), chat.topic);
    expect(opened.ok && opened.value.prev).toEqual(entries[0]?.hash);
    // The MLS state kept is the one after both messages: same epoch, keys used up.
    expect(epochOf(groupStateOf(chat, t.mls))).toBe(epochOf(t.chat.state));
    expect(chat.state).not.toEqual(t.chat.record.state);
  });

  it('writes an entry without a checkpoint when the held one cannot be read', async () => {
    const t = await setUp(() => Promise.reject(new Error('log unreadable')));
    await t.composer.compose(t.id, text('still sent'));
    const [entry] = await allEntries(t.store, t.id);
    const opened = await openChatEntry(
      suite,
      entry?.bytes ?? new Uint8Array(),
      t.chat.record.topic,
    );
    expect(opened.ok && opened.value.checkpoint).toBeNull();
  });

  it('queues a leave request with no history row', async () => {
    const t = await setUp();
    expect(await t.composer.compose(t.id, { type: 'leave' })).toBeUndefined();
    expect(await t.store.messages(t.id, { limit: 10 })).toEqual([]);
    expect((await outbox(t.store)).map((item) => item.message)).toEqual([0]);
    expect(t.events).toEqual([]);
  });

  it('refuses a text over the limit (CLIENT_TEXT_TOO_LONG) and writes nothing', async () => {
    const t = await setUp();
    await expect(
      t.composer.compose(t.id, text('é'.repeat(MAX_MESSAGE_TEXT_BYTES / 2 + 1))),
    ).rejects.toMatchObject({ code: 'CLIENT_TEXT_TOO_LONG' });
    expect(await outbox(t.store)).toEqual([]);
    expect((await requireChat(t.store, t.id)).counter).toBe(0);
  });

  it('refuses a chat it left (CLIENT_NOT_A_MEMBER) and one it does not have (CLIENT_CHAT_NOT_FOUND)', async () => {
    const t = await setUp();
    await saveChat(t.store, { ...t.chat.record, status: 'left' });
    await expect(t.composer.compose(t.id, text('x'))).rejects.toMatchObject({
      code: 'CLIENT_NOT_A_MEMBER',
    });
    await expect(t.composer.compose('no-such-chat', text('x'))).rejects.toMatchObject({
      code: 'CLIENT_CHAT_NOT_FOUND',
    });
  });
});
