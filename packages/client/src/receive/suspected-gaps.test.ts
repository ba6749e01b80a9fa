/** Suspected gaps are kept per chat and chain in entry order, updated in place and forgotten. */
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import {
  dropSuspectedGap,
  putSuspectedGap,
  suspectedGapsOf,
  type SuspectedGap,
} from './suspected-gaps.js';

const device = new Uint8Array(32).fill(2);
const gap = (n: number, askedAt = 0): SuspectedGap => ({
  author: 'alice',
  device,
  n,
  seq: n + 10,
  bytes: new Uint8Array([n]),
  askedAt,
});

describe('suspected gaps', () => {
  it('lists the gaps of one chat in entry order, not in the order kept', async () => {
    const store = openMemoryClientStore();
    await putSuspectedGap(store, 'chat-a', gap(12));
    await putSuspectedGap(store, 'chat-a', gap(3));
    await putSuspectedGap(store, 'chat-b', gap(5));
    expect((await suspectedGapsOf(store, 'chat-a')).map((g) => g.n)).toEqual([3, 12]);
    expect((await suspectedGapsOf(store, 'chat-b')).map((g) => g.n)).toEqual([5]);
  });

  it('updates a gap kept again at the same entry', async () => {
    const store = openMemoryClientStore();
    await putSuspectedGap(store, 'chat', gap(4));
    await putSuspectedGap(store, 'chat', gap(4, 99));
    expect(await suspectedGapsOf(store, 'chat')).toEqual([gap(4, 99)]);
  });

  it('forgets a gap that closed and keeps the others', async () => {
    const store = openMemoryClientStore();
    await putSuspectedGap(store, 'chat', gap(4));
    await putSuspectedGap(store, 'chat', gap(7));
    await dropSuspectedGap(store, 'chat', gap(4, 50));
    expect((await suspectedGapsOf(store, 'chat')).map((g) => g.n)).toEqual([7]);
  });
});
