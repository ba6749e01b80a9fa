/**
 * The entry acceptor files received entries under their chain with core's rules: replays are
 * dropped, equivocations kept but not shown, reorderings kept and reported, a missing
 * predecessor inside the held range kept as a suspected gap (in-memory store, unsigned entries:
 * signatures are checked before an entry reaches it).
 */
import { type AccountId, type ChatEntry } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { allEntries, problemsOf } from '../chats/entries.js';
import type { ChatRecord } from '../chats/records.js';
import type { ClientEvents } from '../events.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { EntryAcceptor } from './entry-acceptor.js';
import { suspectedGapsOf } from './suspected-gaps.js';

const alice = 'alice-account' as AccountId;
const self = 'self-account';
const device = new Uint8Array(32).fill(4);
const topic = new Uint8Array(32).fill(1);

const chat: ChatRecord = {
  id: 'chat',
  topic,
  kind: 'group',
  name: 'g',
  state: new Uint8Array(),
  lastSeq: 0,
  counter: 0,
  prev: null,
  heads: [],
  chains: {},
  status: 'active',
  createdAt: 0,
};

const hashOf = (n: number, variant = 0) => new Uint8Array(32).fill(n * 8 + variant);

/** Entry `n` of alice's chain, linked to entry n − 1 (variant 0). */
function entry(n: number, variant = 0, author: AccountId = alice) {
  const value: ChatEntry & { hash: Uint8Array } = {
    v: 2,
    chat: topic,
    author,
    device,
    n,
    prev: n === 1 ? null : hashOf(n - 1),
    heads: [],
    sentAt: n,
    body: { type: 'text', text: `entry ${n}` },
    checkpoint: null,
    signature: new Uint8Array(64),
    hash: hashOf(n, variant),
  };
  return value;
}

function fixture() {
  const store = openMemoryClientStore();
  const events: { event: keyof ClientEvents; payload: unknown }[] = [];
  const acceptor = new EntryAcceptor({
    store,
    self,
    clock: () => 42,
    emit: (event, payload) => events.push({ event, payload }),
  });
  let current = chat;
  const accept = async (e: ReturnType<typeof entry>, seq: number) => {
    const result = await acceptor.accept(current, e, new Uint8Array([e.n, seq]), {
      cid: `cid-${e.n}-${seq}`,
      seq,
      leafIndex: null,
    });
    if (result !== 'replay') current = result.chat;
    return result;
  };
  const problems = () =>
    events.flatMap(({ event, payload }) =>
      event === 'history-problem'
        ? [(payload as ClientEvents['history-problem']).problem.kind]
        : [],
    );
  return { store, accept, problems, current: () => current };
}

describe('EntryAcceptor', () => {
  it('files an entry, shows it and moves its chain on', async () => {
    const { store, accept, problems, current } = fixture();
    const result = await accept(entry(1), 1);
    expect(result !== 'replay' && result.show).toBe(true);
    expect(current().chains).toEqual({ [`${alice}/${'04'.repeat(32)}`]: { first: 1, last: 1 } });
    expect(current().heads).toEqual([hashOf(1)]);
    const [filed] = await allEntries(store, 'chat');
    expect(filed).toMatchObject({ author: alice, n: 1, seq: 1, cid: 'cid-1-1', own: false });
    expect(problems()).toEqual([]);
  });

  it('files this account’s own entries as own', async () => {
    const { store, accept } = fixture();
    await accept(entry(1, 0, self as AccountId), 1);
    expect((await allEntries(store, 'chat'))[0]?.own).toBe(true);
  });

  it('drops the very same entry arriving again as a replay', async () => {
    const { store, accept } = fixture();
    await accept(entry(1), 1);
    expect(await accept(entry(1), 2)).toBe('replay');
    expect(await allEntries(store, 'chat')).toHaveLength(1);
  });

  it('keeps an equivocating entry but does not show it', async () => {
    const { store, accept, problems } = fixture();
    await accept(entry(1), 1);
    const result = await accept(entry(1, 1), 2);
    expect(result !== 'replay' && result.show).toBe(false);
    expect(await allEntries(store, 'chat')).toHaveLength(2);
    expect(problems()).toEqual(['equivocation']);
  });

  it('keeps a suspected gap when a predecessor inside the held range is missing', async () => {
    const { store, accept, problems } = fixture();
    await accept(entry(1), 1);
    await accept(entry(3), 3);
    expect(await suspectedGapsOf(store, 'chat')).toMatchObject([{ author: alice, n: 3, seq: 3 }]);
    expect(problems()).toEqual([]);
  });

  it('suspects no gap before the first entry this device holds of a chain', async () => {
    const { store, accept } = fixture();
    await accept(entry(5), 1);
    expect(await suspectedGapsOf(store, 'chat')).toEqual([]);
  });

  it('reports and keeps a reordering when a successor came at a lower seq', async () => {
    const { store, accept, problems } = fixture();
    await accept(entry(1), 1);
    await accept(entry(3), 2);
    await accept(entry(2), 3);
    expect(problems()).toEqual(['reordered']);
    expect(await problemsOf(store, 'chat')).toMatchObject([
      { kind: 'reordered', n: 2, seqs: [2, 3], foundAt: 42 },
    ]);
  });

  it('reports a broken link without keeping it as a live problem', async () => {
    const { store, accept, problems } = fixture();
    await accept(entry(1, 1), 1);
    await accept(entry(2), 2);
    expect(problems()).toEqual(['broken-link']);
    expect(await problemsOf(store, 'chat')).toEqual([]);
  });
});
