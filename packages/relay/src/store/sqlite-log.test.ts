/**
 * The log in SQLite (RFC 9162 levels persisted beside the envelopes): the same roots and proofs
 * as core's in-memory MerkleTree for any size, one transaction with what it logs, and the
 * migration that gives a schema-1 data directory its leaves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MerkleTree, cidForBytes, logLeafHash } from '@parley/core';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite-store.js';
import type { AppendOutcome, RelayStore, StoredReceipt } from './store.js';

const NO_LIMIT = 2 ** 40;
const topicA = new Uint8Array(32).fill(0xa);
const topicB = new Uint8Array(32).fill(0xb);

function cidOf(label: string): string {
  return cidForBytes(new TextEncoder().encode(label)).toString();
}

function envelope(topic: Uint8Array, label: string) {
  return { topic, cid: cidOf(label), bytes: new TextEncoder().encode(label) };
}

function receipt(outcome: AppendOutcome | undefined): StoredReceipt {
  if (outcome === undefined || 'refused' in outcome) throw new Error('expected a receipt');
  return outcome;
}

function entry(updatedAt: number) {
  return {
    bytes: new TextEncoder().encode(`entry ${updatedAt}`),
    cid: cidOf(`entry ${updatedAt}`),
    updatedAt,
    lastResort: new Uint8Array([1]),
    devices: [new Uint8Array(32)],
  };
}

let store: RelayStore;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

describe('the SQLite Merkle levels', () => {
  it('give the roots and every inclusion and consistency proof of MerkleTree, for random appends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 10_000 }),
        async (batches, salt) => {
          const local = openSqliteStore(':memory:');
          const tree = new MerkleTree();
          let n = 0;
          try {
            for (const [b, count] of batches.entries()) {
              const items = Array.from({ length: count }, () => {
                n += 1;
                return envelope(n % 3 === 0 ? topicA : topicB, `${salt}/${n}`);
              });
              const outcomes = await local.appendEnvelopes(items, b, NO_LIMIT);
              for (const [i, item] of items.entries()) {
                expect(receipt(outcomes[i]).leafIndex).toBe(tree.append(logLeafHash(item.cid)));
              }
            }
            expect(await local.logSize()).toBe(tree.size);
            for (let size = 0; size <= tree.size; size++) {
              expect(await local.logRoot(size)).toEqual(tree.root(size));
            }
            for (let size = 1; size <= tree.size; size++) {
              for (let index = 0; index < size; index++) {
                expect(await local.logInclusionProof(index, size)).toEqual(
                  tree.inclusionProof(index, size),
                );
              }
              for (let from = 1; from <= size; from++) {
                expect(await local.logConsistencyProof(from, size)).toEqual(
                  tree.consistencyProof(from, size),
                );
              }
            }
          } finally {
            await local.close();
          }
        },
      ),
      { numRuns: 6 },
    );
  });

  it('answers for large sizes with O(log n) stored nodes (4,100 leaves)', async () => {
    const tree = new MerkleTree();
    for (let start = 0; start < 4100; start += 1000) {
      const items = Array.from({ length: Math.min(1000, 4100 - start) }, (_, i) =>
        envelope(topicA, `big ${start + i}`),
      );
      await store.appendEnvelopes(items, start, NO_LIMIT);
      for (const item of items) tree.append(logLeafHash(item.cid));
    }
    for (const size of [1, 2, 3, 1023, 1024, 1025, 2048, 4095, 4096, 4100]) {
      expect(await store.logRoot(size)).toEqual(tree.root(size));
      expect(await store.logInclusionProof(size - 1, size)).toEqual(
        tree.inclusionProof(size - 1, size),
      );
      expect(await store.logConsistencyProof(Math.ceil(size / 3), size)).toEqual(
        tree.consistencyProof(Math.ceil(size / 3), size),
      );
    }
  });

  it('refuses sizes beyond the log with RangeError', async () => {
    await store.appendEnvelopes([envelope(topicA, 'one')], 1, NO_LIMIT);
    await expect(store.logRoot(2)).rejects.toThrow(RangeError);
    await expect(store.logInclusionProof(1, 1)).rejects.toThrow(RangeError);
    await expect(store.logConsistencyProof(1, 2)).rejects.toThrow(RangeError);
    await expect(store.logConsistencyProof(0, 1)).rejects.toThrow(RangeError);
  });
});

describe('leaves and what they log', () => {
  it('gives envelopes and directory entries leaves in commit order, with their CIDs', async () => {
    const [a] = await store.appendEnvelopes([envelope(topicA, 'a')], 1, NO_LIMIT);
    await store.putDirectoryEntry('alice', entry(5), [], 10, 5);
    const [b] = await store.appendEnvelopes([envelope(topicB, 'b')], 2, NO_LIMIT);
    expect([receipt(a).leafIndex, receipt(b).leafIndex]).toEqual([0, 2]);
    expect(await store.leafRange(0, 10)).toEqual([
      { index: 0, cid: cidOf('a'), hash: logLeafHash(cidOf('a')) },
      { index: 1, cid: cidOf('entry 5'), hash: logLeafHash(cidOf('entry 5')) },
      { index: 2, cid: cidOf('b'), hash: logLeafHash(cidOf('b')) },
    ]);
    expect(await store.leafIndexOfCid(cidOf('entry 5'))).toBe(1);
    expect(await store.leafIndexOfCid(cidOf('never'))).toBeUndefined();
    expect(await store.leafIndexOfHash(logLeafHash(cidOf('entry 5')))).toBe(1);
    expect(await store.leafIndexOfHash(new Uint8Array(32))).toBeUndefined();
    expect((await store.listEnvelopes(topicB, 0, 10))[0]?.leafIndex).toBe(2);
  });

  it('answers a duplicate with its original leaf index and adds no leaf', async () => {
    const [first] = await store.appendEnvelopes([envelope(topicA, 'dup')], 1, NO_LIMIT);
    await store.appendEnvelopes([envelope(topicA, 'other')], 2, NO_LIMIT);
    const [again, alsoAgain] = await store.appendEnvelopes(
      [envelope(topicA, 'dup'), envelope(topicA, 'dup')],
      3,
      NO_LIMIT,
    );
    expect(receipt(again)).toEqual({ ...receipt(first), duplicate: true });
    expect(receipt(alsoAgain).leafIndex).toBe(0);
    expect(await store.logSize()).toBe(2);
  });

  it('keeps every leaf when retention removes envelopes, and gives a re-sent one its first leaf', async () => {
    await store.appendEnvelopes([envelope(topicA, 'old'), envelope(topicA, 'new')], 1000, NO_LIMIT);
    const root = await store.logRoot(2);
    expect(await store.sweep({ now: 5000, maxAgeMs: 3000, maxBytesPerTopic: NO_LIMIT })).toBe(2);
    expect(await store.logSize()).toBe(2);
    expect(await store.logRoot(2)).toEqual(root);
    const [again] = await store.appendEnvelopes([envelope(topicA, 'old')], 6000, NO_LIMIT);
    expect(receipt(again)).toMatchObject({ seq: 3, leafIndex: 0, duplicate: false });
    expect(await store.logSize()).toBe(2);
  });

  it('leaves no orphan leaf or node when the transaction that logged it rolls back', async () => {
    await store.appendEnvelopes([envelope(topicA, 'kept')], 1, NO_LIMIT);
    // The second item's CID is not a CID: the whole group commit fails, its first item too.
    await expect(
      store.appendEnvelopes(
        [envelope(topicA, 'lost'), { topic: topicA, cid: 'not-a-cid', bytes: new Uint8Array(1) }],
        2,
        NO_LIMIT,
      ),
    ).rejects.toThrow();
    expect(await store.logSize()).toBe(1);
    expect(await store.lastSeq(topicA)).toBe(1);
    // A directory entry refused for too many KeyPackages is rolled back with its leaf.
    const keyPackages = [1, 2, 3].map((n) => ({
      hash: new Uint8Array(32).fill(n),
      bytes: new Uint8Array([n]),
      device: new Uint8Array(32),
    }));
    expect(await store.putDirectoryEntry('bob', entry(7), keyPackages, 2, 7)).toBe(
      'too-many-key-packages',
    );
    expect(await store.logSize()).toBe(1);
    // The next leaf takes index 1, and the tree is the one of the committed leaves.
    const [next] = await store.appendEnvelopes([envelope(topicA, 'next')], 3, NO_LIMIT);
    expect(receipt(next).leafIndex).toBe(1);
    const tree = new MerkleTree([logLeafHash(cidOf('kept')), logLeafHash(cidOf('next'))]);
    expect(await store.logRoot(2)).toEqual(tree.root());
  });
});

describe('checkpoints, batches and witness state', () => {
  it('stores checkpoints with their batch files and witness sizes, and finds the latest', async () => {
    expect(await store.latestCheckpoint()).toBeUndefined();
    const zero = { size: 0, note: 'zero', createdAt: 1, batchCid: null };
    await store.putCheckpoint(zero, null, new Map());
    const three = { size: 3, note: 'three', createdAt: 2, batchCid: 'batch-cid' };
    const bytes = new Uint8Array([1, 2, 3]);
    await store.putCheckpoint(
      three,
      { cid: 'batch-cid', start: 0, end: 3, bytes },
      new Map([['w', 3]]),
    );
    expect(await store.latestCheckpoint()).toEqual(three);
    expect(await store.getCheckpoint(0)).toEqual(zero);
    expect(await store.getCheckpoint(2)).toBeUndefined();
    expect(await store.getBatch('batch-cid')).toEqual(bytes);
    expect(await store.witnessSizes()).toEqual(new Map([['w', 3]]));
    await expect(store.putCheckpoint(three, null, new Map())).rejects.toThrow();
  });

  it('replaces a cosigned state only from the state the caller read', async () => {
    const first = { size: 5, rootHash: new Uint8Array(32).fill(5) };
    const second = { size: 8, rootHash: new Uint8Array(32).fill(8) };
    expect(await store.replaceCosignedState('log', first, second)).toBe(false);
    expect(await store.replaceCosignedState('log', undefined, first)).toBe(true);
    expect(await store.replaceCosignedState('log', undefined, second)).toBe(false);
    expect(await store.replaceCosignedState('log', second, second)).toBe(false);
    expect(await store.replaceCosignedState('log', first, second)).toBe(true);
    expect(await store.getCosignedState('log')).toEqual(second);
    expect(await store.getCosignedState('other')).toBeUndefined();
  });
});

describe('migration from schema 1', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-migrate-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns every stored envelope (by received_at, topic, seq) and directory entry into a leaf', async () => {
    const path = join(dir, 'relay.db');
    const raw = new Database(path);
    // The DDL of schema 1, as the first relay wrote it (only the tables the migration reads).
    raw.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE topics (topic BLOB PRIMARY KEY, last_seq INTEGER NOT NULL, bytes INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE envelopes (
        topic BLOB NOT NULL, seq INTEGER NOT NULL, cid TEXT NOT NULL, bytes BLOB NOT NULL,
        received_at INTEGER NOT NULL, PRIMARY KEY (topic, seq)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX envelopes_by_cid ON envelopes (cid);
      CREATE INDEX envelopes_by_time ON envelopes (received_at);
      CREATE TABLE directory (
        account TEXT PRIMARY KEY, entry BLOB NOT NULL, cid TEXT NOT NULL, updated_at INTEGER NOT NULL,
        last_resort BLOB NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO meta VALUES ('schema', '1');
    `);
    const insert = raw.prepare('INSERT INTO envelopes VALUES (?, ?, ?, ?, ?)');
    // Inserted out of order: the migration orders by (received_at, topic, seq).
    const rows: [Uint8Array, number, string, number][] = [
      [topicB, 1, 'b1', 200],
      [topicA, 2, 'a2', 100],
      [topicA, 1, 'a1', 100],
      [topicB, 2, 'b2', 300],
    ];
    for (const [topic, seq, label, at] of rows) {
      insert.run(topic, seq, cidOf(label), new Uint8Array([seq]), at);
    }
    // More than one page of the migration (2,000 rows).
    const many = Array.from({ length: 2100 }, (_, i) => `m${i}`);
    raw.transaction(() => {
      for (const [i, label] of many.entries()) {
        insert.run(new Uint8Array(32).fill(0xc), i + 1, cidOf(label), new Uint8Array(1), 1000 + i);
      }
    })();
    raw.prepare('INSERT INTO topics VALUES (?, ?, ?)').run(topicA, 2, 2);
    raw
      .prepare('INSERT INTO directory VALUES (?, ?, ?, ?, ?)')
      .run('bob', new Uint8Array(1), cidOf('entry bob'), 50, new Uint8Array(1));
    raw
      .prepare('INSERT INTO directory VALUES (?, ?, ?, ?, ?)')
      .run('alice', new Uint8Array(1), cidOf('entry alice'), 70, new Uint8Array(1));
    raw.close();

    const migrated = openSqliteStore(path);
    try {
      const order = ['a1', 'a2', 'b1', 'b2', ...many, 'entry bob', 'entry alice'].map(cidOf);
      expect(await migrated.logSize()).toBe(order.length);
      const leaves = [];
      for (let start = 0; start < order.length; start += 1000) {
        leaves.push(...(await migrated.leafRange(start, start + 1000)));
      }
      expect(leaves.map((leaf) => leaf.cid)).toEqual(order);
      const tree = new MerkleTree(order.map((cid) => logLeafHash(cid)));
      expect(await migrated.logRoot(order.length)).toEqual(tree.root());
      expect((await migrated.listEnvelopes(topicA, 0, 10)).map((e) => e.leafIndex)).toEqual([0, 1]);
      // Posting a migrated envelope again answers with its migrated leaf.
      const [again] = await migrated.appendEnvelopes([envelope(topicB, 'b2')], 9999, NO_LIMIT);
      expect(receipt(again)).toMatchObject({ duplicate: true, leafIndex: 3, seq: 2 });
      const [fresh] = await migrated.appendEnvelopes([envelope(topicA, 'a3')], 9999, NO_LIMIT);
      expect(receipt(fresh)).toMatchObject({ seq: 3, leafIndex: order.length });
    } finally {
      await migrated.close();
    }
    const check = new Database(path);
    // Every later migration runs too (schema 3: write keys; 4: KeyPackages per device).
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe('4');
    check.close();
  });
});
