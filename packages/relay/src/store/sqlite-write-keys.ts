/**
 * Topic write keys and pseudonymous cursors in SQLite (docs/spec/chats.md §Write keys, schema 3).
 * `topic_keys` holds each shared topic's current and previous epoch write keys and a counter of
 * the Commits that moved them; `cursors` holds (topic, reader pseudonym) → seq, the key epoch it
 * was proven at, and when it last moved. No account id is stored beside a topic. The functions
 * run inside the caller's transaction.
 */
import type Database from 'better-sqlite3';

/**
 * Migration to schema 3. Cursors of schema 2 were keyed by account: they cannot become
 * pseudonyms, and kept they would go on linking accounts to chats, so they are dropped (members
 * acknowledge again on their next sync; envelopes are untouched).
 */
export function migrateToWriteKeys(db: Database.Database): void {
  db.exec(`
DROP TABLE IF EXISTS cursors;
CREATE TABLE cursors (
  topic BLOB NOT NULL, reader BLOB NOT NULL, seq INTEGER NOT NULL, epoch INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, PRIMARY KEY (topic, reader)
) WITHOUT ROWID;
CREATE INDEX cursors_by_time ON cursors (updated_at);
CREATE TABLE topic_keys (
  topic BLOB PRIMARY KEY, current BLOB NOT NULL, previous BLOB, epoch INTEGER NOT NULL
) WITHOUT ROWID;
`);
}

/** A topic's write keys. `epoch` counts the Commits accepted since the topic was claimed. */
interface KeysRow {
  current: Uint8Array;
  previous: Uint8Array | null;
  epoch: number;
}

/** The reader id of an inbox's owner: an inbox has one reader, whose account the topic names. */
export const OWNER_READER = new Uint8Array(32);

/** What a write may do, decided before it is stored. */
export type WriteDecision =
  | { readonly allowed: true; readonly apply: () => void }
  | { readonly allowed: false; readonly refused: 'not-a-writer' };

/** The write-key and cursor statements over one open database (schema ≥ 3). */
export interface SqliteWriteKeys {
  /**
   * Decides whether `writer` may post to `topic` (a Commit when `next` is set); `apply` records
   * the key change of an accepted post. First post on an unclaimed topic: trust on first use.
   */
  decide(topic: Uint8Array, writer: Uint8Array, next: Uint8Array | undefined): WriteDecision;
  /** The smallest seq acknowledged by a cursor proven at the current or previous key epoch. */
  minAcknowledged(topic: Uint8Array): number;
  /** The key epoch `writer` proves now (only the current key proves), or undefined. */
  provenEpoch(topic: Uint8Array, writer: Uint8Array | undefined): number | undefined;
  /** Moves a cursor forward (never back) to `seq`, proven at `epoch`, at `now`. */
  moveCursor(topic: Uint8Array, reader: Uint8Array, seq: number, epoch: number, now: number): void;
  /** The cursor's seq, or undefined. */
  cursor(topic: Uint8Array, reader: Uint8Array): number | undefined;
  /** Removes cursors that did not move since `before`; returns how many. */
  removeIdleCursors(before: number): number;
}

/** Prepares the statements on `db`. */
export function createSqliteWriteKeys(db: Database.Database): SqliteWriteKeys {
  const q = {
    keys: db.prepare('SELECT current, previous, epoch FROM topic_keys WHERE topic = ?'),
    putKeys: db.prepare(
      'INSERT INTO topic_keys (topic, current, previous, epoch) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (topic) DO UPDATE SET current = excluded.current, ' +
        'previous = excluded.previous, epoch = excluded.epoch',
    ),
    minAck: db.prepare('SELECT MIN(seq) FROM cursors WHERE topic = ? AND epoch >= ?').pluck(),
    moveCursor: db.prepare(
      'INSERT INTO cursors (topic, reader, seq, epoch, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (topic, reader) DO UPDATE SET seq = max(seq, excluded.seq), ' +
        'epoch = max(epoch, excluded.epoch), updated_at = excluded.updated_at',
    ),
    cursor: db.prepare('SELECT seq FROM cursors WHERE topic = ? AND reader = ?').pluck(),
    idle: db.prepare('DELETE FROM cursors WHERE updated_at < ?'),
  };
  const keysOf = (topic: Uint8Array) => q.keys.get(topic) as KeysRow | undefined;
  return {
    decide(topic, writer, next) {
      const keys = keysOf(topic);
      if (keys === undefined) {
        // Unclaimed: the topic is 31 random bytes only its creator knows until it invites.
        return {
          allowed: true,
          apply: () => {
            if (next === undefined) q.putKeys.run(topic, writer, null, 0);
            else q.putKeys.run(topic, next, writer, 1);
          },
        };
      }
      const isCurrent = equal(writer, keys.current);
      const isPrevious = keys.previous !== null && equal(writer, keys.previous);
      if (next !== undefined) {
        // Only the current epoch's key commits (the store checked the epoch first: a Commit
        // that lost a race is a conflict before it gets here).
        if (!isCurrent) return { allowed: false, refused: 'not-a-writer' };
        return {
          allowed: true,
          apply: () => q.putKeys.run(topic, next, writer, keys.epoch + 1),
        };
      }
      // Application messages: the current key, or the previous one for posts in flight at a Commit.
      if (!isCurrent && !isPrevious) return { allowed: false, refused: 'not-a-writer' };
      return { allowed: true, apply: () => undefined };
    },
    minAcknowledged(topic) {
      const epoch = keysOf(topic)?.epoch ?? 0;
      return (q.minAck.get(topic, epoch - 1) as number | null) ?? 0;
    },
    provenEpoch(topic, writer) {
      const keys = keysOf(topic);
      if (writer === undefined) return keys === undefined ? 0 : undefined;
      if (keys === undefined || !equal(writer, keys.current)) return undefined;
      return keys.epoch;
    },
    moveCursor(topic, reader, seq, epoch, now) {
      q.moveCursor.run(topic, reader, seq, epoch, now);
    },
    cursor: (topic, reader) => q.cursor.get(topic, reader) as number | undefined,
    removeIdleCursors: (before) => q.idle.run(before).changes,
  };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
