/**
 * Receiving contents into the history: texts, replies and unknown types become rows (the
 * unknown ones as unsupported, never dropped); reactions, edits and deletes change the row they
 * name, persisted and announced, also when they arrive before it; a non-author's edit is refused.
 */
import {
  decodeContent,
  encodeCanonical,
  toHex,
  type AccountId,
  type ChatEntry,
  type MessageContent,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { ClientEvents } from '../events.js';
import { messageText } from '../messages/message-text.js';
import type { StoredMessage } from '../store/client-store.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { storeReceivedMessage } from './store-message.js';

const ALICE = 'bciqalice' as AccountId;
const BOB = 'bciqbob' as AccountId;
const SELF = 'bciqself';
const CHAT = 'chat-1';

let counter = 0;
/** An accepted entry of `author` with `body` (signature checks happen before this stage). */
function entry(
  author: AccountId,
  body: MessageContent,
  sentAt = 1_000 + counter,
): ChatEntry & {
  hash: Uint8Array;
} {
  counter += 1;
  return {
    v: 2,
    chat: new Uint8Array(32),
    author,
    device: new Uint8Array(32).fill(1),
    n: counter,
    prev: null,
    heads: [],
    sentAt,
    body,
    checkpoint: null,
    signature: new Uint8Array(64),
    hash: new Uint8Array(32).fill(counter),
  };
}

function setup() {
  const store = openMemoryClientStore();
  const events: { name: keyof ClientEvents; message: StoredMessage }[] = [];
  const emit = <K extends keyof ClientEvents>(name: K, payload: ClientEvents[K]) => {
    const message: unknown = 'message' in payload ? payload.message : undefined;
    if (typeof message === 'object' && message !== null) {
      events.push({ name, message: message as StoredMessage });
    }
  };
  const deps = { store, emit, self: SELF };
  const receive = (e: ChatEntry & { hash: Uint8Array }) =>
    storeReceivedMessage(deps, CHAT, e, { cid: `cid-${toHex(e.hash)}`, seq: e.n });
  const history = () => store.messages(CHAT, { limit: 50 });
  return { store, events, receive, history };
}

describe('storeReceivedMessage', () => {
  it('stores a text and a reply with their entry hashes, and announces each', async () => {
    const { events, receive, history } = setup();
    const hello = entry(ALICE, { type: 'text', text: 'hello' });
    await receive(hello);
    await receive(entry(BOB, { type: 'reply', to: hello.hash, text: 'hi alice' }));
    const [first, second] = await history();
    expect(first).toMatchObject({
      author: ALICE,
      hash: toHex(hello.hash),
      content: { type: 'text', text: 'hello' },
    });
    expect(second?.content).toEqual({ type: 'reply', to: hello.hash, text: 'hi alice' });
    expect(events.map((event) => event.name)).toEqual(['message', 'message']);
  });

  it('keeps an unknown content type as unsupported with its exact bytes', async () => {
    const { receive, history } = setup();
    const bytes = encodeCanonical({ type: 'sticker', pack: 'cats', n: 4 });
    await receive(entry(ALICE, decodeContent(bytes)));
    const [row] = await history();
    expect(row?.content).toMatchObject({
      type: 'unsupported',
      originalType: 'sticker',
      reserved: false,
    });
    expect(row?.content.type === 'unsupported' && row.content.bytes).toEqual(bytes);
    expect(row && messageText(row)).toBeUndefined();
  });

  it('applies reactions, an edit and a delete to the message they name, and announces the change', async () => {
    const { events, receive, history, store } = setup();
    const target = entry(ALICE, { type: 'text', text: 'lunch?' });
    await receive(target);
    await receive(entry(BOB, { type: 'reaction', to: target.hash, emoji: '👍', remove: false }));
    await receive(entry(ALICE, { type: 'reaction', to: target.hash, emoji: '👍', remove: false }));
    await receive(entry(BOB, { type: 'reaction', to: target.hash, emoji: '👍', remove: true }));
    const edit = entry(ALICE, { type: 'edit', to: target.hash, text: 'lunch at one?' }, 5_000);
    await receive(edit);
    let [row] = await history();
    expect(row).toMatchObject({
      content: { type: 'text', text: 'lunch at one?' },
      editedAt: 5_000,
      reactions: { '👍': [ALICE] },
    });
    expect(events.filter((event) => event.name === 'message-changed')).toHaveLength(4);
    expect(events.at(-1)?.message).toEqual(row);

    await receive(entry(ALICE, { type: 'delete', to: target.hash }));
    [row] = await history();
    expect(row).toMatchObject({
      content: { type: 'deleted' },
      reactions: {},
      hash: toHex(target.hash),
    });
    expect(await store.messageByHash(CHAT, toHex(target.hash))).toEqual(row);
  });

  it('refuses an edit or a delete by anyone but the author', async () => {
    const { events, receive, history } = setup();
    const target = entry(ALICE, { type: 'text', text: 'mine' });
    await receive(target);
    await receive(entry(BOB, { type: 'edit', to: target.hash, text: 'now mine' }));
    await receive(entry(BOB, { type: 'delete', to: target.hash }));
    const [row] = await history();
    expect(row).toMatchObject({ content: { type: 'text', text: 'mine' }, editedAt: undefined });
    expect(events.map((event) => event.name)).toEqual(['message']);
  });

  it('keeps actions that arrive before their message and applies them when it is stored', async () => {
    const { receive, history, store } = setup();
    const target = entry(ALICE, { type: 'text', text: 'first draft' }, 100);
    await receive(entry(BOB, { type: 'reaction', to: target.hash, emoji: '🎉', remove: false }));
    await receive(entry(ALICE, { type: 'edit', to: target.hash, text: 'final' }, 200));
    expect(await history()).toEqual([]);
    expect(await store.keys(`pending-action/${CHAT}/`)).toHaveLength(2);
    const stored = await receive(target);
    expect(stored).toMatchObject({
      content: { type: 'text', text: 'final' },
      editedAt: 200,
      reactions: { '🎉': [BOB] },
    });
    expect(await history()).toEqual([stored]);
    expect(await store.keys(`pending-action/${CHAT}/`)).toEqual([]);
  });

  it('stores nothing for a leave and ignores a second copy of a message', async () => {
    const { receive, history } = setup();
    const hello = entry(ALICE, { type: 'text', text: 'once' });
    expect(await receive(entry(ALICE, { type: 'leave' }))).toBeUndefined();
    await receive(hello);
    expect(await receive(hello)).toBeUndefined();
    expect((await history()).map((m) => messageText(m))).toEqual(['once']);
  });
});
