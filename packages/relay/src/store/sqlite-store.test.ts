/** The SQLite store: envelopes and their seqs, retention, sessions, invites, directory, reopening. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { cidForBytes, encodeCanonical } from '@parley/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRelayError } from '../errors.js';
import { openSqliteStore } from './sqlite-store.js';
import type { AppendOutcome, EnvelopeToAppend, RelayStore, StoredReceipt } from './store.js';

const NO_LIMIT = 2 ** 40;
const topicA = new Uint8Array(32).fill(0xa);
const topicB = new Uint8Array(32).fill(0xb);

/** A real CID (the log hashes its binary form) named by `label`. */
function labelCid(label: string): string {
  return cidForBytes(new TextEncoder().encode(label)).toString();
}

/**
 * An envelope to append: the store does not decode bytes, so they are made up; the CID is a real
 * one (of the label) because the log needs its binary form.
 */
function item(topic: Uint8Array, label: string, size = 10): EnvelopeToAppend {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(label).subarray(0, size));
  return { topic, cid: labelCid(`${topic[0] ?? 0}-${label}`), bytes };
}

function receipt(outcome: AppendOutcome | undefined): StoredReceipt {
  if (outcome === undefined || 'refused' in outcome) {
    throw new Error(`expected a receipt, got ${JSON.stringify(outcome)}`);
  }
  return outcome;
}

async function seqsOf(store: RelayStore, topic: Uint8Array): Promise<number[]> {
  return (await store.listEnvelopes(topic, 0, 10_000)).map((stored) => stored.seq);
}

/** A device key (32 bytes) named by a small number. */
function deviceKey(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

function keyPackage(label: string, device = deviceKey(1)) {
  const bytes = new TextEncoder().encode(`key-package ${label}`);
  return { hash: sha256(bytes), bytes, device };
}

function entry(updatedAt: number, lastResort = 'last-resort', devices = [deviceKey(1)]) {
  return {
    bytes: new TextEncoder().encode(`entry at ${updatedAt}`),
    cid: labelCid(`entry ${updatedAt}`),
    updatedAt,
    lastResort: new TextEncoder().encode(lastResort),
    devices,
  };
}

const decoder = new TextDecoder();

/** A reader pseudonym named by `name`. */
function reader(name: string): Uint8Array {
  return sha256(new TextEncoder().encode(`reader ${name}`));
}

let store: RelayStore;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

describe('appendEnvelopes', () => {
  it('numbers each topic’s envelopes 1, 2, 3, … without gaps, per topic', async () => {
    const first = await store.appendEnvelopes(
      [item(topicA, 'a1'), item(topicB, 'b1'), item(topicA, 'a2'), item(topicA, 'a3')],
      1000,
      NO_LIMIT,
    );
    expect(first.map((outcome) => receipt(outcome).seq)).toEqual([1, 1, 2, 3]);
    const second = await store.appendEnvelopes(
      [item(topicB, 'b2'), item(topicA, 'a4')],
      2000,
      NO_LIMIT,
    );
    expect(second.map((outcome) => receipt(outcome).seq)).toEqual([2, 4]);
    expect(await seqsOf(store, topicA)).toEqual([1, 2, 3, 4]);
    expect(await seqsOf(store, topicB)).toEqual([1, 2]);
    expect(await store.lastSeq(topicA)).toBe(4);
    expect(await store.lastSeq(new Uint8Array(32))).toBe(0);
  });

  it('returns receipts with the CID, topic, time and duplicate: false', async () => {
    const [outcome] = await store.appendEnvelopes([item(topicA, 'a1')], 1234, NO_LIMIT);
    expect(receipt(outcome)).toEqual({
      cid: labelCid('10-a1'),
      topic: topicA,
      seq: 1,
      receivedAt: 1234,
      leafIndex: 0,
      duplicate: false,
    });
  });

  it('answers a duplicate CID with the first receipt, marked duplicate, and stores it once', async () => {
    const [first] = await store.appendEnvelopes([item(topicA, 'a1')], 1000, NO_LIMIT);
    const [again] = await store.appendEnvelopes([item(topicA, 'a1')], 5000, NO_LIMIT);
    expect(receipt(again)).toEqual({ ...receipt(first), duplicate: true });
    expect(await seqsOf(store, topicA)).toEqual([1]);
    expect(await store.lastSeq(topicA)).toBe(1);
    // The next new envelope is not pushed back by the duplicate.
    const [next] = await store.appendEnvelopes([item(topicA, 'a2')], 6000, NO_LIMIT);
    expect(receipt(next).seq).toBe(2);
  });

  it('recognizes a duplicate within one batch', async () => {
    const outcomes = await store.appendEnvelopes(
      [item(topicA, 'a1'), item(topicA, 'a1')],
      1000,
      NO_LIMIT,
    );
    expect(outcomes.map((outcome) => receipt(outcome).seq)).toEqual([1, 1]);
    expect(outcomes.map((outcome) => receipt(outcome).duplicate)).toEqual([false, true]);
    expect(await seqsOf(store, topicA)).toEqual([1]);
  });
});

describe('listEnvelopes', () => {
  it('pages through a topic in seq order after a given seq', async () => {
    const items = Array.from({ length: 7 }, (_, index) => item(topicA, `a${index + 1}`));
    await store.appendEnvelopes(items, 1000, NO_LIMIT);
    await store.appendEnvelopes([item(topicB, 'b1')], 1000, NO_LIMIT);
    const page = async (after: number) =>
      (await store.listEnvelopes(topicA, after, 3)).map((stored) => stored.seq);
    expect(await page(0)).toEqual([1, 2, 3]);
    expect(await page(3)).toEqual([4, 5, 6]);
    expect(await page(6)).toEqual([7]);
    expect(await page(7)).toEqual([]);
    expect(await page(100)).toEqual([]);
  });

  it('gives back the bytes, CID and time that were stored', async () => {
    const stored = item(topicA, 'hello', 64);
    await store.appendEnvelopes([stored], 4242, NO_LIMIT);
    const [read] = await store.listEnvelopes(topicA, 0, 10);
    expect(read).toEqual({
      seq: 1,
      cid: stored.cid,
      bytes: stored.bytes,
      receivedAt: 4242,
      leafIndex: 0,
    });
  });
});

describe('cursors', () => {
  it('keeps each reader’s acknowledged seq per topic, and never moves it back', async () => {
    await store.appendEnvelopes(
      ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'].map((cid) => item(topicA, cid)),
      1000,
      NO_LIMIT,
    );
    expect(await store.acknowledgedSeq(topicA, reader('alice'))).toBeUndefined();
    await store.acknowledge(topicA, reader('alice'), 0, undefined, 1000);
    expect(await store.acknowledgedSeq(topicA, reader('alice'))).toBe(0);
    await store.acknowledge(topicA, reader('alice'), 5, undefined, 1000);
    expect(await store.acknowledgedSeq(topicA, reader('alice'))).toBe(5);
    await store.acknowledge(topicA, reader('alice'), 3, undefined, 1000);
    expect(await store.acknowledgedSeq(topicA, reader('alice'))).toBe(5);
    await store.acknowledge(topicA, reader('alice'), 7, undefined, 1000);
    expect(await store.acknowledgedSeq(topicA, reader('alice'))).toBe(7);
    expect(await store.acknowledgedSeq(topicB, reader('alice'))).toBeUndefined();
    expect(await store.acknowledgedSeq(topicA, reader('bob'))).toBeUndefined();
  });

  it('makes a cursor from the first acknowledgement', async () => {
    await store.appendEnvelopes([item(topicA, 'a1'), item(topicA, 'a2')], 1000, NO_LIMIT);
    await store.acknowledge(topicA, reader('bob'), 2, undefined, 1000);
    expect(await store.acknowledgedSeq(topicA, reader('bob'))).toBe(2);
  });

  it('never records an acknowledgement past the topic’s last seq', async () => {
    await store.acknowledge(topicA, reader('carol'), 1000, undefined, 1000);
    expect(await store.acknowledgedSeq(topicA, reader('carol'))).toBe(0);
    await store.appendEnvelopes([item(topicA, 'a1'), item(topicA, 'a2')], 1000, NO_LIMIT);
    await store.acknowledge(topicA, reader('carol'), 1000, undefined, 1000);
    expect(await store.acknowledgedSeq(topicA, reader('carol'))).toBe(2);
  });
});

describe('retention', () => {
  it('sweeps envelopes older than maxAgeMs, acknowledged or not, and keeps younger ones', async () => {
    await store.acknowledge(topicA, reader('alice'), 0, undefined, 1000);
    await store.appendEnvelopes([item(topicA, 'a1'), item(topicB, 'b1')], 1000, NO_LIMIT);
    await store.appendEnvelopes([item(topicA, 'a2')], 4000, NO_LIMIT);
    await store.appendEnvelopes([item(topicA, 'a3')], 5000, NO_LIMIT);
    // Older than 2000 ms at 6000 means received before 4000.
    const removed = await store.sweep({ now: 6000, maxAgeMs: 2000, maxBytesPerTopic: NO_LIMIT });
    expect(removed).toBe(2);
    expect(await seqsOf(store, topicA)).toEqual([2, 3]);
    expect(await seqsOf(store, topicB)).toEqual([]);
    // Seqs are never reused after a sweep.
    expect(await store.lastSeq(topicB)).toBe(1);
    const [next] = await store.appendEnvelopes([item(topicB, 'b2')], 6000, NO_LIMIT);
    expect(receipt(next).seq).toBe(2);
  });

  it('frees a swept envelope’s bytes for the topic’s byte limit', async () => {
    await store.appendEnvelopes([item(topicA, 'a1', 60)], 1000, 100);
    const [full] = await store.appendEnvelopes([item(topicA, 'a2', 60)], 2000, 100);
    expect(full).toEqual({ refused: 'topic-full' });
    await store.sweep({ now: 10_000, maxAgeMs: 5000, maxBytesPerTopic: 100 });
    const [fits] = await store.appendEnvelopes([item(topicA, 'a2', 60)], 10_000, 100);
    expect(receipt(fits).seq).toBe(2);
  });

  it('evicts on append only what every cursor acknowledged (the lowest cursor)', async () => {
    await store.appendEnvelopes(
      [item(topicA, 'a1', 30), item(topicA, 'a2', 30), item(topicA, 'a3', 30)],
      1000,
      100,
    );
    await store.acknowledge(topicA, reader('alice'), 3, undefined, 1000);
    await store.acknowledge(topicA, reader('bob'), 1, undefined, 1000);
    // 90 + 30 > 100: seq 1, acknowledged by both, makes room.
    const [fourth] = await store.appendEnvelopes([item(topicA, 'a4', 30)], 2000, 100);
    expect(receipt(fourth).seq).toBe(4);
    expect(await seqsOf(store, topicA)).toEqual([2, 3, 4]);
    // Seq 2 is acknowledged by alice only: nothing can go, so the topic is full.
    const [fifth] = await store.appendEnvelopes([item(topicA, 'a5', 30)], 3000, 100);
    expect(fifth).toEqual({ refused: 'topic-full' });
    expect(await seqsOf(store, topicA)).toEqual([2, 3, 4]);
    // Once bob catches up, the refused envelope fits and gets the next seq: no gap.
    await store.acknowledge(topicA, reader('bob'), 2, undefined, 1000);
    const [retry] = await store.appendEnvelopes([item(topicA, 'a5', 30)], 4000, 100);
    expect(receipt(retry).seq).toBe(5);
    expect(await seqsOf(store, topicA)).toEqual([3, 4, 5]);
  });

  it('evicts nothing a reader who acknowledged only seq 0 still needs', async () => {
    await store.appendEnvelopes([item(topicA, 'a1', 60)], 1000, 100);
    await store.acknowledge(topicA, reader('alice'), 1, undefined, 1000);
    await store.acknowledge(topicA, reader('bob'), 0, undefined, 1000);
    const [second] = await store.appendEnvelopes([item(topicA, 'a2', 60)], 2000, 100);
    expect(second).toEqual({ refused: 'topic-full' });
    expect(await seqsOf(store, topicA)).toEqual([1]);
  });

  it('refuses with topic-full when the topic has no cursor to have acknowledged anything', async () => {
    await store.appendEnvelopes([item(topicA, 'a1', 60)], 1000, 100);
    const outcomes = await store.appendEnvelopes(
      [item(topicA, 'a2', 60), item(topicB, 'b1', 60)],
      2000,
      100,
    );
    // One topic being full does not affect the other envelopes of the batch.
    expect(outcomes[0]).toEqual({ refused: 'topic-full' });
    expect(receipt(outcomes[1]).seq).toBe(1);
    expect(await store.lastSeq(topicA)).toBe(1);
  });

  it('evicts acknowledged overflow on sweep when the byte limit is lowered', async () => {
    await store.appendEnvelopes(
      [item(topicA, 'a1', 30), item(topicA, 'a2', 30), item(topicA, 'a3', 30)],
      1000,
      NO_LIMIT,
    );
    await store.acknowledge(topicA, reader('alice'), 3, undefined, 1000);
    await store.sweep({ now: 2000, maxAgeMs: 1_000_000, maxBytesPerTopic: 40 });
    // Oldest first, only until the topic fits.
    expect(await seqsOf(store, topicA)).toEqual([3]);
  });

  it('keeps unacknowledged overflow on sweep', async () => {
    await store.appendEnvelopes([item(topicA, 'a1', 30), item(topicA, 'a2', 30)], 1000, NO_LIMIT);
    await store.acknowledge(topicA, reader('alice'), 1, undefined, 1000);
    await store.acknowledge(topicA, reader('bob'), 0, undefined, 1000);
    expect(await store.sweep({ now: 2000, maxAgeMs: 1_000_000, maxBytesPerTopic: 10 })).toBe(0);
    expect(await seqsOf(store, topicA)).toEqual([1, 2]);
  });
});

describe('sessions', () => {
  it('stores a session under its token hash and deletes expired ones', async () => {
    const live = sha256(new TextEncoder().encode('live'));
    const expired = sha256(new TextEncoder().encode('expired'));
    await store.putSession(live, { account: 'alice', expiresAt: 2000 });
    await store.putSession(expired, { account: 'bob', expiresAt: 1000 });
    expect(await store.getSession(live)).toEqual({ account: 'alice', expiresAt: 2000 });
    expect(await store.getSession(new Uint8Array(32))).toBeUndefined();
    // A session expiring exactly now is expired.
    await store.deleteExpiredSessions(1000);
    expect(await store.getSession(expired)).toBeUndefined();
    expect(await store.getSession(live)).toEqual({ account: 'alice', expiresAt: 2000 });
  });
});

describe('invites and members', () => {
  it('redeems an invite once, admitting the account that redeemed it', async () => {
    const code = sha256(new TextEncoder().encode('code'));
    const other = sha256(new TextEncoder().encode('other'));
    await store.addInvites([code, other], 1000);
    expect(await store.isMember('alice')).toBe(false);
    expect(await store.redeemInvite(code, 'alice', 2000)).toBe(true);
    expect(await store.isMember('alice')).toBe(true);
    expect(await store.redeemInvite(code, 'bob', 3000)).toBe(false);
    expect(await store.isMember('bob')).toBe(false);
    // Adding a used code again does not make it usable again.
    await store.addInvites([code], 4000);
    expect(await store.redeemInvite(code, 'bob', 5000)).toBe(false);
    expect(await store.redeemInvite(new Uint8Array(32), 'bob', 5000)).toBe(false);
    expect(await store.redeemInvite(other, 'bob', 6000)).toBe(true);
    expect(await store.isMember('bob')).toBe(true);
  });
});

describe('directory', () => {
  it('stores an entry with its one-time KeyPackages and reads it back', async () => {
    expect(await store.getDirectoryEntry('alice')).toBeUndefined();
    const first = entry(1000);
    expect(
      await store.putDirectoryEntry('alice', first, [keyPackage('1'), keyPackage('2')], 256, 5000),
    ).toBe('stored');
    expect(await store.getDirectoryEntry('alice')).toEqual({
      entry: first.bytes,
      cid: first.cid,
      updatedAt: 1000,
      availableKeyPackages: 2,
      leafIndex: 0,
    });
  });

  it('drops the unclaimed packages of a device the newer entry no longer lists', async () => {
    const [old, kept, added] = [deviceKey(1), deviceKey(2), deviceKey(3)];
    await store.putDirectoryEntry(
      'alice',
      entry(1000, 'lr', [old, kept]),
      [keyPackage('old 1', old), keyPackage('old 2', old), keyPackage('kept', kept)],
      256,
      5000,
    );
    expect((await store.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(3);
    expect(
      await store.putDirectoryEntry(
        'alice',
        entry(2000, 'lr', [kept, added]),
        [keyPackage('added', added)],
        256,
        6000,
      ),
    ).toBe('stored');
    expect((await store.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(2);
    const handedOut = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await store.claimKeyPackage('alice', 7000 + i);
      if ('missing' in outcome) throw new Error('expected a KeyPackage');
      handedOut.push(decoder.decode(outcome.keyPackage));
    }
    expect(handedOut.sort()).toEqual(['key-package added', 'key-package kept', 'lr']);
  });

  it('counts only current devices against the pool limit, so a reinstall every time fits', async () => {
    for (let install = 1; install <= 20; install++) {
      const device = deviceKey(install);
      const packages = Array.from({ length: 21 }, (_, n) => keyPackage(`${install}/${n}`, device));
      expect(
        await store.putDirectoryEntry(
          'alice',
          entry(1000 * install, 'lr', [device]),
          packages,
          50,
          5000,
        ),
      ).toBe('stored');
    }
    expect((await store.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(21);
  });

  it('refuses a KeyPackage of a device the entry does not list, writing nothing', async () => {
    await expect(
      store.putDirectoryEntry('alice', entry(1000), [keyPackage('1', deviceKey(9))], 256, 5000),
    ).rejects.toThrow(RangeError);
    expect(await store.getDirectoryEntry('alice')).toBeUndefined();
    expect(await store.logSize()).toBe(0);
  });

  it('refuses an entry that is not newer than the stored one, adding none of its packages', async () => {
    await store.putDirectoryEntry('alice', entry(1000), [], 256, 5000);
    expect(await store.putDirectoryEntry('alice', entry(1000), [keyPackage('1')], 256, 5000)).toBe(
      'stale',
    );
    expect(await store.putDirectoryEntry('alice', entry(999), [keyPackage('1')], 256, 5000)).toBe(
      'stale',
    );
    expect(await store.getDirectoryEntry('alice')).toMatchObject({
      updatedAt: 1000,
      availableKeyPackages: 0,
    });
    expect(await store.putDirectoryEntry('alice', entry(1001), [], 256, 5000)).toBe('stored');
  });

  it('refuses more unclaimed packages than allowed, storing neither entry nor packages', async () => {
    await store.putDirectoryEntry(
      'alice',
      entry(1000),
      [keyPackage('1'), keyPackage('2')],
      3,
      5000,
    );
    expect(
      await store.putDirectoryEntry(
        'alice',
        entry(2000),
        [keyPackage('3'), keyPackage('4')],
        3,
        6000,
      ),
    ).toBe('too-many-key-packages');
    expect(await store.getDirectoryEntry('alice')).toMatchObject({
      updatedAt: 1000,
      availableKeyPackages: 2,
    });
    // Re-sending packages the relay already holds does not count them twice.
    expect(
      await store.putDirectoryEntry(
        'alice',
        entry(2000),
        [keyPackage('1'), keyPackage('2'), keyPackage('3')],
        3,
        6000,
      ),
    ).toBe('stored');
    expect((await store.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(3);
  });

  it('hands out each one-time package exactly once, then the last-resort package', async () => {
    expect(await store.claimKeyPackage('alice', 1000)).toEqual({ missing: true });
    await store.putDirectoryEntry(
      'alice',
      entry(1000, 'alice last resort'),
      [keyPackage('1'), keyPackage('2')],
      256,
      5000,
    );
    const claims = [];
    for (let i = 0; i < 4; i++) {
      const outcome = await store.claimKeyPackage('alice', 6000 + i);
      if ('missing' in outcome) throw new Error('expected a KeyPackage');
      claims.push({ text: decoder.decode(outcome.keyPackage), lastResort: outcome.lastResort });
    }
    expect(claims.slice(0, 2).map((claim) => claim.lastResort)).toEqual([false, false]);
    expect(
      claims
        .slice(0, 2)
        .map((claim) => claim.text)
        .sort(),
    ).toEqual(['key-package 1', 'key-package 2']);
    expect(claims.slice(2)).toEqual([
      { text: 'alice last resort', lastResort: true },
      { text: 'alice last resort', lastResort: true },
    ]);
    expect((await store.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(0);
    expect(await store.claimKeyPackage('bob', 7000)).toEqual({ missing: true });
  });

  it('never hands out again a claimed package that is uploaded again', async () => {
    await store.putDirectoryEntry('alice', entry(1000), [keyPackage('1')], 256, 5000);
    const claimed = await store.claimKeyPackage('alice', 6000);
    expect(claimed).toMatchObject({ lastResort: false });
    expect(
      await store.putDirectoryEntry(
        'alice',
        entry(2000, 'new last resort'),
        [keyPackage('1'), keyPackage('2')],
        256,
        7000,
      ),
    ).toBe('stored');
    expect((await store.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(1);
    const next = await store.claimKeyPackage('alice', 8000);
    if ('missing' in next) throw new Error('expected a KeyPackage');
    expect(decoder.decode(next.keyPackage)).toBe('key-package 2');
    const last = await store.claimKeyPackage('alice', 9000);
    if ('missing' in last) throw new Error('expected a KeyPackage');
    expect({ text: decoder.decode(last.keyPackage), lastResort: last.lastResort }).toEqual({
      text: 'new last resort',
      lastResort: true,
    });
  });
});

describe('health', () => {
  it('answers healthy while open and unhealthy once closed', async () => {
    const other = openSqliteStore(':memory:');
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
    const first = openSqliteStore(path);
    const session = sha256(new TextEncoder().encode('token'));
    const invite = sha256(new TextEncoder().encode('invite'));
    const spare = sha256(new TextEncoder().encode('spare'));
    await first.appendEnvelopes(
      [item(topicA, 'a1'), item(topicA, 'a2'), item(topicB, 'b1')],
      1000,
      NO_LIMIT,
    );
    await first.acknowledge(topicA, reader('alice'), 2, undefined, 1000);
    await first.putSession(session, { account: 'alice', expiresAt: 9000 });
    await first.addInvites([invite, spare], 1000);
    await first.redeemInvite(invite, 'alice', 1000);
    await first.putDirectoryEntry(
      'alice',
      entry(1000),
      [keyPackage('1'), keyPackage('2')],
      256,
      1000,
    );
    await first.claimKeyPackage('alice', 2000);
    expect(await first.sizeBytes()).toBeGreaterThan(0);
    await first.close();

    const reopened = openSqliteStore(path);
    try {
      expect(await seqsOf(reopened, topicA)).toEqual([1, 2]);
      expect(await reopened.lastSeq(topicB)).toBe(1);
      const [again] = await reopened.appendEnvelopes([item(topicA, 'a1')], 3000, NO_LIMIT);
      expect(receipt(again)).toMatchObject({ seq: 1, receivedAt: 1000, duplicate: true });
      const [next] = await reopened.appendEnvelopes([item(topicA, 'a3')], 3000, NO_LIMIT);
      expect(receipt(next).seq).toBe(3);
      expect(await reopened.acknowledgedSeq(topicA, reader('alice'))).toBe(2);
      expect(await reopened.getSession(session)).toEqual({ account: 'alice', expiresAt: 9000 });
      expect(await reopened.isMember('alice')).toBe(true);
      expect(await reopened.redeemInvite(invite, 'bob', 3000)).toBe(false);
      expect(await reopened.redeemInvite(spare, 'bob', 3000)).toBe(true);
      expect(await reopened.getDirectoryEntry('alice')).toMatchObject({
        cid: labelCid('entry 1000'),
        availableKeyPackages: 1,
      });
      expect(await reopened.claimKeyPackage('alice', 3000)).toMatchObject({ lastResort: false });
      expect(await reopened.claimKeyPackage('alice', 3000)).toMatchObject({ lastResort: true });
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
    const before = openSqliteStore(path);
    await before.putDirectoryEntry(
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
    const migrated = openSqliteStore(path);
    try {
      await migrated.putDirectoryEntry('alice', real(2000, [phone, laptop]), [], 256, 2000);
      expect((await migrated.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(2);
      await migrated.putDirectoryEntry(
        'alice',
        real(3000, [phone]),
        [keyPackage('3', phone)],
        256,
        3000,
      );
      expect((await migrated.getDirectoryEntry('alice'))?.availableKeyPackages).toBe(1);
      const claimed = await migrated.claimKeyPackage('alice', 4000);
      if ('missing' in claimed) throw new Error('expected a KeyPackage');
      expect(decoder.decode(claimed.keyPackage)).toBe('key-package 3');
    } finally {
      await migrated.close();
    }
  });

  it('refuses a data directory written by a newer schema version', async () => {
    await openSqliteStore(path).close();
    const raw = new Database(path);
    raw.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
    raw.close();
    let error: unknown;
    try {
      openSqliteStore(path);
    } catch (caught) {
      error = caught;
    }
    if (!isRelayError(error, 'RELAY_STORE_FAILED')) throw new Error('expected RELAY_STORE_FAILED');
    expect(error.message).toContain(path);
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toContain('schema 99');
  });

  it('opens a data directory of the current schema version again', async () => {
    await openSqliteStore(path).close();
    const raw = new Database(path);
    expect(raw.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe('4');
    raw.close();
    const reopened = openSqliteStore(path);
    expect(await reopened.isHealthy()).toBe(true);
    await reopened.close();
  });

  it('refuses a file that is not a database', () => {
    writeFileSync(path, 'this is not a SQLite database, just some text that is long enough\n');
    expect(() => openSqliteStore(path)).toThrow(
      expect.objectContaining({ code: 'RELAY_STORE_FAILED' }),
    );
  });
});
