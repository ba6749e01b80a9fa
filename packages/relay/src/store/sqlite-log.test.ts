/**
 * The migration that gives a schema-1 SQLite data directory its transparency-log leaves (the
 * log's rules themselves are the log store contract, run in sqlite-stores.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MerkleTree, cidForBytes, logLeafHash } from '@parley/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from './sqlite-stores.js';
import type { AppendOutcome, StoredReceipt } from './topic-store.js';

const NO_LIMIT = 2 ** 40;
const topicA = new Uint8Array(32).fill(0xa);
const topicB = new Uint8Array(32).fill(0xb);

function cidOf(label: string): string {
  return cidForBytes(new TextEncoder().encode(label)).toString();
}

function envelope(topic: Uint8Array, label: string) {
  return { topic, cid: cidOf(label), bytes: new TextEncoder().encode(label) };
}

function receipt(outcome: AppendOutcome | undefined): StoredReceipt {
  if (outcome === undefined || 'refused' in outcome) throw new Error('expected a receipt');
  return outcome;
}

describe('migration from schema 1', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-migrate-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns every stored envelope (by received_at, topic, seq) and directory entry into a leaf', async () => {
    const path = join(dir, 'relay.db');
    const raw = new Database(path);
    // The DDL of schema 1, as the first relay wrote it (only the tables the migration reads).
    raw.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE topics (topic BLOB PRIMARY KEY, last_seq INTEGER NOT NULL, bytes INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE envelopes (
        topic BLOB NOT NULL, seq INTEGER NOT NULL, cid TEXT NOT NULL, bytes BLOB NOT NULL,
        received_at INTEGER NOT NULL, PRIMARY KEY (topic, seq)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX envelopes_by_cid ON envelopes (cid);
      CREATE INDEX envelopes_by_time ON envelopes (received_at);
      CREATE TABLE directory (
        account TEXT PRIMARY KEY, entry BLOB NOT NULL, cid TEXT NOT NULL, updated_at INTEGER NOT NULL,
        last_resort BLOB NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO meta VALUES ('schema', '1');
    `);
    const insert = raw.prepare('INSERT INTO envelopes VALUES (?, ?, ?, ?, ?)');
    // Inserted out of order: the migration orders by (received_at, topic, seq).
    const rows: [Uint8Array, number, string, number][] = [
      [topicB, 1, 'b1', 200],
      [topicA, 2, 'a2', 100],
      [topicA, 1, 'a1', 100],
      [topicB, 2, 'b2', 300],
    ];
    for (const [topic, seq, label, at] of rows) {
      insert.run(topic, seq, cidOf(label), new Uint8Array([seq]), at);
    }
    // More than one page of the migration (2,000 rows).
    const many = Array.from({ length: 2100 }, (_, i) => `m${i}`);
    raw.transaction(() => {
      for (const [i, label] of many.entries()) {
        insert.run(new Uint8Array(32).fill(0xc), i + 1, cidOf(label), new Uint8Array(1), 1000 + i);
      }
    })();
    raw.prepare('INSERT INTO topics VALUES (?, ?, ?)').run(topicA, 2, 2);
    raw
      .prepare('INSERT INTO directory VALUES (?, ?, ?, ?, ?)')
      .run('bob', new Uint8Array(1), cidOf('entry bob'), 50, new Uint8Array(1));
    raw
      .prepare('INSERT INTO directory VALUES (?, ?, ?, ?, ?)')
      .run('alice', new Uint8Array(1), cidOf('entry alice'), 70, new Uint8Array(1));
    raw.close();

    const migrated = openSqliteStores(path);
    try {
      const order = ['a1', 'a2', 'b1', 'b2', ...many, 'entry bob', 'entry alice'].map(cidOf);
      expect(await migrated.log.logSize()).toBe(order.length);
      const leaves = [];
      for (let start = 0; start < order.length; start += 1000) {
        leaves.push(...(await migrated.log.leafRange(start, start + 1000)));
      }
      expect(leaves.map((leaf) => leaf.cid)).toEqual(order);
      const tree = new MerkleTree(order.map((cid) => logLeafHash(cid)));
      expect(await migrated.log.logRoot(order.length)).toEqual(tree.root());
      expect((await migrated.topics.listEnvelopes(topicA, 0, 10)).map((e) => e.leafIndex)).toEqual([
        0, 1,
      ]);
      // Posting a migrated envelope again answers with its migrated leaf.
      const [again] = await migrated.topics.appendEnvelopes(
        [envelope(topicB, 'b2')],
        9999,
        NO_LIMIT,
      );
      expect(receipt(again)).toMatchObject({ duplicate: true, leafIndex: 3, seq: 2 });
      const [fresh] = await migrated.topics.appendEnvelopes(
        [envelope(topicA, 'a3')],
        9999,
        NO_LIMIT,
      );
      expect(receipt(fresh)).toMatchObject({ seq: 3, leafIndex: order.length });
    } finally {
      await migrated.close();
    }
    const check = new Database(path);
    // Every later migration runs too (schema 3: write keys; 4: KeyPackages per device).
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe('4');
    check.close();
  });
});
