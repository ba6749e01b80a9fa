/**
 * Schema 3 of the SQLite store drops the account cursors of schema 2 while keeping every envelope
 * (the write-key rules themselves are a store contract, run in sqlite-stores.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { cidForBytes } from '@parley/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from './sqlite-stores.js';
import type { EnvelopeToAppend } from './topic-store.js';

const NO_LIMIT = 2 ** 40;
const topic = new Uint8Array(32).fill(0x0c);
const w0 = sha256(new TextEncoder().encode('w0'));

let counter = 0;
/** A post by `writer`; with `commit`, a Commit for that epoch naming `next`. */
function post(
  writer: Uint8Array,
  options: { commit?: number; next?: Uint8Array; size?: number } = {},
): EnvelopeToAppend {
  counter += 1;
  return {
    topic,
    cid: cidForBytes(new TextEncoder().encode(`post ${counter}`)).toString(),
    bytes: new Uint8Array(options.size ?? 10),
    writer,
    ...(options.commit === undefined ? {} : { commitEpoch: options.commit, next: options.next }),
  };
}

describe('schema 3', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-schema3-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops the account cursors of schema 2 and keeps every envelope', async () => {
    const path = join(dir, 'relay.db');
    const first = openSqliteStores(path);
    await first.topics.appendEnvelopes([post(w0), post(w0)], 1000, NO_LIMIT);
    await first.close();
    // Back to schema 2 as a relay of that version left it: account cursors.
    const raw = new Database(path);
    raw.exec(`DROP TABLE cursors; DROP TABLE topic_keys;
      DROP INDEX key_packages_by_device; ALTER TABLE key_packages DROP COLUMN device;
      CREATE TABLE cursors (topic BLOB NOT NULL, account TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (topic, account)) WITHOUT ROWID;
      UPDATE meta SET value = '2' WHERE key = 'schema';`);
    raw.prepare('INSERT INTO cursors VALUES (?, ?, 1)').run(topic, 'z6MkAlice');
    raw.close();

    const reopened = openSqliteStores(path);
    try {
      expect(
        (await reopened.topics.listEnvelopes(topic, 0, 10)).map((stored) => stored.seq),
      ).toEqual([1, 2]);
      const check = new Database(path, { readonly: true });
      const columns = check.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('cursors');
      expect(columns).not.toContain('account');
      expect(check.prepare('SELECT COUNT(*) FROM cursors').pluck().get()).toBe(0);
      expect(check.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe('4');
      check.close();
    } finally {
      await reopened.close();
    }
  });
});
