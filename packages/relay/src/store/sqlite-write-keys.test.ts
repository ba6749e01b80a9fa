/**
 * The store's write-key and cursor rules (docs/spec/chats.md §Write keys): trust on first use,
 * only the current key commits, the previous key still posts application messages, stale or
 * unproven cursors hold no eviction back, keys outlive retention, and schema 3 drops account
 * cursors while keeping every envelope.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { cidForBytes } from '@parley/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite-store.js';
import type { AppendOutcome, EnvelopeToAppend, RelayStore } from './store.js';

const NO_LIMIT = 2 ** 40;
const topic = new Uint8Array(32).fill(0x0c);
const name = (label: string) => sha256(new TextEncoder().encode(label));
const [w0, w1, w2, stranger] = ['w0', 'w1', 'w2', 'stranger'].map(name) as [
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
];

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

async function one(store: RelayStore, item: EnvelopeToAppend, limit = NO_LIMIT, at = 1000) {
  const [outcome] = await store.appendEnvelopes([item], at, limit);
  return outcome as AppendOutcome;
}

const refusal = (outcome: AppendOutcome) => ('refused' in outcome ? outcome.refused : 'stored');

let store: RelayStore;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

describe('topic write keys', () => {
  it('lets the first writer claim a topic, then refuses every other key', async () => {
    expect(refusal(await one(store, post(w0)))).toBe('stored');
    expect(refusal(await one(store, post(stranger)))).toBe('not-a-writer');
    expect(refusal(await one(store, post(stranger, { commit: 0, next: stranger })))).toBe(
      'not-a-writer',
    );
    expect(await store.lastSeq(topic)).toBe(1);
  });

  it('moves the key with each Commit: the previous key still posts messages but never commits', async () => {
    expect(refusal(await one(store, post(w0, { commit: 0, next: w1 })))).toBe('stored');
    expect(refusal(await one(store, post(w0)))).toBe('stored');
    expect(refusal(await one(store, post(w1)))).toBe('stored');
    expect(refusal(await one(store, post(w0, { commit: 1, next: stranger })))).toBe('not-a-writer');
    expect(refusal(await one(store, post(w1, { commit: 1, next: w2 })))).toBe('stored');
    // Two Commits on, the first key is nobody's any more.
    expect(refusal(await one(store, post(w0)))).toBe('not-a-writer');
    expect(refusal(await one(store, post(w1)))).toBe('stored');
  });

  it('answers a Commit that lost the race for its epoch with a conflict, whoever signed it', async () => {
    await one(store, post(w0, { commit: 0, next: w1 }));
    expect(refusal(await one(store, post(w0, { commit: 0, next: stranger })))).toBe(
      'commit-conflict',
    );
    expect(refusal(await one(store, post(stranger, { commit: 0, next: stranger })))).toBe(
      'commit-conflict',
    );
  });

  it('keeps a topic’s keys after retention removed all its envelopes', async () => {
    await one(store, post(w0, { commit: 0, next: w1 }));
    await store.sweep({ now: 10_000, maxAgeMs: 1000, maxBytesPerTopic: NO_LIMIT });
    expect(await store.listEnvelopes(topic, 0, 10)).toEqual([]);
    expect(refusal(await one(store, post(stranger, { commit: 1, next: stranger })))).toBe(
      'not-a-writer',
    );
    expect(refusal(await one(store, post(w1, { commit: 1, next: w2 }), NO_LIMIT, 10_000))).toBe(
      'stored',
    );
  });
});

describe('proven cursors', () => {
  it('takes acknowledgements only with the current key', async () => {
    await one(store, post(w0, { commit: 0, next: w1 }));
    expect(await store.acknowledge(topic, name('r'), 1, w0, 1000)).toBe('not-a-writer');
    expect(await store.acknowledge(topic, name('r'), 1, stranger, 1000)).toBe('not-a-writer');
    expect(await store.acknowledgedSeq(topic, name('r'))).toBeUndefined();
    expect(await store.acknowledge(topic, name('r'), 1, w1, 1000)).toBe('ok');
    expect(await store.acknowledgedSeq(topic, name('r'))).toBe(1);
  });

  it('stops holding eviction back once its key epoch is two Commits old', async () => {
    await one(store, post(w0, { size: 40 }));
    await store.acknowledge(topic, name('behind'), 0, w0, 1000);
    await one(store, post(w0, { commit: 0, next: w1, size: 40 }));
    await store.acknowledge(topic, name('member'), 2, w1, 1000);
    // One Commit behind, the reader at seq 0 still counts: nothing can go.
    expect(refusal(await one(store, post(w1, { size: 40 }), 100))).toBe('topic-full');
    await one(store, post(w1, { commit: 1, next: w2, size: 10 }), 1000);
    await store.acknowledge(topic, name('member'), 3, w2, 1000);
    // Two Commits behind it counts no more: seq 1, acknowledged by the member, makes room.
    expect(refusal(await one(store, post(w2, { size: 40 }), 100))).toBe('stored');
    expect((await store.listEnvelopes(topic, 0, 10)).map((stored) => stored.seq)).toEqual([
      2, 3, 4,
    ]);
  });

  it('removes cursors idle longer than the retention age', async () => {
    await one(store, post(w0));
    await store.acknowledge(topic, name('idle'), 1, w0, 1000);
    await store.acknowledge(topic, name('busy'), 1, w0, 9000);
    await store.sweep({ now: 10_000, maxAgeMs: 5000, maxBytesPerTopic: NO_LIMIT });
    expect(await store.acknowledgedSeq(topic, name('idle'))).toBeUndefined();
    expect(await store.acknowledgedSeq(topic, name('busy'))).toBe(1);
  });
});

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
    const first = openSqliteStore(path);
    await first.appendEnvelopes([post(w0), post(w0)], 1000, NO_LIMIT);
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

    const reopened = openSqliteStore(path);
    try {
      expect((await reopened.listEnvelopes(topic, 0, 10)).map((stored) => stored.seq)).toEqual([
        1, 2,
      ]);
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
