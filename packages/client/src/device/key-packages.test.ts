/** This device's KeyPackages: valid for its account, their secrets kept under their hash. */
import { checkKeyPackage, commitChanges, joinChatGroup, toHex } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { mlsFor, saveTestChat, testDevice } from '../../test/support/unit-fixtures.js';
import { KeyPackages } from './key-packages.js';

describe('KeyPackages', () => {
  it('generates a KeyPackage of this account and device that a claimant accepts', async () => {
    const alice = await testDevice('alice');
    const mls = await mlsFor([alice]);
    const store = openMemoryClientStore();
    const packages = new KeyPackages({ store, mls, account: alice.account, device: alice.device });
    const generated = await packages.generate();
    const checked = await checkKeyPackage(mls, generated.bytes, alice.account);
    expect(checked.ok && toHex(checked.value.device)).toBe(toHex(alice.device.publicKey));
  });

  it('keeps the secrets under the hash before returning, and finds them by that hash', async () => {
    const alice = await testDevice('alice');
    const store = openMemoryClientStore();
    const packages = new KeyPackages({
      store,
      mls: await mlsFor([alice]),
      account: alice.account,
      device: alice.device,
    });
    const generated = await packages.generate();
    expect(await store.keys('kp/')).toEqual([`kp/${toHex(generated.hash)}`]);
    expect(await packages.kept(generated.hash)).toEqual({
      bytes: generated.bytes,
      secrets: generated.secrets,
    });
  });

  it('finds nothing under the hash of a KeyPackage it did not make', async () => {
    const alice = await testDevice('alice');
    const packages = new KeyPackages({
      store: openMemoryClientStore(),
      mls: await mlsFor([alice]),
      account: alice.account,
      device: alice.device,
    });
    await packages.generate();
    expect(await packages.kept(new Uint8Array(32))).toBeUndefined();
  });

  it('keeps what a Welcome for the KeyPackage needs to be joined', async () => {
    const alice = await testDevice('alice');
    const bob = await testDevice('bob');
    const mls = await mlsFor([alice, bob]);
    const bobStore = openMemoryClientStore();
    const bobs = new KeyPackages({
      store: bobStore,
      mls,
      account: bob.account,
      device: bob.device,
    });
    const generated = await bobs.generate();
    const checked = await checkKeyPackage(mls, generated.bytes, bob.account);
    if (!checked.ok) throw new Error('refused');
    const chat = await saveTestChat(openMemoryClientStore(), mls, alice);
    const commit = await commitChanges(mls, chat.state, [
      { kind: 'add', keyPackage: checked.value.keyPackage },
    ]);
    const kept = await bobs.kept(generated.hash);
    if (kept === undefined || commit.welcome === undefined) throw new Error('missing');
    const joined = await joinChatGroup(mls, commit.welcome, kept);
    expect(joined.ok).toBe(true);
  });
});
