/**
 * Held entries are kept per chain in entry order; two entries at one position both stay; the
 * CID index finds an entry and takes its relay position; live problems are kept in order.
 */
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import {
  addProblem,
  allEntries,
  entriesAt,
  entryByCid,
  problemsOf,
  putEntry,
  setEntryPosition,
  type EntryRecord,
} from './entries.js';

const device = new Uint8Array(32).fill(3);
const entry = (n: number, variant = 0, author = 'alice'): EntryRecord => ({
  bytes: new Uint8Array([n, variant]),
  hash: new Uint8Array(32).fill(n * 4 + variant),
  author,
  device,
  n,
  cid: `cid-${author}-${n}-${variant}`,
  seq: null,
  leafIndex: null,
  own: false,
});

describe('held entries', () => {
  it('lists a chat’s entries chain by chain, in entry order (10 after 9)', async () => {
    const store = openMemoryClientStore();
    for (const n of [10, 9, 1]) await putEntry(store, 'chat', entry(n));
    await putEntry(store, 'chat', entry(2, 0, 'bob'));
    await putEntry(store, 'other', entry(5));
    const listed = await allEntries(store, 'chat');
    expect(listed.map((e) => `${e.author}:${e.n}`)).toEqual([
      'alice:1',
      'alice:9',
      'alice:10',
      'bob:2',
    ]);
  });

  it('keeps both entries an author signed at one position', async () => {
    const store = openMemoryClientStore();
    await putEntry(store, 'chat', entry(4, 0));
    await putEntry(store, 'chat', entry(4, 1));
    expect(await entriesAt(store, 'chat', 'alice', device, 4)).toHaveLength(2);
    expect(await entriesAt(store, 'chat', 'alice', device, 5)).toEqual([]);
  });

  it('finds an entry by its envelope’s CID and records where the relay put it', async () => {
    const store = openMemoryClientStore();
    const held = entry(1);
    await putEntry(store, 'chat', held);
    await setEntryPosition(store, 'chat', held.cid, 12, 30);
    expect(await entryByCid(store, 'chat', held.cid)).toEqual({ ...held, seq: 12, leafIndex: 30 });
    expect(await entryByCid(store, 'chat', 'cid-unknown')).toBeUndefined();
    await setEntryPosition(store, 'chat', 'cid-unknown', 1, 1);
    expect(await allEntries(store, 'chat')).toHaveLength(1);
  });

  it('keeps live problems oldest first, each with when it was found', async () => {
    const store = openMemoryClientStore();
    await addProblem(store, 'chat', { kind: 'rejected', seq: 3, cid: 'a', reason: 'replay' }, 100);
    await addProblem(
      store,
      'chat',
      { kind: 'rejected', seq: 1, cid: 'b', reason: 'wrong-group' },
      200,
    );
    expect((await problemsOf(store, 'chat')).map((p) => p.foundAt)).toEqual([100, 200]);
    expect(await problemsOf(store, 'other')).toEqual([]);
  });
});
