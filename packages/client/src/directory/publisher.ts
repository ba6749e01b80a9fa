/**
 * Publishes this device in its account's directory entry with fresh KeyPackages, and tops the
 * KeyPackages up when the relay runs low (docs/spec/identity.md §Devices).
 */
import {
  certifyDevice,
  createDirectoryEntry,
  toHex,
  verifyDirectoryEntry,
  type CryptoSuite,
  type DeviceCertificate,
  type Identity,
} from '@parley/core';
import type { KeyPackages } from '../device/key-packages.js';
import type { DeviceKeys } from '../device/device-keys.js';
import { isClientError } from '../errors.js';
import type { Report } from '../events.js';
import type { RelayApi } from '../relay/relay-api.js';
import type { DeviceLookup } from './device-lookup.js';
import type { KeyTransparency } from './key-transparency.js';

/** How many one-time KeyPackages the client keeps on the relay. */
export const KEY_PACKAGE_TARGET = 20;
/** Below this many unclaimed KeyPackages, a sync tops them up to the target. */
export const KEY_PACKAGE_LOW_WATER = 8;

/** What the publisher needs of its collaborators. */
export interface PublisherDeps {
  readonly api: Pick<RelayApi, 'getDirectory' | 'putDirectory'>;
  readonly suite: CryptoSuite;
  readonly identity: Identity;
  readonly device: DeviceKeys;
  readonly keyPackages: Pick<KeyPackages, 'generate'>;
  readonly transparency: Pick<KeyTransparency, 'lastPublished' | 'published' | 'checkOwn'>;
  readonly lookup: Pick<DeviceLookup, 'forget'>;
  readonly clock: () => number;
  readonly report: Report;
}

/** Publishes this device's directory entry. */
export class DirectoryPublisher {
  readonly #d: PublisherDeps;

  constructor(deps: PublisherDeps) {
    this.#d = deps;
  }

  /**
   * Publishes this device with `oneTime` fresh KeyPackages. A device that never published on
   * this relay is a (re)install: its entry lists only itself, unless `keepDevices`. A device that
   * published before keeps the devices the current entry lists.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  async publish(oneTime: number, keepDevices: boolean): Promise<void> {
    const { api, suite, identity, device, keyPackages, transparency } = this.#d;
    const now = this.#d.clock();
    const own = toHex(device.publicKey);
    const current = await api.getDirectory(identity.accountId);
    let others: DeviceCertificate[] = [];
    let updatedAt = now;
    if (current !== undefined) {
      const verified = await verifyDirectoryEntry(suite, current.entry);
      if (verified.ok && verified.value.entry.account === identity.accountId) {
        // A device that never published here (not recorded, not listed: a new install) knows
        // no other device, so its entry replaces the list.
        const listed = verified.value.entry.devices.some((d) => toHex(d.deviceKey) === own);
        if (keepDevices || listed || (await transparency.lastPublished()) !== undefined) {
          others = verified.value.entry.devices.filter((d) => toHex(d.deviceKey) !== own);
        }
        updatedAt = Math.max(now, verified.value.entry.updatedAt + 1);
      }
    }
    const certificate = await certifyDevice(suite, identity, {
      deviceKey: device.publicKey,
      hpkeKey: device.hpkePublicKey,
      createdAt: now,
    });
    const lastResort = await keyPackages.generate();
    const packages = [];
    for (let i = 0; i < oneTime; i++) packages.push((await keyPackages.generate()).bytes);
    const { bytes, cid } = await createDirectoryEntry(suite, identity, {
      devices: [...others, certificate],
      lastResort: lastResort.bytes,
      updatedAt,
    });
    const { leafIndex } = await api.putDirectory(
      identity.accountId,
      bytes,
      packages,
      device.publicKey,
      now,
    );
    await transparency.published({ entry: bytes, cid: cid.toString(), leafIndex, updatedAt });
    this.#d.lookup.forget(identity.accountId);
  }

  /**
   * Watches this account's entry (a foreign one becomes a `directory-warning`) and tops up
   * KeyPackages, unless a newer entry dropped this device: then it stays dropped until it
   * publishes again. Directory failures are reported, not thrown.
   */
  async topUp(): Promise<void> {
    let own;
    try {
      own = await this.#d.transparency.checkOwn();
    } catch (error) {
      if (!isClientError(error) || !error.code.startsWith('CLIENT_DIRECTORY_')) throw error;
      this.#d.report(undefined, error);
      return;
    }
    if (own === undefined) return;
    const key = toHex(this.#d.device.publicKey);
    const listed = own.entry.devices.some((device) => toHex(device.deviceKey) === key);
    if (listed && own.availableKeyPackages < KEY_PACKAGE_LOW_WATER) {
      await this.publish(KEY_PACKAGE_TARGET - own.availableKeyPackages, false);
    }
  }
}
