/**
 * The topic store in SQLite: envelopes, per-topic sizes, Commits by epoch, write keys and
 * cursors. Each envelope gets its transparency-log leaf in the transaction that stores it.
 */
import type Database from 'better-sqlite3';
import { attempt } from './sqlite-database.js';
import type { SqliteLog } from './sqlite-log.js';
import type { SqliteWriteKeys } from './sqlite-write-keys.js';
import type {
  AppendOutcome,
  EnvelopeToAppend,
  RetentionLimits,
  StoredEnvelope,
  TopicStore,
} from './topic-store.js';

interface TopicRow {
  last_seq: number;
  bytes: number;
}

/** The topic store over `db` (at the current schema), appending leaves to `log`. */
export function createSqliteTopicStore(
  db: Database.Database,
  log: SqliteLog,
  writeKeys: SqliteWriteKeys,
): TopicStore {
  const q = {
    topic: db.prepare('SELECT last_seq, bytes FROM topics WHERE topic = ?'),
    upsertTopic: db.prepare(
      'INSERT INTO topics (topic, last_seq, bytes) VALUES (?, ?, ?) ' +
        'ON CONFLICT (topic) DO UPDATE SET last_seq = excluded.last_seq, bytes = excluded.bytes',
    ),
    byCid: db.prepare('SELECT topic, seq, received_at, leaf_index FROM envelopes WHERE cid = ?'),
    insertEnvelope: db.prepare(
      'INSERT INTO envelopes (topic, seq, cid, bytes, received_at, leaf_index) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    list: db.prepare(
      'SELECT seq, cid, bytes, received_at, leaf_index FROM envelopes WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    oldestAcked: db.prepare(
      'SELECT seq, length(bytes) AS size FROM envelopes WHERE topic = ? AND seq <= ? ORDER BY seq LIMIT 256',
    ),
    lastCommitEpoch: db.prepare('SELECT MAX(epoch) FROM commits WHERE topic = ?').pluck(),
    insertCommit: db.prepare('INSERT INTO commits (topic, epoch, seq) VALUES (?, ?, ?)'),
    deleteEnvelope: db.prepare('DELETE FROM envelopes WHERE topic = ? AND seq = ?'),
    expired: db.prepare(
      'SELECT topic, seq, length(bytes) AS size FROM envelopes WHERE received_at < ? LIMIT 1000',
    ),
    overfull: db.prepare('SELECT topic, bytes FROM topics WHERE bytes > ?'),
    subtractBytes: db.prepare('UPDATE topics SET bytes = bytes - ? WHERE topic = ?'),
  };

  /** Evicts acknowledged envelopes of `topic` until `needed` more bytes fit; returns what is left. */
  function evictAcknowledged(
    topic: Uint8Array,
    row: TopicRow,
    needed: number,
    maxBytes: number,
  ): { bytes: number; count: number } {
    let bytes = row.bytes;
    let count = 0;
    const minAck = writeKeys.minAcknowledged(topic);
    while (bytes + needed > maxBytes) {
      const victims = q.oldestAcked.all(topic, minAck) as { seq: number; size: number }[];
      if (victims.length === 0) break;
      for (const victim of victims) {
        if (bytes + needed <= maxBytes) break;
        q.deleteEnvelope.run(topic, victim.seq);
        bytes -= victim.size;
        count += 1;
      }
    }
    return { bytes, count };
  }

  /** One item of an append, inside its transaction. */
  function appendOne(
    item: EnvelopeToAppend,
    receivedAt: number,
    maxBytesPerTopic: number,
  ): AppendOutcome {
    const existing = q.byCid.get(item.cid) as
      { topic: Uint8Array; seq: number; received_at: number; leaf_index: number } | undefined;
    if (existing !== undefined) {
      return {
        cid: item.cid,
        topic: new Uint8Array(existing.topic),
        seq: existing.seq,
        receivedAt: existing.received_at,
        leafIndex: existing.leaf_index,
        duplicate: true,
      };
    }
    if (item.commitEpoch !== undefined) {
      // Epochs advance one Commit at a time from 0: a Commit for any other epoch lost a race
      // or was forged to jump ahead, and would block the group if accepted.
      const last = q.lastCommitEpoch.get(item.topic) as number | null;
      if (item.commitEpoch !== (last === null ? 0 : last + 1))
        return { refused: 'commit-conflict' };
    }
    // After the epoch check: a Commit that lost a race is a conflict, whoever signed it.
    let applyKeys: (() => void) | undefined;
    if (item.writer !== undefined) {
      const decision = writeKeys.decide(item.topic, item.writer, item.next);
      if (!decision.allowed) return { refused: decision.refused };
      applyKeys = decision.apply;
    }
    const row = (q.topic.get(item.topic) as TopicRow | undefined) ?? { last_seq: 0, bytes: 0 };
    let bytes = row.bytes;
    if (bytes + item.bytes.length > maxBytesPerTopic) {
      bytes = evictAcknowledged(item.topic, row, item.bytes.length, maxBytesPerTopic).bytes;
      if (bytes + item.bytes.length > maxBytesPerTopic) {
        q.upsertTopic.run(item.topic, row.last_seq, bytes);
        return { refused: 'topic-full' };
      }
    }
    const seq = row.last_seq + 1;
    // An envelope stored again after retention removed it keeps its first leaf.
    const leafIndex = log.append(item.cid);
    q.insertEnvelope.run(item.topic, seq, item.cid, item.bytes, receivedAt, leafIndex);
    if (item.commitEpoch !== undefined) q.insertCommit.run(item.topic, item.commitEpoch, seq);
    applyKeys?.();
    q.upsertTopic.run(item.topic, seq, bytes + item.bytes.length);
    return { cid: item.cid, topic: item.topic, seq, receivedAt, leafIndex, duplicate: false };
  }

  const append = db.transaction(
    (items: readonly EnvelopeToAppend[], receivedAt: number, maxBytesPerTopic: number) =>
      items.map((item) => appendOne(item, receivedAt, maxBytesPerTopic)),
  );

  const sweep = db.transaction((limits: RetentionLimits) => {
    writeKeys.removeIdleCursors(limits.now - limits.maxAgeMs);
    let removed = 0;
    for (;;) {
      const expired = q.expired.all(limits.now - limits.maxAgeMs) as {
        topic: Uint8Array;
        seq: number;
        size: number;
      }[];
      for (const victim of expired) {
        q.deleteEnvelope.run(victim.topic, victim.seq);
        q.subtractBytes.run(victim.size, victim.topic);
      }
      removed += expired.length;
      if (expired.length < 1000) break;
    }
    for (const row of q.overfull.all(limits.maxBytesPerTopic) as {
      topic: Uint8Array;
      bytes: number;
    }[]) {
      const topicRow = q.topic.get(row.topic) as TopicRow;
      const evicted = evictAcknowledged(row.topic, topicRow, 0, limits.maxBytesPerTopic);
      if (evicted.count > 0) {
        q.upsertTopic.run(row.topic, topicRow.last_seq, evicted.bytes);
        removed += evicted.count;
      }
    }
    return removed;
  });

  const acknowledge = db.transaction(
    (
      topic: Uint8Array,
      reader: Uint8Array,
      seq: number,
      writer: Uint8Array | undefined,
      now: number,
    ): 'ok' | 'not-a-writer' => {
      const epoch = writeKeys.provenEpoch(topic, writer);
      if (epoch === undefined) return 'not-a-writer';
      // Never past what the topic holds: acknowledging the future would let unread envelopes go.
      const lastSeq = (q.topic.get(topic) as TopicRow | undefined)?.last_seq ?? 0;
      writeKeys.moveCursor(topic, reader, Math.min(seq, lastSeq), epoch, now);
      return 'ok';
    },
  );

  // Rows are read one at a time so a page stops at `maxBytes` without loading what follows.
  function listEnvelopes(
    topic: Uint8Array,
    afterSeq: number,
    limit: number,
    maxBytes: number,
  ): StoredEnvelope[] {
    const page: StoredEnvelope[] = [];
    let bytes = 0;
    for (const row of q.list.iterate(topic, afterSeq, limit) as Iterable<{
      seq: number;
      cid: string;
      bytes: Buffer;
      received_at: number;
      leaf_index: number;
    }>) {
      if (page.length > 0 && bytes + row.bytes.byteLength > maxBytes) break;
      bytes += row.bytes.byteLength;
      page.push({
        seq: row.seq,
        cid: row.cid,
        // better-sqlite3 gives each row its own Buffer: a view, not a second copy.
        bytes: new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength),
        receivedAt: row.received_at,
        leafIndex: row.leaf_index,
      });
    }
    return page;
  }

  return {
    appendEnvelopes: (items, receivedAt, maxBytesPerTopic) =>
      attempt(() => append(items, receivedAt, maxBytesPerTopic)),
    listEnvelopes: (topic, afterSeq, limit, options) =>
      attempt(() => listEnvelopes(topic, afterSeq, limit, options?.maxBytes ?? Infinity)),
    lastSeq: (topic) => attempt(() => (q.topic.get(topic) as TopicRow | undefined)?.last_seq ?? 0),
    acknowledge: (topic, reader, seq, writer, now) =>
      attempt(() => acknowledge(topic, reader, seq, writer, now)),
    acknowledgedSeq: (topic, reader) => attempt(() => writeKeys.cursor(topic, reader)),
    sweep: (limits) => attempt(() => sweep(limits)),
  };
}
