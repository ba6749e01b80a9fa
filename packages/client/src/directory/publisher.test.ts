/**
 * Publishing this device in its account's directory entry, against a fake relay API and fake key
 * transparency: who the entry lists (a reinstall replaces the list), how many KeyPackages go
 * with it, and when a sync tops them up.
 */
import {
  certifyDevice,
  createDirectoryEntry,
  toHex,
  verifyDirectoryEntry,
  type GeneratedKeyPackage,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import { fakeClock, suite, testDevice, type TestDevice } from '../../test/support/unit-fixtures.js';
import type { AcceptedEntry, ServedEntry } from './key-transparency.js';
import { DirectoryPublisher, KEY_PACKAGE_LOW_WATER, KEY_PACKAGE_TARGET } from './publisher.js';

const NOW = 1_700_000_000_000;

interface Put {
  entry: Uint8Array;
  keyPackages: readonly Uint8Array[];
  device: Uint8Array;
  now: number;
}

function setUp(
  self: TestDevice,
  options: {
    current?: Uint8Array;
    lastPublished?: ServedEntry;
    leafIndex?: number;
    checkOwn?: () => Promise<AcceptedEntry | undefined>;
  } = {},
) {
  const puts: Put[] = [];
  const published: ServedEntry[] = [];
  const forgotten: string[] = [];
  const reported: unknown[] = [];
  let generated = 0;
  const publisher = new DirectoryPublisher({
    api: {
      getDirectory: () =>
        Promise.resolve(
          options.current === undefined
            ? undefined
            : { entry: options.current, availableKeyPackages: 0, leafIndex: 0 },
        ),
      putDirectory: (_account, entry, keyPackages, device, now) => {
        puts.push({ entry, keyPackages, device, now });
        return Promise.resolve({ leafIndex: options.leafIndex ?? 9 });
      },
    },
    suite,
    identity: self.identity,
    device: self.device,
    keyPackages: {
      generate: () => {
        generated += 1;
        const keyPackage: GeneratedKeyPackage = {
          bytes: new Uint8Array([generated]),
          hash: new Uint8Array(32),
          secrets: {
            initPrivateKey: new Uint8Array(32),
            hpkePrivateKey: new Uint8Array(32),
            signaturePrivateKey: new Uint8Array(32),
          },
        };
        return Promise.resolve(keyPackage);
      },
    },
    transparency: {
      lastPublished: () => Promise.resolve(options.lastPublished),
      published: (served) => {
        published.push(served);
        return Promise.resolve();
      },
      checkOwn: options.checkOwn ?? (() => Promise.resolve(undefined)),
    },
    lookup: { forget: (account) => forgotten.push(account) },
    clock: fakeClock(NOW),
    report: (_chat, error) => reported.push(error),
  });
  return { publisher, puts, published, forgotten, reported };
}

async function entryListing(owner: TestDevice, devices: TestDevice[], updatedAt: number) {
  const certificates = await Promise.all(
    devices.map((d) =>
      certifyDevice(suite, owner.identity, {
        deviceKey: d.device.publicKey,
        hpkeKey: d.device.hpkePublicKey,
        createdAt: 1,
      }),
    ),
  );
  return createDirectoryEntry(suite, owner.identity, {
    devices: certificates,
    lastResort: new Uint8Array([0]),
    updatedAt,
  });
}

/** The device keys (hex) and updatedAt of the entry put. */
async function listed(put: Put | undefined) {
  if (put === undefined) throw new Error('nothing put');
  const verified = await verifyDirectoryEntry(suite, put.entry);
  if (!verified.ok) throw new Error('the entry put does not verify');
  return {
    devices: verified.value.entry.devices.map((d) => toHex(d.deviceKey)),
    updatedAt: verified.value.entry.updatedAt,
    lastResort: verified.value.entry.lastResort,
  };
}

const hex = (d: TestDevice) => toHex(d.device.publicKey);

describe('DirectoryPublisher.publish', () => {
  it('publishes an entry of this device with a last-resort and the one-time KeyPackages', async () => {
    const alice = await testDevice('alice');
    const t = setUp(alice);
    await t.publisher.publish(3, false);
    const [put] = t.puts;
    expect(await listed(put)).toEqual({
      devices: [hex(alice)],
      updatedAt: NOW,
      lastResort: new Uint8Array([1]),
    });
    expect(put?.keyPackages).toEqual([
      new Uint8Array([2]),
      new Uint8Array([3]),
      new Uint8Array([4]),
    ]);
    expect(put?.device).toEqual(alice.device.publicKey);
    expect(t.published).toMatchObject([{ leafIndex: 9, updatedAt: NOW }]);
    expect(t.forgotten).toEqual([alice.account]);
  });

  it('replaces the device list on a reinstall, unless told to keep the devices', async () => {
    const alice = await testDevice('alice');
    const laptop = await testDevice('alice laptop');
    const current = (await entryListing(alice, [laptop], NOW - 5)).bytes;
    const reinstall = setUp(alice, { current });
    await reinstall.publisher.publish(0, false);
    expect((await listed(reinstall.puts[0])).devices).toEqual([hex(alice)]);
    const added = setUp(alice, { current });
    await added.publisher.publish(0, true);
    expect((await listed(added.puts[0])).devices).toEqual([hex(laptop), hex(alice)]);
  });

  it('keeps the other devices when this device published before, and writes a newer entry', async () => {
    const alice = await testDevice('alice');
    const laptop = await testDevice('alice laptop');
    const current = await entryListing(alice, [laptop, alice], NOW + 1_000);
    const t = setUp(alice, {
      current: current.bytes,
      lastPublished: {
        entry: current.bytes,
        cid: current.cid.toString(),
        leafIndex: 0,
        updatedAt: 1,
      },
    });
    await t.publisher.publish(0, false);
    expect(await listed(t.puts[0])).toMatchObject({
      devices: [hex(laptop), hex(alice)],
      updatedAt: NOW + 1_001,
    });
  });
});

describe('DirectoryPublisher.topUp', () => {
  const own = async (self: TestDevice, devices: TestDevice[], available: number) => {
    const { entry, bytes, cid } = await entryListing(self, devices, NOW);
    const accepted: AcceptedEntry = {
      entry,
      served: { entry: bytes, cid: cid.toString(), leafIndex: 0, updatedAt: NOW },
      availableKeyPackages: available,
    };
    return accepted;
  };

  it(`tops the KeyPackages up to ${KEY_PACKAGE_TARGET} below ${KEY_PACKAGE_LOW_WATER}`, async () => {
    const alice = await testDevice('alice');
    const accepted = await own(alice, [alice], KEY_PACKAGE_LOW_WATER - 1);
    const t = setUp(alice, { checkOwn: () => Promise.resolve(accepted) });
    await t.publisher.topUp();
    expect(t.puts[0]?.keyPackages).toHaveLength(KEY_PACKAGE_TARGET - KEY_PACKAGE_LOW_WATER + 1);
  });

  it('does nothing at the low-water mark, or when a newer entry dropped this device', async () => {
    const alice = await testDevice('alice');
    const laptop = await testDevice('alice laptop');
    for (const accepted of [
      await own(alice, [alice], KEY_PACKAGE_LOW_WATER),
      await own(alice, [laptop], 0),
    ]) {
      const t = setUp(alice, { checkOwn: () => Promise.resolve(accepted) });
      await t.publisher.topUp();
      expect(t.puts).toEqual([]);
    }
  });

  it('reports a directory failure instead of throwing it, and throws any other', async () => {
    const alice = await testDevice('alice');
    const rollback = new ClientError('CLIENT_DIRECTORY_ROLLBACK');
    const t = setUp(alice, { checkOwn: () => Promise.reject(rollback) });
    await t.publisher.topUp();
    expect(t.reported).toEqual([rollback]);
    const down = setUp(alice, {
      checkOwn: () => Promise.reject(new ClientError('CLIENT_RELAY_UNREACHABLE')),
    });
    await expect(down.publisher.topUp()).rejects.toMatchObject({
      code: 'CLIENT_RELAY_UNREACHABLE',
    });
  });
});
