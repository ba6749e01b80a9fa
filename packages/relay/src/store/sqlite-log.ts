/**
 * The relay's transparency log in SQLite (docs/spec/log.md): one row per leaf and one per
 * complete, aligned subtree, so that appends cost O(1) amortized inserts and any root or proof
 * costs O(log n) indexed lookups (only the ragged right edge is hashed), whatever the log size.
 * Its functions run inside the caller's transaction: a leaf commits with what it logs, or not at all.
 */
import {
  buildConsistencyProof,
  buildInclusionProof,
  emptyRoot,
  logLeafHash,
  nodeHash,
  type SubtreeHasher,
} from '@parley/core';
import type Database from 'better-sqlite3';

/**
 * Tables of schema 2. `log_leaves` holds leaf i's CID text and hash; `log_nodes` the hash of
 * node (level, i) = the subtree over leaves [i·2^level, (i+1)·2^level), level ≥ 1 (level 0 is
 * `log_leaves`). Checkpoints by size, batch files by CID, and the two kinds of witness state:
 * `log_witnesses` (the size each of our witnesses last cosigned) and `witnessed_logs` (the last
 * checkpoint this relay cosigned for each log it witnesses).
 */
const LOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS log_leaves (idx INTEGER PRIMARY KEY, cid TEXT NOT NULL, hash BLOB NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS log_leaves_by_cid ON log_leaves (cid);
CREATE INDEX IF NOT EXISTS log_leaves_by_hash ON log_leaves (hash);
CREATE TABLE IF NOT EXISTS log_nodes (
  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_checkpoints (
  size INTEGER PRIMARY KEY, note TEXT NOT NULL, batch_cid TEXT, created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS log_batches (
  cid TEXT PRIMARY KEY, start INTEGER NOT NULL, end INTEGER NOT NULL, bytes BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_witnesses (name TEXT PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS witnessed_logs (
  origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL
) WITHOUT ROWID;
`;

/** One leaf as stored. */
export interface LogLeafRow {
  readonly index: number;
  readonly cid: string;
  readonly hash: Uint8Array;
}

/** The log's statements over one open database. */
export interface SqliteLog {
  /** Number of leaves. */
  size(): number;
  /**
   * Appends `cid` as the next leaf with the nodes it completes and returns its index; a CID that
   * is already a leaf keeps its index and adds nothing. Call inside a transaction.
   * @throws CoreError CORE_CID_* if `cid` is not a Parley CID (rolling the transaction back)
   */
  append(cid: string): number;
  /** The index of `cid`'s leaf, or undefined. */
  indexOf(cid: string): number | undefined;
  /** The index of the first leaf with this leaf hash, or undefined. */
  indexOfHash(hash: Uint8Array): number | undefined;
  /** Leaves [start, end) (end clipped to the size). */
  leaves(start: number, end: number): LogLeafRow[];
  /** MTH of the first `size` leaves. RangeError if size exceeds the log. */
  root(size: number): Uint8Array;
  /** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves. RangeError if not 0 ≤ index < size ≤ log. */
  inclusionProof(index: number, size: number): Uint8Array[];
  /** RFC 9162 consistency proof from `from` to `to`. RangeError unless 0 < from ≤ to ≤ log. */
  consistencyProof(from: number, to: number): Uint8Array[];
}

/** Prepares the log's statements on `db` (whose schema must include LOG_SCHEMA). */
export function createSqliteLog(db: Database.Database): SqliteLog {
  const q = {
    size: db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves').pluck(),
    insertLeaf: db.prepare(
      'INSERT INTO log_leaves (idx, cid, hash) VALUES (?, ?, ?) ON CONFLICT (cid) DO NOTHING',
    ),
    indexOf: db.prepare('SELECT idx FROM log_leaves WHERE cid = ?').pluck(),
    indexOfHash: db.prepare('SELECT MIN(idx) FROM log_leaves WHERE hash = ?').pluck(),
    leafHash: db.prepare('SELECT hash FROM log_leaves WHERE idx = ?').pluck(),
    node: db.prepare('SELECT hash FROM log_nodes WHERE level = ? AND idx = ?').pluck(),
    insertNode: db.prepare('INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)'),
    leaves: db.prepare(
      'SELECT idx, cid, hash FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx',
    ),
  };

  /** The stored hash of node (level, index); it exists for every complete node. */
  function storedNode(level: number, index: number): Uint8Array {
    const hash = (level === 0 ? q.leafHash.get(index) : q.node.get(level, index)) as
      Uint8Array | undefined;
    if (hash === undefined) throw new Error(`log node (${level}, ${index}) is missing`);
    return new Uint8Array(hash);
  }

  const hasher: SubtreeHasher = {
    subtreeHash(lo, hi) {
      const width = hi - lo;
      const level = Math.log2(width);
      // A complete, aligned subtree is one stored node; anything else is split as RFC 9162 does.
      if (Number.isInteger(level) && lo % width === 0) return storedNode(level, lo / width);
      let k = 1;
      while (k * 2 < width) k *= 2;
      return nodeHash(hasher.subtreeHash(lo, lo + k), hasher.subtreeHash(lo + k, hi));
    },
  };

  const size = (): number => q.size.get() as number;
  const assertWithin = (value: number, name: string): void => {
    if (!Number.isSafeInteger(value) || value < 0 || value > size()) {
      throw new RangeError(`${name} ${value} is not within the log of ${size()} leaves`);
    }
  };

  return {
    size,
    append(cid) {
      const hash = logLeafHash(cid);
      const index = size();
      if (q.insertLeaf.run(index, cid, hash).changes === 0) return q.indexOf.get(cid) as number;
      // Like a binary counter's carry: while this node is a right child, it completes its parent.
      let node = hash;
      let level = 0;
      let position = index;
      while (position % 2 === 1) {
        node = nodeHash(storedNode(level, position - 1), node);
        level += 1;
        position = (position - 1) / 2;
        q.insertNode.run(level, position, node);
      }
      return index;
    },
    indexOf: (cid) => q.indexOf.get(cid) as number | undefined,
    indexOfHash: (hash) => (q.indexOfHash.get(hash) as number | null) ?? undefined,
    leaves(start, end) {
      return (q.leaves.all(start, end) as { idx: number; cid: string; hash: Uint8Array }[]).map(
        (row) => ({ index: row.idx, cid: row.cid, hash: new Uint8Array(row.hash) }),
      );
    },
    root(treeSize) {
      assertWithin(treeSize, 'size');
      return treeSize === 0 ? emptyRoot() : hasher.subtreeHash(0, treeSize);
    },
    inclusionProof(index, treeSize) {
      assertWithin(treeSize, 'size');
      return buildInclusionProof(hasher, index, treeSize);
    },
    consistencyProof(from, to) {
      assertWithin(to, 'size');
      return buildConsistencyProof(hasher, from, to);
    },
  };
}

/**
 * Migration 1 → 2: gives every envelope a leaf (in the order received_at, topic, seq), then every
 * directory entry (by updated_at, account), so that nothing stored before the log is left out.
 * Runs inside the migration's transaction.
 */
export function migrateToLog(db: Database.Database): void {
  db.exec(LOG_SCHEMA);
  db.exec('ALTER TABLE envelopes ADD COLUMN leaf_index INTEGER');
  const log = createSqliteLog(db);
  const page = db.prepare(
    'SELECT topic, seq, cid, received_at FROM envelopes WHERE (received_at, topic, seq) > (?, ?, ?) ' +
      'ORDER BY received_at, topic, seq LIMIT 2000',
  );
  const setLeaf = db.prepare('UPDATE envelopes SET leaf_index = ? WHERE topic = ? AND seq = ?');
  let after: [number, Uint8Array, number] = [-1, new Uint8Array(0), 0];
  for (;;) {
    const rows = page.all(...after) as {
      topic: Uint8Array;
      seq: number;
      cid: string;
      received_at: number;
    }[];
    for (const row of rows) setLeaf.run(log.append(row.cid), row.topic, row.seq);
    const last = rows.at(-1);
    if (last === undefined) break;
    after = [last.received_at, last.topic, last.seq];
  }
  const entries = db
    .prepare('SELECT cid FROM directory ORDER BY updated_at, account')
    .pluck()
    .all() as string[];
  for (const cid of entries) log.append(cid);
}
