/**
 * Stores written by the version before content types (messages with a `text`, no entry hash,
 * no body) still read after the upgrade: every row as a text message, nothing lost, and the
 * upgraded store takes new messages beside them. One story per store format.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { toBase64Url, utf8, xchachaSeal } from '@parley/core';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { openIndexedDbClientStore } from '../src/browser/index.js';
import { openSqliteClientStore } from '../src/node/index.js';
import { openSealedStore, type StoredMessage } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const dbPath = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-upgrade-'));
  dirs.push(dir);
  return join(dir, 'client.db');
};
const KEY = new Uint8Array(32).fill(3);
const random = (length: number) => globalThis.crypto.getRandomValues(new Uint8Array(length));

/** The messages table exactly as the previous version created it. */
const OLD_SCHEMA = `
CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE messages (
  chat TEXT NOT NULL, id INTEGER NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL,
  sent_at INTEGER NOT NULL, own INTEGER NOT NULL, status TEXT NOT NULL, cid TEXT, seq INTEGER,
  PRIMARY KEY (chat, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX messages_by_cid ON messages (chat, cid) WHERE cid IS NOT NULL;
`;

/** What an old row reads as now: its text as text content, no hash, no actions. */
function asText(
  row: Pick<
    StoredMessage,
    'chatId' | 'id' | 'author' | 'sentAt' | 'own' | 'status' | 'cid' | 'seq'
  >,
  text: string,
): StoredMessage {
  return {
    ...row,
    hash: undefined,
    content: { type: 'text', text },
    editedAt: undefined,
    reactions: {},
    applied: [],
  };
}

/** A body sealed as the previous version sealed it: `parley-sealed-v1:` and [author, text]. */
function oldSealedText(chatId: string, id: number, author: string, text: string): string {
  const nonce = random(24);
  const aad = utf8(`parley/client-store/v1\u0000message\u0000${chatId}\u0000${id}`);
  const sealed = xchachaSeal(KEY, nonce, utf8(JSON.stringify([author, text])), aad);
  const value = new Uint8Array(1 + 24 + sealed.length);
  value[0] = 1;
  value.set(nonce, 1);
  value.set(sealed, 25);
  return `parley-sealed-v1:${toBase64Url(value)}`;
}

describe('a store written before content types', () => {
  it('SQLite: reads every old row as text, then stores new ones beside them', async () => {
    const path = dbPath();
    const db = new Database(path);
    db.exec(OLD_SCHEMA);
    const insert = db.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run('chat-a', 1, 'bciqalice', 'hello from before', 1000, 0, 'received', 'cid-1', 4);
    insert.run('chat-a', 2, 'bciqbob', 'mine, queued', 2000, 1, 'queued', 'cid-2', null);
    db.prepare('INSERT INTO kv VALUES (?, ?)').run('device', Buffer.from([7, 7]));
    db.close();

    const store = openSqliteClientStore(path);
    const old = await store.messages('chat-a', { limit: 10 });
    expect(old).toEqual([
      asText(
        {
          chatId: 'chat-a',
          id: 1,
          author: 'bciqalice',
          sentAt: 1000,
          own: false,
          status: 'received',
          cid: 'cid-1',
          seq: 4,
        },
        'hello from before',
      ),
      asText(
        {
          chatId: 'chat-a',
          id: 2,
          author: 'bciqbob',
          sentAt: 2000,
          own: true,
          status: 'queued',
          cid: 'cid-2',
          seq: undefined,
        },
        'mine, queued',
      ),
    ]);
    expect(await store.get('device')).toEqual(new Uint8Array([7, 7]));
    const added = await store.addMessage({
      ...asText(
        {
          chatId: 'chat-a',
          id: 0,
          author: 'bciqalice',
          sentAt: 3000,
          own: false,
          status: 'received',
          cid: 'cid-3',
          seq: 5,
        },
        '',
      ),
      content: { type: 'reply', to: new Uint8Array(32).fill(1), text: 'new' },
      hash: 'ab'.repeat(32),
    });
    expect(added?.id).toBe(3);
    await store.close();

    const again = openSqliteClientStore(path);
    const read = await again.messages('chat-a', { limit: 10 });
    expect(read.slice(0, 2)).toEqual(old);
    expect(read[2]).toEqual({ ...added });
    expect(await again.messageByHash('chat-a', 'ab'.repeat(32))).toEqual(added);
    await again.close();
  });

  it('sealed SQLite: opens rows sealed by the previous version as text', async () => {
    const path = dbPath();
    await (await openSealedStore(openSqliteClientStore(path), { key: KEY, random })).close();
    const db = new Database(path);
    db.prepare(
      'INSERT INTO messages (chat, id, author, text, sent_at, own, status, cid, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      'chat-s',
      1,
      '',
      oldSealedText('chat-s', 1, 'bciqcarol', 'sealed long ago'),
      10,
      0,
      'received',
      'cid-s',
      1,
    );
    db.close();

    const store = await openSealedStore(openSqliteClientStore(path), { key: KEY, random });
    expect(await store.messages('chat-s', { limit: 5 })).toEqual([
      asText(
        {
          chatId: 'chat-s',
          id: 1,
          author: 'bciqcarol',
          sentAt: 10,
          own: false,
          status: 'received',
          cid: 'cid-s',
          seq: 1,
        },
        'sealed long ago',
      ),
    ]);
    await store.close();
  });

  it('IndexedDB: reads a JSON row with `text` as text content', async () => {
    const factory = new IDBFactory();
    const open = () =>
      openIndexedDbClientStore('parley-upgrade', { indexedDB: factory, IDBKeyRange });
    const raw = await open();
    const row = {
      chatId: 'chat-i',
      id: 1,
      author: 'bciqdave',
      text: 'from the old app',
      sentAt: 5,
      own: false,
      status: 'received',
      cid: 'cid-i',
      seq: 2,
    };
    await raw.put('m/chat-i/000000000001', utf8(JSON.stringify(row)));
    await raw.put('c/chat-i/cid-i', utf8('1'));
    await raw.put('n/chat-i', utf8('1'));
    await raw.close();

    const store = await open();
    const { text: _text, ...fields } = row;
    expect(await store.messages('chat-i', { limit: 5 })).toEqual([
      asText({ ...fields, status: 'received' }, 'from the old app'),
    ]);
    expect(
      await store.addMessage(asText({ ...fields, id: 0, status: 'received' }, 'dup')),
    ).toBeUndefined();
    expect(
      (
        await store.addMessage(
          asText({ ...fields, id: 0, status: 'received', cid: 'cid-j' }, 'next'),
        )
      )?.id,
    ).toBe(2);
    await store.close();
  });
});
