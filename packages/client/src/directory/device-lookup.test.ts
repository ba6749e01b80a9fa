/** Device lookups: the directory's newest entry, reused for a minute unless asked fresh. */
import type { DeviceCertificate } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../test/support/unit-fixtures.js';
import { DEVICE_CACHE_MS, DeviceLookup, type DirectoryLookup } from './device-lookup.js';
import type { AcceptedEntry } from './key-transparency.js';

/** A directory whose entries a test sets; it counts lookups. */
function fakeDirectory() {
  const entries = new Map<string, DeviceCertificate[]>();
  const lookups: string[] = [];
  const directory: DirectoryLookup = {
    lookup: (account) => {
      lookups.push(account);
      const devices = entries.get(account);
      if (devices === undefined) return Promise.resolve(undefined);
      return Promise.resolve({ entry: { devices } } as unknown as AcceptedEntry);
    },
  };
  return { directory, entries, lookups };
}

const device = (byte: number): DeviceCertificate => ({
  deviceKey: new Uint8Array(32).fill(byte),
  hpkeKey: new Uint8Array(32).fill(byte + 100),
  createdAt: byte,
  signature: new Uint8Array(64),
});

describe('DeviceLookup', () => {
  it('answers from the cache within a minute and asks the directory again after', async () => {
    const { directory, entries, lookups } = fakeDirectory();
    const clock = fakeClock();
    entries.set('alice', [device(1)]);
    const lookup = new DeviceLookup({ directory, clock });
    expect(await lookup.devicesOf('alice')).toEqual([device(1)]);
    entries.set('alice', [device(2)]);
    clock.advance(DEVICE_CACHE_MS - 1);
    expect(await lookup.devicesOf('alice')).toEqual([device(1)]);
    clock.advance(1);
    expect(await lookup.devicesOf('alice')).toEqual([device(2)]);
    expect(lookups).toEqual(['alice', 'alice']);
  });

  it('asks the directory when told fresh, whatever the cache holds', async () => {
    const { directory, entries, lookups } = fakeDirectory();
    entries.set('alice', [device(1)]);
    const lookup = new DeviceLookup({ directory, clock: fakeClock() });
    await lookup.devicesOf('alice');
    entries.set('alice', [device(3)]);
    expect(await lookup.devicesOf('alice', true)).toEqual([device(3)]);
    expect(lookups).toHaveLength(2);
  });

  it('asks again after forget(account)', async () => {
    const { directory, entries, lookups } = fakeDirectory();
    entries.set('alice', [device(1)]);
    const lookup = new DeviceLookup({ directory, clock: fakeClock() });
    await lookup.devicesOf('alice');
    lookup.forget('alice');
    await lookup.devicesOf('alice');
    expect(lookups).toEqual(['alice', 'alice']);
  });

  it('answers undefined for an account without an entry, and does not cache that', async () => {
    const { directory, entries, lookups } = fakeDirectory();
    const lookup = new DeviceLookup({ directory, clock: fakeClock() });
    expect(await lookup.devicesOf('nobody')).toBeUndefined();
    entries.set('nobody', [device(4)]);
    expect(await lookup.devicesOf('nobody')).toEqual([device(4)]);
    expect(lookups).toHaveLength(2);
  });

  it('lets a directory failure through', async () => {
    const lookup = new DeviceLookup({
      directory: { lookup: () => Promise.reject(new RangeError('directory down')) },
      clock: fakeClock(),
    });
    await expect(lookup.devicesOf('alice')).rejects.toBeInstanceOf(RangeError);
  });
});
