/** This device's keys: created once from the random source, then read back unchanged. */
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { fakeClock, suite, testDevice } from '../../test/support/unit-fixtures.js';
import { inviterOf, loadDeviceKeys } from './device-keys.js';

describe('loadDeviceKeys', () => {
  it('creates keys on first use, stores them, and loads the same keys afterwards', async () => {
    const store = openMemoryClientStore();
    const first = await loadDeviceKeys(store, suite, unsafeSeededRandom('device'));
    expect(await store.get('device')).toBeDefined();
    const again = await loadDeviceKeys(store, suite, () => {
      throw new Error('no randomness needed once stored');
    });
    expect(again).toEqual(first);
  });

  it('derives the public keys from the stored private keys', async () => {
    const keys = await loadDeviceKeys(openMemoryClientStore(), suite, unsafeSeededRandom('d'));
    expect(keys.publicKey).toEqual(await suite.ed25519.publicKey(keys.seed));
    expect(keys.hpkePublicKey).toEqual(await suite.x25519.publicKey(keys.hpkePrivateKey));
    expect(keys.seed).not.toEqual(keys.hpkePrivateKey);
  });

  it('gives two devices with different randomness different keys', async () => {
    const a = await loadDeviceKeys(openMemoryClientStore(), suite, unsafeSeededRandom('a'));
    const b = await loadDeviceKeys(openMemoryClientStore(), suite, unsafeSeededRandom('b'));
    expect(a.publicKey).not.toEqual(b.publicKey);
  });
});

describe('inviterOf', () => {
  it('signs invitations with this device’s seed and names its key and account', async () => {
    const alice = await testDevice('alice');
    const clock = fakeClock();
    const random = unsafeSeededRandom('r');
    const inviter = inviterOf({
      device: alice.device,
      account: alice.account,
      suite,
      random,
      clock,
    });
    expect(inviter).toEqual({
      suite,
      account: alice.account,
      deviceSeed: alice.device.seed,
      deviceKey: alice.device.publicKey,
      random,
      clock,
    });
  });
});
