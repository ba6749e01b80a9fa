/**
 * The log store in SQLite: reads of the transparency log that the topic and directory stores
 * append to (`sqlite-log.ts`), and checkpoints, batch files and witness state.
 */
import type Database from 'better-sqlite3';
import type { BatchFile, CosignedState, LogStore, StoredCheckpoint } from './log-store.js';
import { attempt } from './sqlite-database.js';
import type { SqliteLog } from './sqlite-log.js';

/** The log store over `db` (at the current schema) and its Merkle tree `log`. */
export function createSqliteLogStore(db: Database.Database, log: SqliteLog): LogStore {
  const q = {
    putCheckpoint: db.prepare(
      'INSERT INTO log_checkpoints (size, note, batch_cid, created_at) VALUES (?, ?, ?, ?)',
    ),
    latestCheckpoint: db.prepare(
      'SELECT size, note, batch_cid, created_at FROM log_checkpoints ORDER BY size DESC LIMIT 1',
    ),
    checkpoint: db.prepare(
      'SELECT size, note, batch_cid, created_at FROM log_checkpoints WHERE size = ?',
    ),
    putBatch: db.prepare(
      'INSERT OR IGNORE INTO log_batches (cid, start, end, bytes) VALUES (?, ?, ?, ?)',
    ),
    batch: db.prepare('SELECT bytes FROM log_batches WHERE cid = ?').pluck(),
    putWitnessSize: db.prepare(
      'INSERT INTO log_witnesses (name, size) VALUES (?, ?) ' +
        'ON CONFLICT (name) DO UPDATE SET size = excluded.size',
    ),
    witnessSizes: db.prepare('SELECT name, size FROM log_witnesses'),
    cosigned: db.prepare('SELECT size, root FROM witnessed_logs WHERE origin = ?'),
    putCosigned: db.prepare(
      'INSERT INTO witnessed_logs (origin, size, root) VALUES (?, ?, ?) ' +
        'ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root',
    ),
  };

  const putCheckpoint = db.transaction(
    (
      checkpoint: StoredCheckpoint,
      batch: BatchFile | null,
      witnessSizes: ReadonlyMap<string, number>,
    ) => {
      q.putCheckpoint.run(
        checkpoint.size,
        checkpoint.note,
        checkpoint.batchCid,
        checkpoint.createdAt,
      );
      if (batch !== null) q.putBatch.run(batch.cid, batch.start, batch.end, batch.bytes);
      for (const [name, size] of witnessSizes) q.putWitnessSize.run(name, size);
    },
  );

  const replaceCosigned = db.transaction(
    (origin: string, expected: CosignedState | undefined, next: CosignedState): boolean => {
      const current = q.cosigned.get(origin) as { size: number; root: Uint8Array } | undefined;
      const isExpected =
        current === undefined
          ? expected === undefined
          : expected !== undefined &&
            current.size === expected.size &&
            Buffer.from(current.root).equals(expected.rootHash);
      if (!isExpected) return false;
      q.putCosigned.run(origin, next.size, next.rootHash);
      return true;
    },
  );

  return {
    logSize: () => attempt(() => log.size()),
    logRoot: (size) => attempt(() => log.root(size)),
    logInclusionProof: (index, size) => attempt(() => log.inclusionProof(index, size)),
    logConsistencyProof: (from, to) => attempt(() => log.consistencyProof(from, to)),
    leafRange: (start, end) => attempt(() => log.leaves(start, end)),
    leafIndexOfCid: (cid) => attempt(() => log.indexOf(cid)),
    leafIndexOfHash: (hash) => attempt(() => log.indexOfHash(hash)),
    putCheckpoint: (checkpoint, batch, witnessSizes) =>
      attempt(() => {
        putCheckpoint(checkpoint, batch, witnessSizes);
      }),
    latestCheckpoint: () => attempt(() => checkpointOf(q.latestCheckpoint.get())),
    getCheckpoint: (size) => attempt(() => checkpointOf(q.checkpoint.get(size))),
    getBatch: (cid) =>
      attempt(() => {
        const bytes = q.batch.get(cid) as Uint8Array | undefined;
        return bytes === undefined ? undefined : new Uint8Array(bytes);
      }),
    witnessSizes: () =>
      attempt(
        () =>
          new Map(
            (q.witnessSizes.all() as { name: string; size: number }[]).map((row) => [
              row.name,
              row.size,
            ]),
          ),
      ),
    getCosignedState: (origin) =>
      attempt(() => {
        const row = q.cosigned.get(origin) as { size: number; root: Uint8Array } | undefined;
        return row === undefined
          ? undefined
          : { size: row.size, rootHash: new Uint8Array(row.root) };
      }),
    replaceCosignedState: (origin, expected, next) =>
      attempt(() => replaceCosigned(origin, expected, next)),
  };
}

function checkpointOf(row: unknown): StoredCheckpoint | undefined {
  if (row === undefined) return undefined;
  const { size, note, batch_cid, created_at } = row as {
    size: number;
    note: string;
    batch_cid: string | null;
    created_at: number;
  };
  return { size, note, batchCid: batch_cid, createdAt: created_at };
}
