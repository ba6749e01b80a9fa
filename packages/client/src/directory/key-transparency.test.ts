/**
 * Key transparency on reads, against a fake relay API and a fake log: an entry is used only if
 * it verifies, is for the account, sits at its leaf, and is no older than one seen; and a device
 * notices entries of its own account that it did not publish. Contradictions become evidence.
 */
import { certifyDevice, createDirectoryEntry, type Identity } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { fakeClock, suite, testDevice, type TestDevice } from '../../test/support/unit-fixtures.js';
import {
  KeyTransparency,
  type ServedEntry,
  type StoredDirectoryEvidence,
} from './key-transparency.js';

/** What the fake relay serves for an account. */
interface Served {
  entry: Uint8Array;
  leafIndex: number;
  availableKeyPackages: number;
}

function setUp(self: TestDevice) {
  const served = new Map<string, Served>();
  const evidence: StoredDirectoryEvidence[] = [];
  let logged: boolean | 'pending' = true;
  const logChecks: [string, number][] = [];
  const store = openMemoryClientStore();
  const kt = new KeyTransparency({
    api: { getDirectory: (account) => Promise.resolve(served.get(account)) },
    store,
    suite,
    log: {
      checkDirectoryEntry: (cid, leafIndex) => {
        logChecks.push([cid, leafIndex]);
        return Promise.resolve(logged);
      },
    },
    clock: fakeClock(),
    accountId: self.account,
    deviceKey: self.device.publicKey,
    onEvidence: (found) => evidence.push(found),
  });
  return {
    kt,
    served,
    evidence,
    logChecks,
    setLogged: (value: boolean | 'pending') => {
      logged = value;
    },
  };
}

/** A signed entry of `identity` listing `devices`, written at `updatedAt`. */
async function entryOf(identity: Identity, devices: TestDevice[], updatedAt: number) {
  const certificates = await Promise.all(
    devices.map((d) =>
      certifyDevice(suite, identity, {
        deviceKey: d.device.publicKey,
        hpkeKey: d.device.hpkePublicKey,
        createdAt: 1,
      }),
    ),
  );
  const { bytes, cid } = await createDirectoryEntry(suite, identity, {
    devices: certificates,
    lastResort: new Uint8Array([1, 2, 3]),
    updatedAt,
  });
  return { bytes, cid: cid.toString(), updatedAt };
}

describe('KeyTransparency.lookup', () => {
  it('accepts a verified entry at its leaf and says how many KeyPackages are left', async () => {
    const alice = await testDevice('alice');
    const bob = await testDevice('bob');
    const t = setUp(alice);
    const entry = await entryOf(bob.identity, [bob], 10);
    t.served.set(bob.account, { entry: entry.bytes, leafIndex: 4, availableKeyPackages: 7 });
    const accepted = await t.kt.lookup(bob.account);
    expect(accepted?.availableKeyPackages).toBe(7);
    expect(accepted?.served).toEqual({
      entry: entry.bytes,
      cid: entry.cid,
      leafIndex: 4,
      updatedAt: 10,
    });
    expect(t.logChecks).toEqual([[entry.cid, 4]]);
  });

  it('answers undefined for an account the relay has no entry for', async () => {
    const alice = await testDevice('alice');
    expect(await setUp(alice).kt.lookup('nobody')).toBeUndefined();
  });

  it('refuses an entry that does not verify or is another account’s (CLIENT_DIRECTORY_INVALID)', async () => {
    const alice = await testDevice('alice');
    const bob = await testDevice('bob');
    const mallory = await testDevice('mallory');
    const t = setUp(alice);
    const bobs = await entryOf(bob.identity, [bob], 10);
    const tampered = Uint8Array.from(bobs.bytes);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    for (const served of [
      { entry: tampered, leafIndex: 1, availableKeyPackages: 0 },
      {
        entry: (await entryOf(mallory.identity, [mallory], 10)).bytes,
        leafIndex: 1,
        availableKeyPackages: 0,
      },
    ]) {
      t.served.set(bob.account, served);
      await expect(t.kt.lookup(bob.account)).rejects.toMatchObject({
        code: 'CLIENT_DIRECTORY_INVALID',
      });
    }
    expect(t.logChecks).toEqual([]);
  });

  it('refuses an entry the log does not hold at its leaf (CLIENT_DIRECTORY_NOT_LOGGED)', async () => {
    const alice = await testDevice('alice');
    const bob = await testDevice('bob');
    const t = setUp(alice);
    t.setLogged(false);
    const entry = await entryOf(bob.identity, [bob], 10);
    t.served.set(bob.account, { entry: entry.bytes, leafIndex: 2, availableKeyPackages: 1 });
    await expect(t.kt.lookup(bob.account)).rejects.toMatchObject({
      code: 'CLIENT_DIRECTORY_NOT_LOGGED',
    });
  });

  it('accepts an entry whose proof is still pending', async () => {
    const alice = await testDevice('alice');
    const bob = await testDevice('bob');
    const t = setUp(alice);
    t.setLogged('pending');
    const entry = await entryOf(bob.identity, [bob], 10);
    t.served.set(bob.account, { entry: entry.bytes, leafIndex: 2, availableKeyPackages: 1 });
    expect((await t.kt.lookup(bob.account))?.served.cid).toBe(entry.cid);
  });

  it('refuses an entry older than one seen (CLIENT_DIRECTORY_ROLLBACK), with evidence kept once', async () => {
    const alice = await testDevice('alice');
    const bob = await testDevice('bob');
    const t = setUp(alice);
    const older = await entryOf(bob.identity, [bob], 10);
    const newer = await entryOf(bob.identity, [bob], 20);
    t.served.set(bob.account, { entry: newer.bytes, leafIndex: 5, availableKeyPackages: 1 });
    await t.kt.lookup(bob.account);
    t.served.set(bob.account, { entry: older.bytes, leafIndex: 3, availableKeyPackages: 1 });
    for (let i = 0; i < 2; i++) {
      await expect(t.kt.lookup(bob.account)).rejects.toMatchObject({
        code: 'CLIENT_DIRECTORY_ROLLBACK',
      });
    }
    expect(t.evidence).toHaveLength(1);
    expect(t.evidence[0]).toMatchObject({
      id: 1,
      kind: 'directory-rollback',
      account: bob.account,
      newer: { cid: newer.cid, leafIndex: 5 },
      older: { cid: older.cid, leafIndex: 3 },
    });
    expect(await t.kt.evidence()).toEqual(t.evidence);
  });
});

describe('KeyTransparency.checkOwn', () => {
  it('keeps an entry of its own account it did not publish as foreign-entry evidence, once', async () => {
    const alice = await testDevice('alice');
    const aliceElsewhere = await testDevice('alice, another install');
    const t = setUp(alice);
    const mine = await entryOf(alice.identity, [alice], 10);
    const published: ServedEntry = {
      entry: mine.bytes,
      cid: mine.cid,
      leafIndex: 1,
      updatedAt: 10,
    };
    await t.kt.published(published);
    expect(await t.kt.lastPublished()).toEqual(published);

    t.served.set(alice.account, { entry: mine.bytes, leafIndex: 1, availableKeyPackages: 3 });
    await t.kt.checkOwn();
    expect(t.evidence).toEqual([]);

    const foreign = await entryOf(alice.identity, [aliceElsewhere], 20);
    t.served.set(alice.account, { entry: foreign.bytes, leafIndex: 2, availableKeyPackages: 3 });
    expect((await t.kt.checkOwn())?.served.cid).toBe(foreign.cid);
    await t.kt.checkOwn();
    expect(t.evidence).toHaveLength(1);
    expect(t.evidence[0]).toMatchObject({
      kind: 'foreign-entry',
      account: alice.account,
      served: { cid: foreign.cid },
      published: { cid: mine.cid },
      deviceDropped: true,
    });
  });

  it('finds nothing foreign before this device ever published', async () => {
    const alice = await testDevice('alice');
    const t = setUp(alice);
    const entry = await entryOf(alice.identity, [alice], 10);
    t.served.set(alice.account, { entry: entry.bytes, leafIndex: 1, availableKeyPackages: 3 });
    expect((await t.kt.checkOwn())?.availableKeyPackages).toBe(3);
    expect(t.evidence).toEqual([]);
  });
});
