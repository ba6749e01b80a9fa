/**
 * The embedded backend: every relay store over one SQLite database (`sqlite-database.ts`), so an
 * envelope or directory entry and its transparency-log leaf commit in one transaction.
 */
import { statSync } from 'node:fs';
import type { RelayStores } from './relay-stores.js';
import { openSqliteDatabase } from './sqlite-database.js';
import { createSqliteDirectoryStore } from './sqlite-directory-store.js';
import { createSqliteLog } from './sqlite-log.js';
import { createSqliteLogStore } from './sqlite-log-store.js';
import { createSqliteMembershipStore } from './sqlite-membership-store.js';
import { createSqliteSessionStore } from './sqlite-session-store.js';
import { createSqliteTopicStore } from './sqlite-topic-store.js';
import { createSqliteWriteKeys } from './sqlite-write-keys.js';

/**
 * Opens (creating if needed) the relay's stores in the SQLite database at `path` (`:memory:` for
 * tests). The database and its -wal and -shm files are owner-only (0600).
 * @throws RelayError RELAY_STORE_FAILED | RELAY_DATA_DIR_INSECURE
 */
export function openSqliteStores(path: string): RelayStores {
  const db = openSqliteDatabase(path);
  const log = createSqliteLog(db);
  return {
    topics: createSqliteTopicStore(db, log, createSqliteWriteKeys(db)),
    sessions: createSqliteSessionStore(db),
    membership: createSqliteMembershipStore(db),
    directory: createSqliteDirectoryStore(db, log),
    log: createSqliteLogStore(db, log),
    sizeBytes: () => {
      if (path === ':memory:' || path === '') return Promise.resolve(0);
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
        db.prepare('SELECT 1').get();
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
