/**
 * This device's keys: an Ed25519 seed that signs its entries and KeyPackages, and an X25519 key
 * that opens invitations. Created on first use and kept in the ClientStore under `device`.
 */
import {
  decodeCanonical,
  encodeCanonical,
  type AccountId,
  type CryptoSuite,
  type RandomSource,
} from '@parley/core';
import type { Inviter } from '../chats/invitations.js';
import type { ClientStore } from '../store/client-store.js';

/** The keys of this device. */
export interface DeviceKeys {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly hpkePrivateKey: Uint8Array;
  readonly hpkePublicKey: Uint8Array;
}

/** Loads this device's keys, creating and storing them on first use. */
export async function loadDeviceKeys(
  store: Pick<ClientStore, 'get' | 'put'>,
  suite: CryptoSuite,
  random: RandomSource,
): Promise<DeviceKeys> {
  let stored = await store.get('device');
  if (stored === undefined) {
    stored = encodeCanonical({ seed: random(32), hpkePrivateKey: random(32) });
    await store.put('device', stored);
  }
  const { seed, hpkePrivateKey } = decodeCanonical(stored) as {
    seed: Uint8Array;
    hpkePrivateKey: Uint8Array;
  };
  return {
    seed,
    publicKey: await suite.ed25519.publicKey(seed),
    hpkePrivateKey,
    hpkePublicKey: await suite.x25519.publicKey(hpkePrivateKey),
  };
}

/** This device as the signer of its invitations. */
export function inviterOf(options: {
  readonly device: DeviceKeys;
  readonly account: AccountId;
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: () => number;
}): Inviter {
  return {
    suite: options.suite,
    account: options.account,
    deviceSeed: options.device.seed,
    deviceKey: options.device.publicKey,
    random: options.random,
    clock: options.clock,
  };
}
