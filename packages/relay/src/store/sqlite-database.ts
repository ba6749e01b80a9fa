/**
 * The embedded backend's one database: SQLite through better-sqlite3, WAL journal with
 * synchronous=FULL, so a committed transaction survives a crash or power loss before any receipt
 * is sent. Opening it brings the schema up to date; every SQLite store shares the handle.
 */
import Database from 'better-sqlite3';
import { RelayError } from '../errors.js';
import { preparePrivateFile, tightenIfPresent } from './private-files.js';
import { migrateToDeviceKeyPackages } from './sqlite-device-key-packages.js';
import { migrateToLog } from './sqlite-log.js';
import { migrateToWriteKeys } from './sqlite-write-keys.js';

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

/**
 * Opens (creating if needed) the database at `path` (`:memory:` for tests) at the current schema.
 * The database and its -wal and -shm files are owner-only (0600) whatever the umask or their
 * earlier mode.
 * @throws RelayError RELAY_STORE_FAILED | RELAY_DATA_DIR_INSECURE
 */
export function openSqliteDatabase(path: string): Database.Database {
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
    return db;
  } catch (cause) {
    db?.close();
    if (cause instanceof RelayError && cause.code === 'RELAY_DATA_DIR_INSECURE') throw cause;
    throw new RelayError(
      'RELAY_STORE_FAILED',
      `(${path}: ${cause instanceof Error ? cause.message : String(cause)})`,
      { cause },
    );
  }
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

/** Runs `run`, turning a synchronous throw into a rejected promise. */
export function attempt<T>(run: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(run());
  });
}
