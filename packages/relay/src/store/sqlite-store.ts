/**
 * The embedded store: SQLite through better-sqlite3, WAL journal with synchronous=FULL, so a
 * committed transaction survives a crash or power loss before any receipt is sent. Each envelope
 * and directory entry gets its transparency-log leaf in the transaction that stores it.
 */
import { statSync } from 'node:fs';
import { decodeCanonical } from '@parley/core';
import Database from 'better-sqlite3';
import { RelayError } from '../errors.js';
import { migrateToDeviceKeyPackages } from './sqlite-device-key-packages.js';
import { preparePrivateFile, tightenIfPresent } from './private-files.js';
import { createSqliteLog, migrateToLog } from './sqlite-log.js';
import { createSqliteWriteKeys, migrateToWriteKeys } from './sqlite-write-keys.js';
import type {
  AppendOutcome,
  BatchFile,
  ClaimOutcome,
  CosignedState,
  DirectoryEntryToStore,
  EnvelopeToAppend,
  KeyPackageToStore,
  RelayStore,
  RetentionLimits,
  StoredCheckpoint,
  StoredDirectoryEntry,
  StoredEnvelope,
} from './store.js';

const SCHEMA_VERSION = 4;

/**
 * Schema 1, exactly as the first relay wrote it. A new database is created at 1 and migrated like
 * an old one, so the migrations are the one path to the current schema.
 */
const SCHEMA_1 = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS topics (
  topic BLOB PRIMARY KEY, last_seq INTEGER NOT NULL, bytes INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS envelopes (
  topic BLOB NOT NULL, seq INTEGER NOT NULL, cid TEXT NOT NULL, bytes BLOB NOT NULL,
  received_at INTEGER NOT NULL, PRIMARY KEY (topic, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS envelopes_by_cid ON envelopes (cid);
CREATE INDEX IF NOT EXISTS envelopes_by_time ON envelopes (received_at);
CREATE TABLE IF NOT EXISTS commits (
  topic BLOB NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (topic, epoch)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cursors (
  topic BLOB NOT NULL, account TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (topic, account)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  token_hash BLOB PRIMARY KEY, account TEXT NOT NULL, expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (account TEXT PRIMARY KEY, admitted_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS invites (
  code_hash BLOB PRIMARY KEY, created_at INTEGER NOT NULL, used_by TEXT, used_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS directory (
  account TEXT PRIMARY KEY, entry BLOB NOT NULL, cid TEXT NOT NULL, updated_at INTEGER NOT NULL,
  last_resort BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS key_packages (
  account TEXT NOT NULL, hash BLOB NOT NULL, bytes BLOB, claimed_at INTEGER,
  added_at INTEGER NOT NULL, PRIMARY KEY (account, hash)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS key_packages_unclaimed ON key_packages (account, claimed_at, added_at);
`;

/** Migration to version `index + 2`, run in one transaction with the version update. */
const MIGRATIONS: readonly ((db: Database.Database) => void)[] = [
  migrateToLog,
  migrateToWriteKeys,
  migrateToDeviceKeyPackages,
];

interface TopicRow {
  last_seq: number;
  bytes: number;
}

/**
 * Opens (creating if needed) the SQLite store at `path` (`:memory:` for tests). The database and
 * its -wal and -shm files are owner-only (0600) whatever the umask or their earlier mode.
 * @throws RelayError RELAY_STORE_FAILED | RELAY_DATA_DIR_INSECURE
 */
export function openSqliteStore(path: string): RelayStore {
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) preparePrivateFile(path);
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db);
    if (onDisk) for (const suffix of ['-wal', '-shm']) tightenIfPresent(`${path}${suffix}`);
  } catch (cause) {
    if (cause instanceof RelayError && cause.code === 'RELAY_DATA_DIR_INSECURE') {
      db?.close();
      throw cause;
    }
    db?.close();
    throw new RelayError(
      'RELAY_STORE_FAILED',
      `(${path}: ${cause instanceof Error ? cause.message : String(cause)})`,
      { cause },
    );
  }
  const opened: Database.Database = db;
  const log = createSqliteLog(opened);
  const writeKeys = createSqliteWriteKeys(opened);

  const q = {
    topic: opened.prepare('SELECT last_seq, bytes FROM topics WHERE topic = ?'),
    upsertTopic: opened.prepare(
      'INSERT INTO topics (topic, last_seq, bytes) VALUES (?, ?, ?) ' +
        'ON CONFLICT (topic) DO UPDATE SET last_seq = excluded.last_seq, bytes = excluded.bytes',
    ),
    byCid: opened.prepare(
      'SELECT topic, seq, received_at, leaf_index FROM envelopes WHERE cid = ?',
    ),
    insertEnvelope: opened.prepare(
      'INSERT INTO envelopes (topic, seq, cid, bytes, received_at, leaf_index) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    list: opened.prepare(
      'SELECT seq, cid, bytes, received_at, leaf_index FROM envelopes WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    oldestAcked: opened.prepare(
      'SELECT seq, length(bytes) AS size FROM envelopes WHERE topic = ? AND seq <= ? ORDER BY seq LIMIT 256',
    ),
    lastCommitEpoch: opened.prepare('SELECT MAX(epoch) FROM commits WHERE topic = ?').pluck(),
    insertCommit: opened.prepare('INSERT INTO commits (topic, epoch, seq) VALUES (?, ?, ?)'),
    deleteEnvelope: opened.prepare('DELETE FROM envelopes WHERE topic = ? AND seq = ?'),
    expired: opened.prepare(
      'SELECT topic, seq, length(bytes) AS size FROM envelopes WHERE received_at < ? LIMIT 1000',
    ),
    overfull: opened.prepare('SELECT topic, bytes FROM topics WHERE bytes > ?'),
    subtractBytes: opened.prepare('UPDATE topics SET bytes = bytes - ? WHERE topic = ?'),
    putSession: opened.prepare(
      'INSERT OR REPLACE INTO sessions (token_hash, account, expires_at) VALUES (?, ?, ?)',
    ),
    getSession: opened.prepare('SELECT account, expires_at FROM sessions WHERE token_hash = ?'),
    deleteSessions: opened.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    member: opened.prepare('SELECT 1 FROM members WHERE account = ?').pluck(),
    admit: opened.prepare('INSERT OR IGNORE INTO members (account, admitted_at) VALUES (?, ?)'),
    spendInvite: opened.prepare(
      'UPDATE invites SET used_by = ?, used_at = ? WHERE code_hash = ? AND used_by IS NULL',
    ),
    addInvite: opened.prepare(
      'INSERT OR IGNORE INTO invites (code_hash, created_at) VALUES (?, ?)',
    ),
    directory: opened.prepare(
      'SELECT entry, cid, updated_at, last_resort FROM directory WHERE account = ?',
    ),
    putDirectory: opened.prepare(
      'INSERT OR REPLACE INTO directory (account, entry, cid, updated_at, last_resort) VALUES (?, ?, ?, ?, ?)',
    ),
    countKeyPackages: db
      .prepare('SELECT COUNT(*) FROM key_packages WHERE account = ? AND claimed_at IS NULL')
      .pluck(),
    addKeyPackage: opened.prepare(
      'INSERT OR IGNORE INTO key_packages (account, hash, bytes, added_at, device) VALUES (?, ?, ?, ?, ?)',
    ),
    unclaimedDevices: opened.prepare(
      'SELECT DISTINCT device FROM key_packages WHERE account = ? AND claimed_at IS NULL',
    ),
    dropDevicePackages: opened.prepare(
      'DELETE FROM key_packages WHERE account = ? AND device = ? AND claimed_at IS NULL',
    ),
    dropUnknownDevicePackages: opened.prepare(
      'DELETE FROM key_packages WHERE account = ? AND device IS NULL AND claimed_at IS NULL',
    ),
    nextKeyPackage: opened.prepare(
      'SELECT hash, bytes FROM key_packages WHERE account = ? AND claimed_at IS NULL ORDER BY added_at LIMIT 1',
    ),
    // The bytes of a handed-out package are dropped; its hash stays so it is never re-added.
    markClaimed: opened.prepare(
      'UPDATE key_packages SET claimed_at = ?, bytes = NULL WHERE account = ? AND hash = ?',
    ),
    putCheckpoint: opened.prepare(
      'INSERT INTO log_checkpoints (size, note, batch_cid, created_at) VALUES (?, ?, ?, ?)',
    ),
    latestCheckpoint: opened.prepare(
      'SELECT size, note, batch_cid, created_at FROM log_checkpoints ORDER BY size DESC LIMIT 1',
    ),
    checkpoint: opened.prepare(
      'SELECT size, note, batch_cid, created_at FROM log_checkpoints WHERE size = ?',
    ),
    putBatch: opened.prepare(
      'INSERT OR IGNORE INTO log_batches (cid, start, end, bytes) VALUES (?, ?, ?, ?)',
    ),
    batch: opened.prepare('SELECT bytes FROM log_batches WHERE cid = ?').pluck(),
    putWitnessSize: opened.prepare(
      'INSERT INTO log_witnesses (name, size) VALUES (?, ?) ' +
        'ON CONFLICT (name) DO UPDATE SET size = excluded.size',
    ),
    witnessSizes: opened.prepare('SELECT name, size FROM log_witnesses'),
    cosigned: opened.prepare('SELECT size, root FROM witnessed_logs WHERE origin = ?'),
    putCosigned: opened.prepare(
      'INSERT INTO witnessed_logs (origin, size, root) VALUES (?, ?, ?) ' +
        'ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root',
    ),
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

  const append = opened.transaction(
    (items: readonly EnvelopeToAppend[], receivedAt: number, maxBytesPerTopic: number) => {
      const outcomes: AppendOutcome[] = [];
      for (const item of items) {
        const existing = q.byCid.get(item.cid) as
          { topic: Uint8Array; seq: number; received_at: number; leaf_index: number } | undefined;
        if (existing !== undefined) {
          outcomes.push({
            cid: item.cid,
            topic: new Uint8Array(existing.topic),
            seq: existing.seq,
            receivedAt: existing.received_at,
            leafIndex: existing.leaf_index,
            duplicate: true,
          });
          continue;
        }
        if (item.commitEpoch !== undefined) {
          // Epochs advance one Commit at a time from 0: a Commit for any other epoch lost a race
          // or was forged to jump ahead, and would block the group if accepted.
          const last = q.lastCommitEpoch.get(item.topic) as number | null;
          if (item.commitEpoch !== (last === null ? 0 : last + 1)) {
            outcomes.push({ refused: 'commit-conflict' });
            continue;
          }
        }
        // After the epoch check: a Commit that lost a race is a conflict, whoever signed it.
        let applyKeys: (() => void) | undefined;
        if (item.writer !== undefined) {
          const decision = writeKeys.decide(item.topic, item.writer, item.next);
          if (!decision.allowed) {
            outcomes.push({ refused: decision.refused });
            continue;
          }
          applyKeys = decision.apply;
        }
        const row = (q.topic.get(item.topic) as TopicRow | undefined) ?? { last_seq: 0, bytes: 0 };
        let bytes = row.bytes;
        if (bytes + item.bytes.length > maxBytesPerTopic) {
          bytes = evictAcknowledged(item.topic, row, item.bytes.length, maxBytesPerTopic).bytes;
          if (bytes + item.bytes.length > maxBytesPerTopic) {
            q.upsertTopic.run(item.topic, row.last_seq, bytes);
            outcomes.push({ refused: 'topic-full' });
            continue;
          }
        }
        const seq = row.last_seq + 1;
        // An envelope stored again after retention removed it keeps its first leaf.
        const leafIndex = log.append(item.cid);
        q.insertEnvelope.run(item.topic, seq, item.cid, item.bytes, receivedAt, leafIndex);
        if (item.commitEpoch !== undefined) q.insertCommit.run(item.topic, item.commitEpoch, seq);
        applyKeys?.();
        q.upsertTopic.run(item.topic, seq, bytes + item.bytes.length);
        outcomes.push({
          cid: item.cid,
          topic: item.topic,
          seq,
          receivedAt,
          leafIndex,
          duplicate: false,
        });
      }
      return outcomes;
    },
  );

  const sweep = opened.transaction((limits: RetentionLimits) => {
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

  const acknowledge = opened.transaction(
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

  const putDirectory = opened.transaction(
    (
      account: string,
      entry: DirectoryEntryToStore,
      keyPackages: readonly KeyPackageToStore[],
      maxKeyPackages: number,
      now: number,
    ): 'stored' | 'stale' | 'too-many-key-packages' => {
      const current = q.directory.get(account) as
        { updated_at: number; entry: Uint8Array } | undefined;
      if (current !== undefined && entry.updatedAt <= current.updated_at) return 'stale';
      // Superseded devices: their unclaimed packages go, so nobody adds them to a new chat.
      const listed = new Set(entry.devices.map((device) => Buffer.from(device).toString('hex')));
      let dropped =
        current !== undefined && listedDevices(current.entry).some((device) => !listed.has(device));
      for (const row of q.unclaimedDevices.all(account) as { device: Uint8Array | null }[]) {
        if (row.device === null || listed.has(Buffer.from(row.device).toString('hex'))) continue;
        q.dropDevicePackages.run(account, row.device);
        dropped = true;
      }
      // Packages from before devices were recorded belong to some earlier device: they go too.
      if (dropped) q.dropUnknownDevicePackages.run(account);
      for (const keyPackage of keyPackages) {
        if (!listed.has(Buffer.from(keyPackage.device).toString('hex'))) {
          throw new RangeError('a KeyPackage of a device the entry does not list');
        }
        q.addKeyPackage.run(account, keyPackage.hash, keyPackage.bytes, now, keyPackage.device);
      }
      if ((q.countKeyPackages.get(account) as number) > maxKeyPackages) {
        // Throwing rolls the whole transaction back, entry and packages alike.
        throw new TooManyKeyPackages();
      }
      q.putDirectory.run(account, entry.bytes, entry.cid, entry.updatedAt, entry.lastResort);
      log.append(entry.cid);
      return 'stored';
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

  const claim = opened.transaction(
    (account: string, now: number, oneTime: boolean): ClaimOutcome => {
      const entry = q.directory.get(account) as { last_resort: Uint8Array } | undefined;
      if (entry === undefined) return { missing: true };
      const next = oneTime
        ? (q.nextKeyPackage.get(account) as { hash: Uint8Array; bytes: Uint8Array } | undefined)
        : undefined;
      if (next === undefined)
        return { keyPackage: new Uint8Array(entry.last_resort), lastResort: true };
      q.markClaimed.run(now, account, next.hash);
      return { keyPackage: new Uint8Array(next.bytes), lastResort: false };
    },
  );

  const putCheckpoint = opened.transaction(
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

  const replaceCosigned = opened.transaction(
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

  const redeem = opened.transaction((codeHash: Uint8Array, account: string, now: number) => {
    if (q.spendInvite.run(account, now, codeHash).changes !== 1) return false;
    q.admit.run(account, now);
    return true;
  });

  const addInvites = opened.transaction((hashes: readonly Uint8Array[], now: number) => {
    for (const hash of hashes) q.addInvite.run(hash, now);
  });

  return {
    appendEnvelopes: (items, receivedAt, maxBytesPerTopic) =>
      attempt(() => append(items, receivedAt, maxBytesPerTopic)),
    listEnvelopes: (topic, afterSeq, limit, options) =>
      Promise.resolve(listEnvelopes(topic, afterSeq, limit, options?.maxBytes ?? Infinity)),
    lastSeq: (topic) =>
      Promise.resolve((q.topic.get(topic) as TopicRow | undefined)?.last_seq ?? 0),
    acknowledge: (topic, reader, seq, writer, now) =>
      attempt(() => acknowledge(topic, reader, seq, writer, now)),
    acknowledgedSeq: (topic, reader) => Promise.resolve(writeKeys.cursor(topic, reader)),
    sweep: (limits) => Promise.resolve(sweep(limits)),
    putSession: (tokenHash, session) => {
      q.putSession.run(tokenHash, session.account, session.expiresAt);
      return Promise.resolve();
    },
    getSession: (tokenHash) => {
      const row = q.getSession.get(tokenHash) as
        { account: string; expires_at: number } | undefined;
      return Promise.resolve(
        row === undefined ? undefined : { account: row.account, expiresAt: row.expires_at },
      );
    },
    deleteExpiredSessions: (now) => {
      q.deleteSessions.run(now);
      return Promise.resolve();
    },
    isMember: (account) => Promise.resolve(q.member.get(account) !== undefined),
    redeemInvite: (codeHash, account, now) => Promise.resolve(redeem(codeHash, account, now)),
    addInvites: (hashes, now) => {
      addInvites(hashes, now);
      return Promise.resolve();
    },
    getDirectoryEntry: (account) => {
      const row = q.directory.get(account) as
        { entry: Uint8Array; cid: string; updated_at: number } | undefined;
      if (row === undefined) return Promise.resolve(undefined);
      const entry: StoredDirectoryEntry = {
        entry: new Uint8Array(row.entry),
        cid: row.cid,
        updatedAt: row.updated_at,
        availableKeyPackages: q.countKeyPackages.get(account) as number,
        leafIndex: log.indexOf(row.cid) ?? -1,
      };
      return Promise.resolve(entry);
    },
    putDirectoryEntry: (account, entry, keyPackages, maxKeyPackages, now) => {
      try {
        return Promise.resolve(putDirectory(account, entry, keyPackages, maxKeyPackages, now));
      } catch (error) {
        if (error instanceof TooManyKeyPackages) return Promise.resolve('too-many-key-packages');
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    claimKeyPackage: (account, now, options) =>
      Promise.resolve(claim(account, now, options?.oneTime ?? true)),
    logSize: () => Promise.resolve(log.size()),
    logRoot: (size) => attempt(() => log.root(size)),
    logInclusionProof: (index, size) => attempt(() => log.inclusionProof(index, size)),
    logConsistencyProof: (from, to) => attempt(() => log.consistencyProof(from, to)),
    leafRange: (start, end) => Promise.resolve(log.leaves(start, end)),
    leafIndexOfCid: (cid) => Promise.resolve(log.indexOf(cid)),
    leafIndexOfHash: (hash) => Promise.resolve(log.indexOfHash(hash)),
    putCheckpoint: (checkpoint, batch, witnessSizes) =>
      attempt(() => {
        putCheckpoint(checkpoint, batch, witnessSizes);
      }),
    latestCheckpoint: () => Promise.resolve(checkpointOf(q.latestCheckpoint.get())),
    getCheckpoint: (size) => Promise.resolve(checkpointOf(q.checkpoint.get(size))),
    getBatch: (cid) => {
      const bytes = q.batch.get(cid) as Uint8Array | undefined;
      return Promise.resolve(bytes === undefined ? undefined : new Uint8Array(bytes));
    },
    witnessSizes: () =>
      Promise.resolve(
        new Map(
          (q.witnessSizes.all() as { name: string; size: number }[]).map((row) => [
            row.name,
            row.size,
          ]),
        ),
      ),
    getCosignedState: (origin) => {
      const row = q.cosigned.get(origin) as { size: number; root: Uint8Array } | undefined;
      return Promise.resolve(
        row === undefined ? undefined : { size: row.size, rootHash: new Uint8Array(row.root) },
      );
    },
    replaceCosignedState: (origin, expected, next) =>
      attempt(() => replaceCosigned(origin, expected, next)),
    sizeBytes: () => {
      if (path === ':memory:') return Promise.resolve(0);
      let total = 0;
      for (const file of [path, `${path}-wal`]) {
        try {
          total += statSync(file).size;
        } catch {
          // The WAL file may not exist between checkpoints.
        }
      }
      return Promise.resolve(total);
    },
    isHealthy: () => {
      try {
        opened.prepare('SELECT 1').get();
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    },
    close: () => {
      opened.close();
      return Promise.resolve();
    },
  };
}

class TooManyKeyPackages extends Error {}

/** The device keys (hex) a stored, verified entry lists; none if it cannot be read. */
function listedDevices(bytes: Uint8Array): string[] {
  try {
    const value = decodeCanonical(bytes) as { devices?: unknown };
    if (!Array.isArray(value.devices)) return [];
    return value.devices.flatMap((device: unknown) => {
      const key = (device as { deviceKey?: unknown } | null)?.deviceKey;
      return key instanceof Uint8Array ? [Buffer.from(key).toString('hex')] : [];
    });
  } catch {
    return [];
  }
}

/** Runs `run`, turning a synchronous throw into a rejected promise. */
function attempt<T>(run: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(run());
  });
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

/**
 * Brings the database to SCHEMA_VERSION: creates schema 1 if empty, then runs each migration and
 * records the new version in the same transaction.
 * @throws Error if the database was written by a newer relay
 */
function migrate(db: Database.Database): void {
  db.exec(SCHEMA_1);
  const readVersion = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const setVersion = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const text = readVersion.get('schema') as string | undefined;
  if (text === undefined) setVersion.run('schema', '1');
  else if (!/^[0-9]+$/.test(text) || Number(text) > SCHEMA_VERSION) {
    throw new Error(`the data directory was written by a newer relay (schema ${text})`);
  }
  let version = Number(text ?? '1');
  while (version < SCHEMA_VERSION) {
    const step = MIGRATIONS[version - 1];
    if (step === undefined) throw new Error(`no migration from schema ${version}`);
    db.transaction(() => {
      step(db);
      setVersion.run('schema', String(version + 1));
    })();
    version += 1;
  }
}
