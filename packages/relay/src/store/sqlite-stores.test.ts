/**
 * The SQLite stores: every store contract, health, and what a database file keeps across reopening,
 * migrations and schema versions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeCanonical } from '@parley/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRelayError } from '../errors.js';
import { describeDirectoryStoreContract } from './contract/directory-store-contract.js';
import { describeLogStoreContract } from './contract/log-store-contract.js';
import { describeSessionStoreContract } from './contract/session-store-contract.js';
import {
  NO_LIMIT,
  deviceKey,
  entry,
  item,
  keyPackage,
  labelCid,
  reader,
  receipt,
  seqsOf,
  topicA,
  topicB,
} from './contract/store-fixtures.js';
import { describeTopicStoreContract } from './contract/topic-store-contract.js';
import { describeWriteKeyContract } from './contract/write-key-contract.js';
import { openSqliteStores } from './sqlite-stores.js';

const inMemory = () => openSqliteStores(':memory:');
describeTopicStoreContract('SQLite topic store', inMemory);
describeWriteKeyContract('SQLite write keys and cursors', inMemory);
describeSessionStoreContract('SQLite session and membership stores', inMemory);
describeDirectoryStoreContract('SQLite directory store', inMemory);
describeLogStoreContract('SQLite log store', inMemory);

const decoder = new TextDecoder();

describe('health', () => {
  it('answers healthy while open and unhealthy once closed', async () => {
    const other = openSqliteStores(':memory:');
    expect(await other.isHealthy()).toBe(true);
    expect(await other.sizeBytes()).toBe(0);
    await other.close();
    expect(await other.isHealthy()).toBe(false);
  });
});

describe('a store in a file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-store-'));
    path = join(dir, 'relay.db');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps everything it committed when reopened', async () => {
    const first = openSqliteStores(path);
    const session = sha256(new TextEncoder().encode('token'));
    const invite = sha256(new TextEncoder().encode('invite'));
    const spare = sha256(new TextEncoder().encode('spare'));
    await first.topics.appendEnvelopes(
      [item(topicA, 'a1'), item(topicA, 'a2'), item(topicB, 'b1')],
      1000,
      NO_LIMIT,
    );
    await first.topics.acknowledge(topicA, reader('alice'), 2, undefined, 1000);
    await first.sessions.putSession(session, { account: 'alice', expiresAt: 9000 });
    await first.membership.addInvites([invite, spare], 1000);
    await first.membership.redeemInvite(invite, 'alice', 1000);
    await first.directory.putDirectoryEntry(
      'alice',
      entry(1000),
      [keyPackage('1'), keyPackage('2')],
      256,
      1000,
    );
    await first.directory.claimKeyPackage('alice', 2000);
    expect(await first.sizeBytes()).toBeGreaterThan(0);
    await first.close();

    const reopened = openSqliteStores(path);
    try {
      expect(await seqsOf(reopened.topics, topicA)).toEqual([1, 2]);
      expect(await reopened.topics.lastSeq(topicB)).toBe(1);
      const [again] = await reopened.topics.appendEnvelopes([item(topicA, 'a1')], 3000, NO_LIMIT);
      expect(receipt(again)).toMatchObject({ seq: 1, receivedAt: 1000, duplicate: true });
      const [next] = await reopened.topics.appendEnvelopes([item(topicA, 'a3')], 3000, NO_LIMIT);
      expect(receipt(next).seq).toBe(3);
      expect(await reopened.topics.acknowledgedSeq(topicA, reader('alice'))).toBe(2);
      expect(await reopened.sessions.getSession(session)).toEqual({
        account: 'alice',
        expiresAt: 9000,
      });
      expect(await reopened.membership.isMember('alice')).toBe(true);
      expect(await reopened.membership.redeemInvite(invite, 'bob', 3000)).toBe(false);
      expect(await reopened.membership.redeemInvite(spare, 'bob', 3000)).toBe(true);
      expect(await reopened.directory.getDirectoryEntry('alice')).toMatchObject({
        cid: labelCid('entry 1000'),
        availableKeyPackages: 1,
      });
      expect(await reopened.directory.claimKeyPackage('alice', 3000)).toMatchObject({
        lastResort: false,
      });
      expect(await reopened.directory.claimKeyPackage('alice', 3000)).toMatchObject({
        lastResort: true,
      });
    } finally {
      await reopened.close();
    }
  });

  it('keeps packages stored before devices were recorded until an entry drops a device', async () => {
    const [phone, laptop] = [deviceKey(1), deviceKey(2)];
    const real = (updatedAt: number, devices: Uint8Array[]) => {
      const bytes = encodeCanonical({ devices: devices.map((key) => ({ deviceKey: key })) });
      return { ...entry(updatedAt, 'lr', devices), bytes };
    };
    const before = openSqliteStores(path);
    await before.directory.putDirectoryEntry(
      'alice',
      real(1000, [phone, laptop]),
      [keyPackage('1', phone), keyPackage('2', laptop)],
      256,
      1000,
    );
    await before.close();
    // Schema 3 had no device column: make the file look like one written then.
    const raw = new Database(path);
    raw.exec('DROP INDEX key_packages_by_device; ALTER TABLE key_packages DROP COLUMN device');
    raw.prepare("UPDATE meta SET value = '3' WHERE key = 'schema'").run();
    raw.close();
    const migrated = openSqliteStores(path);
    try {
      await migrated.directory.putDirectoryEntry(
        'alice',
        real(2000, [phone, laptop]),
        [],
        256,
        2000,
      );
      expect((await migrated.directory.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(2);
      await migrated.directory.putDirectoryEntry(
        'alice',
        real(3000, [phone]),
        [keyPackage('3', phone)],
        256,
        3000,
      );
      expect((await migrated.directory.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(1);
      const claimed = await migrated.directory.claimKeyPackage('alice', 4000);
      if ('missing' in claimed) throw new Error('expected a KeyPackage');
      expect(decoder.decode(claimed.keyPackage)).toBe('key-package 3');
    } finally {
      await migrated.close();
    }
  });

  it('refuses a data directory written by a newer schema version', async () => {
    await openSqliteStores(path).close();
    const raw = new Database(path);
    raw.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
    raw.close();
    let error: unknown;
    try {
      openSqliteStores(path);
    } catch (caught) {
      error = caught;
    }
    if (!isRelayError(error, 'RELAY_STORE_FAILED')) throw new Error('expected RELAY_STORE_FAILED');
    expect(error.message).toContain(path);
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toContain('schema 99');
  });

  it('opens a data directory of the current schema version again', async () => {
    await openSqliteStores(path).close();
    const raw = new Database(path);
    expect(raw.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe('4');
    raw.close();
    const reopened = openSqliteStores(path);
    expect(await reopened.isHealthy()).toBe(true);
    await reopened.close();
  });

  it('refuses a file that is not a database', () => {
    writeFileSync(path, 'this is not a SQLite database, just some text that is long enough\n');
    expect(() => openSqliteStores(path)).toThrow(
      expect.objectContaining({ code: 'RELAY_STORE_FAILED' }),
    );
  });
});
