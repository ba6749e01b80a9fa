/**
 * The store at rest: file modes of the SQLite store, and the sealed layer over both backends —
 * no plaintext in the bytes, rows that cannot be swapped, a wrong key refused, and older
 * plaintext stores sealed in place on first open without losing anything.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { openIndexedDbClientStore } from '../src/browser/index.js';
import { openSqliteClientStore } from '../src/node/index.js';
import {
  messageText,
  isClientError,
  openSealedStore,
  type ClientStore,
  type StoredMessage,
} from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const KEY = new Uint8Array(32).fill(1);
const OTHER_KEY = new Uint8Array(32).fill(2);
const random = (length: number) => globalThis.crypto.getRandomValues(new Uint8Array(length));
const seal = (inner: ClientStore, key = KEY) => openSealedStore(inner, { key, random });

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-at-rest-'));
  dirs.push(dir);
  return dir;
}

const mode = (path: string) => statSync(path).mode & 0o777;

function message(chatId: string, text: string, cid?: string): Omit<StoredMessage, 'id'> {
  return {
    chatId,
    author: 'bciqauthorofthemessage',
    hash: cid === undefined ? undefined : `hash-of-${cid}`,
    content: { type: 'text', text },
    editedAt: undefined,
    reactions: {},
    applied: [],
    sentAt: 1_700_000_000_000,
    own: false,
    status: 'received',
    cid,
    seq: cid === undefined ? undefined : 1,
  };
}

interface RawBackend {
  readonly name: string;
  /** Opens the same unsealed store each time it is called within one test. */
  opener(): () => Promise<ClientStore>;
}

const backends: RawBackend[] = [
  {
    name: 'SQLite',
    opener: () => {
      const path = join(tempDir(), 'client.db');
      return () => Promise.resolve(openSqliteClientStore(path));
    },
  },
  {
    name: 'IndexedDB',
    opener: () => {
      const factory = new IDBFactory();
      return () => openIndexedDbClientStore('parley-at-rest', { indexedDB: factory, IDBKeyRange });
    },
  },
];

describe('SQLite store file modes', () => {
  it('creates the store and its -wal 0600 under umask 022, and tightens a 0644 file left before', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const previous = process.umask(0o022);
    try {
      const path = join(dir, 'client.db');
      const store = openSqliteClientStore(path);
      await store.put('device', new Uint8Array([1, 2, 3]));
      expect(existsSync(`${path}-wal`)).toBe(true);
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}-wal`)).toBe(0o600);
      expect(mode(`${path}-shm`)).toBe(0o600);
      await store.close();

      const old = join(dir, 'old.db');
      writeFileSync(old, '', { mode: 0o644 });
      chmodSync(old, 0o644);
      const reopened = openSqliteClientStore(old);
      await reopened.put('x', new Uint8Array([1]));
      expect(mode(old)).toBe(0o600);
      expect(mode(`${old}-wal`)).toBe(0o600);
      await reopened.close();
    } finally {
      process.umask(previous);
    }
  });
});

describe('sealed SQLite store bytes', () => {
  it('holds none of the secrets or message texts written through it', async () => {
    const dir = join(tempDir(), 'sub');
    mkdirSync(dir);
    const path = join(dir, 'client.db');
    const secrets = [random(32), random(32), random(64)];
    const text = 'meet me at the north gate at nine';
    const store = await seal(openSqliteClientStore(path));
    await store.put('device', secrets[0] ?? new Uint8Array());
    await store.put('kp/abc', secrets[1] ?? new Uint8Array());
    await store.put('chat/xyz', secrets[2] ?? new Uint8Array());
    await store.addMessage(message('xyz', text));
    const bytes = Buffer.concat([readFileSync(path), readFileSync(`${path}-wal`)]);
    for (const secret of secrets) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(bytes.includes(Buffer.from('north gate'))).toBe(false);
    expect(bytes.includes(Buffer.from('bciqauthorofthemessage'))).toBe(false);
    // Still readable through the sealed layer.
    expect(await store.get('kp/abc')).toEqual(secrets[1]);
    const [read] = await store.messages('xyz', { limit: 1 });
    expect(read && messageText(read)).toBe(text);
    await store.close();
  });
});

describe.each(backends)('sealed store over $name', (backend) => {
  it('detects two sealed values swapped between rows', async () => {
    const open = backend.opener();
    const store = await seal(await open());
    await store.put('kp/one', new Uint8Array([1]));
    await store.put('kp/two', new Uint8Array([2]));
    await store.addMessage(message('chat', 'first'));
    await store.addMessage(message('chat', 'second'));
    await store.close();

    const raw = await open();
    const one = await raw.get('kp/one');
    const two = await raw.get('kp/two');
    if (one === undefined || two === undefined) throw new Error('rows missing');
    await raw.put('kp/one', two);
    await raw.put('kp/two', one);
    const [first, second] = await raw.messages('chat', { limit: 2 });
    if (first === undefined || second === undefined) throw new Error('messages missing');
    await raw.rewriteMessage('chat', 1, second.author, second);
    await raw.rewriteMessage('chat', 2, first.author, first);
    const reopened = await seal(raw);
    await expect(reopened.get('kp/one')).rejects.toSatisfy((e) =>
      isClientError(e, 'CLIENT_STORE_DAMAGED'),
    );
    await expect(reopened.messages('chat', { limit: 2 })).rejects.toSatisfy((e) =>
      isClientError(e, 'CLIENT_STORE_DAMAGED'),
    );
    await reopened.close();
  });

  it('refuses a wrong key with CLIENT_STORE_KEY_WRONG and leaves the store as it was', async () => {
    const open = backend.opener();
    const store = await seal(await open());
    await store.put('device', new Uint8Array([9, 9]));
    await store.close();
    const raw = await open();
    await expect(seal(raw, OTHER_KEY)).rejects.toSatisfy((e) =>
      isClientError(e, 'CLIENT_STORE_KEY_WRONG'),
    );
    const again = await seal(raw);
    expect(await again.get('device')).toEqual(new Uint8Array([9, 9]));
    await again.close();
  });

  it('seals the plaintext rows of an older store on first open, losing nothing', async () => {
    const open = backend.opener();
    const old = await open();
    const seed = random(32);
    await old.put('device', seed);
    await old.put('web/key-file', new Uint8Array([5, 5]));
    await old.addMessage(message('chat-a', 'an old plaintext line', 'cid-1'));
    await old.addMessage(message('chat-b', 'another one'));
    await old.markFailed('chat-b', 1);

    const store = await openSealedStore(old, { key: KEY, random, plainKeys: ['web/key-file'] });
    // The rows underneath are sealed now; the plain key stays as it was.
    expect(await old.get('device')).not.toEqual(seed);
    expect(await old.get('web/key-file')).toEqual(new Uint8Array([5, 5]));
    const [rawLine] = await old.messages('chat-a', { limit: 1 });
    expect(rawLine && messageText(rawLine)).not.toContain('plaintext');
    expect(rawLine?.author).toBe('');
    await store.close();

    const reopened = await seal(await open());
    expect(await reopened.get('device')).toEqual(seed);
    expect(await reopened.keys('')).toEqual(['device', 'web/key-file']);
    expect(await reopened.messages('chat-a', { limit: 5 })).toEqual([
      { ...message('chat-a', 'an old plaintext line', 'cid-1'), id: 1 },
    ]);
    expect(await reopened.messages('chat-b', { limit: 5 })).toEqual([
      { ...message('chat-b', 'another one'), id: 1, status: 'failed' },
    ]);
    expect((await reopened.messageByHash('chat-a', 'hash-of-cid-1'))?.id).toBe(1);
    await reopened.close();
  });
});
