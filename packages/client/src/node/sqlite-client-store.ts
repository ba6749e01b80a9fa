/**
 * The Node implementation of ClientStore: one SQLite file (WAL, synchronous=FULL), readable by
 * its owner only (0600, whatever the umask or the mode an older version left).
 */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { ClientStore, StoredMessage } from '../store/client-store.js';
import { decodeMessageBody, encodeMessageBody, legacyBody } from '../store/message-body.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  chat TEXT NOT NULL, id INTEGER NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL,
  sent_at INTEGER NOT NULL, own INTEGER NOT NULL, status TEXT NOT NULL, cid TEXT, seq INTEGER,
  PRIMARY KEY (chat, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_cid ON messages (chat, cid) WHERE cid IS NOT NULL;
`;

/**
 * Schema 2 (content types): a message keeps its entry hash and its body (message-body.ts).
 * Rows written before keep `body` NULL and read as their `text`; new rows leave `text` empty.
 */
const SCHEMA_2 = `
ALTER TABLE messages ADD COLUMN hash TEXT;
ALTER TABLE messages ADD COLUMN body TEXT;
CREATE INDEX messages_by_hash ON messages (chat, hash) WHERE hash IS NOT NULL;
PRAGMA user_version = 2;
`;

interface Row {
  chat: string;
  id: number;
  author: string;
  text: string;
  sent_at: number;
  own: number;
  status: StoredMessage['status'];
  cid: string | null;
  seq: number | null;
  hash: string | null;
  body: string | null;
}

/** Owner read and write only: the store holds this device's keys (sealed or not). */
const PRIVATE_FILE_MODE = 0o600;
const SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * Creates `path` empty with mode 0600 if absent, and sets 0600 on it and on SQLite's side files
 * that exist. SQLite creates -wal and -shm with the mode of the database file, so a 0600
 * database keeps them 0600 too.
 */
function makePrivate(path: string): void {
  if (path === ':memory:' || path === '') return;
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
  for (const suffix of SIDE_FILES) {
    if (existsSync(`${path}${suffix}`)) chmodSync(`${path}${suffix}`, PRIVATE_FILE_MODE);
  }
}

/**
 * Opens (creating if needed) the client store at `path`, with mode 0600 on the file and its
 * side files. Wrap it with openSealedStore so that its secrets are encrypted at rest.
 * @throws the SQLite or file-system error if the file cannot be opened
 */
export function openSqliteClientStore(path: string): ClientStore {
  makePrivate(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  if ((db.pragma('user_version', { simple: true }) as number) < 2) {
    db.transaction(() => db.exec(SCHEMA_2))();
  }
  makePrivate(path);
  const q = {
    get: db.prepare('SELECT value FROM kv WHERE key = ?').pluck(),
    put: db.prepare('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)'),
    delete: db.prepare('DELETE FROM kv WHERE key = ?'),
    keys: db
      .prepare('SELECT key FROM kv WHERE key >= ? AND key < ? || char(1114111) ORDER BY key')
      .pluck(),
    nextId: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 FROM messages WHERE chat = ?').pluck(),
    byCid: db.prepare('SELECT 1 FROM messages WHERE chat = ? AND cid = ?').pluck(),
    byHash: db.prepare('SELECT * FROM messages WHERE chat = ? AND hash = ? ORDER BY id LIMIT 1'),
    insert: db.prepare(
      "INSERT INTO messages (chat, id, author, text, sent_at, own, status, cid, seq, hash, body) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)",
    ),
    markSent: db.prepare(
      "UPDATE messages SET status = 'sent', cid = ?, seq = ? WHERE chat = ? AND id = ?",
    ),
    markFailed: db.prepare("UPDATE messages SET status = 'failed' WHERE chat = ? AND id = ?"),
    latest: db.prepare('SELECT * FROM messages WHERE chat = ? ORDER BY id DESC LIMIT ?'),
    before: db.prepare('SELECT * FROM messages WHERE chat = ? AND id < ? ORDER BY id DESC LIMIT ?'),
    chats: db.prepare('SELECT DISTINCT chat FROM messages ORDER BY chat').pluck(),
    rewrite: db.prepare(
      "UPDATE messages SET author = ?, text = '', body = ? WHERE chat = ? AND id = ?",
    ),
  };
  let depth = 0;
  const toMessage = (row: Row): StoredMessage => ({
    chatId: row.chat,
    id: row.id,
    author: row.author,
    hash: row.hash ?? undefined,
    ...(row.body === null ? legacyBody(row.text) : decodeMessageBody(row.body)),
    sentAt: row.sent_at,
    own: row.own === 1,
    status: row.status,
    cid: row.cid ?? undefined,
    seq: row.seq ?? undefined,
  });
  return {
    get: (key) => {
      const value = q.get.get(key) as Uint8Array | undefined;
      return Promise.resolve(value === undefined ? undefined : new Uint8Array(value));
    },
    put: (key, value) => {
      q.put.run(key, value);
      return Promise.resolve();
    },
    delete: (key) => {
      q.delete.run(key);
      return Promise.resolve();
    },
    keys: (prefix) => Promise.resolve(q.keys.all(prefix, prefix) as string[]),
    async transaction(work) {
      // better-sqlite3 transactions are synchronous; an async unit of work uses SAVEPOINTs.
      const name = `sp${depth}`;
      depth += 1;
      db.exec(`SAVEPOINT ${name}`);
      try {
        const result = await work();
        db.exec(`RELEASE ${name}`);
        return result;
      } catch (error) {
        db.exec(`ROLLBACK TO ${name}`);
        db.exec(`RELEASE ${name}`);
        throw error;
      } finally {
        depth -= 1;
      }
    },
    addMessage: (message) => {
      if (message.cid !== undefined && q.byCid.get(message.chatId, message.cid) !== undefined) {
        return Promise.resolve(undefined);
      }
      const id = q.nextId.get(message.chatId) as number;
      q.insert.run(
        message.chatId,
        id,
        message.author,
        message.sentAt,
        message.own ? 1 : 0,
        message.status,
        message.cid ?? null,
        message.seq ?? null,
        message.hash ?? null,
        encodeMessageBody(message),
      );
      return Promise.resolve({ ...message, id });
    },
    markSent: (chatId, id, cid, seq) => {
      q.markSent.run(cid, seq, chatId, id);
      return Promise.resolve();
    },
    markFailed: (chatId, id) => {
      q.markFailed.run(chatId, id);
      return Promise.resolve();
    },
    messages: (chatId, options) => {
      const rows = (
        options.before === undefined
          ? q.latest.all(chatId, options.limit)
          : q.before.all(chatId, options.before, options.limit)
      ) as Row[];
      return Promise.resolve(rows.reverse().map(toMessage));
    },
    messageByHash: (chatId, hash) => {
      const row = q.byHash.get(chatId, hash) as Row | undefined;
      return Promise.resolve(row === undefined ? undefined : toMessage(row));
    },
    messageChats: () => Promise.resolve(q.chats.all() as string[]),
    rewriteMessage: (chatId, id, author, body) => {
      q.rewrite.run(author, encodeMessageBody(body), chatId, id);
      return Promise.resolve();
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
