/** The evidence store numbers what it finds, keeps each contradiction once and reports it. */
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { EvidenceStore, type LogEvidence, type StoredEvidence } from './evidence.js';

const splitView = (a: string, b: string): LogEvidence => ({
  kind: 'split-view',
  notes: [a, b],
  detail: 'two roots',
});

describe('EvidenceStore', () => {
  it('numbers evidence in the order found, with the time found', async () => {
    let now = 10;
    const reported: StoredEvidence[] = [];
    const evidence = new EvidenceStore({
      store: openMemoryClientStore(),
      clock: () => now,
      onEvidence: (e) => reported.push(e),
    });
    await evidence.record(splitView('a', 'b'));
    now = 20;
    await evidence.record({ kind: 'rollback', notes: ['a', 'c'], detail: 'smaller' });
    const listed = await evidence.list();
    expect(listed.map((e) => [e.id, e.kind, e.foundAt])).toEqual([
      [1, 'split-view', 10],
      [2, 'rollback', 20],
    ]);
    expect(reported).toEqual(listed);
  });

  it('keeps the same contradiction once, even with another detail', async () => {
    const reported: StoredEvidence[] = [];
    const evidence = new EvidenceStore({
      store: openMemoryClientStore(),
      clock: () => 0,
      onEvidence: (e) => reported.push(e),
    });
    await evidence.record(splitView('a', 'b'));
    await evidence.record({ ...splitView('a', 'b'), detail: 'found again' });
    await evidence.record(splitView('b', 'a'));
    expect((await evidence.list()).map((e) => e.id)).toEqual([1, 2]);
    expect(reported).toHaveLength(2);
  });

  it('stores evidence without a receipt (no undefined in DAG-CBOR)', async () => {
    const evidence = new EvidenceStore({
      store: openMemoryClientStore(),
      clock: () => 0,
      onEvidence: () => undefined,
    });
    await evidence.record({
      kind: 'not-included',
      cid: 'bafy',
      leafIndex: 3,
      note: 'n',
      leafHash: undefined,
      proof: [],
      receipt: undefined,
      detail: 'missing',
    });
    const [stored] = await evidence.list();
    expect(stored).toMatchObject({ kind: 'not-included', cid: 'bafy', leafIndex: 3 });
    expect(stored !== undefined && 'receipt' in stored).toBe(false);
  });
});
