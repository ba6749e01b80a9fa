/** The session store in SQLite: one row per session, keyed by the token's SHA-256. */
import type Database from 'better-sqlite3';
import { attempt } from './sqlite-database.js';
import type { SessionStore } from './session-store.js';

/** The session store over `db` (at the current schema). */
export function createSqliteSessionStore(db: Database.Database): SessionStore {
  const q = {
    put: db.prepare(
      'INSERT OR REPLACE INTO sessions (token_hash, account, expires_at) VALUES (?, ?, ?)',
    ),
    get: db.prepare('SELECT account, expires_at FROM sessions WHERE token_hash = ?'),
    deleteExpired: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
  };
  return {
    putSession: (tokenHash, session) =>
      attempt(() => {
        q.put.run(tokenHash, session.account, session.expiresAt);
      }),
    getSession: (tokenHash) =>
      attempt(() => {
        const row = q.get.get(tokenHash) as { account: string; expires_at: number } | undefined;
        return row === undefined ? undefined : { account: row.account, expiresAt: row.expires_at };
      }),
    deleteExpiredSessions: (now) =>
      attempt(() => {
        q.deleteExpired.run(now);
      }),
  };
}
