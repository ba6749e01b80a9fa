/**
 * Gaps asks the relay again for the range before an entry whose predecessor is missing, reports
 * a `gap` once if it stays missing, and asks again at most every GAP_RETRY_MS unless forced
 * (a fake relay, a fake envelope processor that files what it is given, the in-memory store).
 */
import { toHex, type TopicEnvelope } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { putEntry } from '../chats/entries.js';
import type { ChatRecord } from '../chats/records.js';
import type { ClientEvents } from '../events.js';
import { putSuspectedGap, suspectedGapsOf } from '../receive/suspected-gaps.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import type { ClientStore } from '../store/client-store.js';
import { GAP_RETRY_MS, Gaps } from './gaps.js';

const author = 'alice';
const device = new Uint8Array(32).fill(6);
const chainKey = `${author}/${toHex(device)}`;

const chat: ChatRecord = {
  id: 'chat',
  topic: new Uint8Array(32).fill(1),
  kind: 'group',
  name: 'g',
  state: new Uint8Array(),
  lastSeq: 10,
  counter: 0,
  prev: null,
  heads: [],
  chains: { [chainKey]: { first: 1, last: 5 } },
  status: 'active',
  createdAt: 0,
};

async function hold(store: ClientStore, n: number, seq: number): Promise<void> {
  await putEntry(store, chat.id, {
    bytes: new Uint8Array([n]),
    hash: new Uint8Array(32).fill(n),
    author,
    device,
    n,
    cid: `cid-${seq}`,
    seq,
    leafIndex: null,
    own: false,
  });
}

/** The relay holds seqs 1..10; seq `k` carries entry k of the chain unless it is withheld. */
function fixture(withheld: readonly number[]) {
  const store = openMemoryClientStore();
  let now = 1_000_000;
  const fetches: number[] = [];
  const processed: number[] = [];
  const problems: ClientEvents['history-problem'][] = [];
  const relay: TopicEnvelope[] = Array.from({ length: 10 }, (_, i) => ({
    seq: i + 1,
    cid: `cid-${i + 1}`,
    receivedAt: 0,
    leafIndex: i,
    bytes: new Uint8Array([i + 1]),
  }));
  const gaps = new Gaps({
    store,
    api: {
      fetchEnvelopes: (_topic, after, limit) => {
        fetches.push(after);
        return Promise.resolve({
          envelopes: relay.filter((e) => e.seq > after).slice(0, limit),
          lastSeq: 10,
        });
      },
    },
    processor: {
      process: async (current, item, resending) => {
        expect(resending).toBe(true);
        processed.push(item.seq);
        if (!withheld.includes(item.seq)) await hold(store, item.seq, item.seq);
        return current;
      },
    },
    clock: () => now,
    emit: (event, payload) => {
      if (event === 'history-problem') problems.push(payload as ClientEvents['history-problem']);
    },
  });
  const suspect = (n: number) =>
    putSuspectedGap(store, chat.id, {
      author,
      device,
      n,
      seq: n,
      bytes: new Uint8Array([n]),
      askedAt: 0,
    });
  return {
    store,
    gaps,
    fetches,
    processed,
    problems,
    suspect,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('Gaps', () => {
  it('forgets a gap whose missing entry arrived meanwhile, without asking the relay', async () => {
    const { store, gaps, fetches, suspect } = fixture([]);
    await hold(store, 4, 4);
    await suspect(5);
    await gaps.resolve(chat);
    expect(fetches).toEqual([]);
    expect(await suspectedGapsOf(store, chat.id)).toEqual([]);
  });

  it('closes a gap from the envelopes the relay sends again', async () => {
    const { store, gaps, processed, problems, suspect } = fixture([]);
    for (const n of [1, 2, 3]) await hold(store, n, n);
    await store.put('mine/cid-2', new Uint8Array([1]));
    await suspect(5);
    await gaps.resolve(chat);
    // Envelopes held (1, 3) or this device's own (2) are not processed again.
    expect(processed).toEqual([4]);
    expect(problems).toEqual([]);
    expect(await suspectedGapsOf(store, chat.id)).toEqual([]);
  });

  it('reports a gap once, with the whole missing range, when the relay does not fill it', async () => {
    const { store, gaps, problems, suspect } = fixture([3, 4]);
    for (const n of [1, 2]) await hold(store, n, n);
    await suspect(5);
    await gaps.resolve(chat);
    expect(problems).toMatchObject([
      { chatId: 'chat', problem: { kind: 'gap', author, missingFrom: 3, missingTo: 4 } },
    ]);
    await gaps.resolve(chat, true);
    expect(problems).toHaveLength(1);
    expect(await suspectedGapsOf(store, chat.id)).toHaveLength(1);
  });

  it('asks again for an open gap only after GAP_RETRY_MS, or when forced', async () => {
    const { gaps, fetches, suspect, advance } = fixture([4]);
    await suspect(5);
    await gaps.resolve(chat);
    expect(fetches).toHaveLength(1);
    advance(GAP_RETRY_MS - 1);
    await gaps.resolve(chat);
    expect(fetches).toHaveLength(1);
    await gaps.resolve(chat, true);
    expect(fetches).toHaveLength(2);
    advance(GAP_RETRY_MS + 1);
    await gaps.resolve(chat);
    expect(fetches).toHaveLength(3);
  });
});
