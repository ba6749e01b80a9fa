/**
 * The certified devices of an account: its newest directory entry, checked by key transparency
 * (against the log and for rollback), cached for a minute.
 */
import type { DeviceCertificate } from '@parley/core';
import type { KeyTransparency } from './key-transparency.js';

/** How long a looked-up device list is reused. */
export const DEVICE_CACHE_MS = 60_000;

/** What the lookup needs of key transparency. */
export type DirectoryLookup = Pick<KeyTransparency, 'lookup'>;

/** Looks up and caches the certified devices of accounts. */
export class DeviceLookup {
  readonly #directory: DirectoryLookup;
  readonly #clock: () => number;
  readonly #cache = new Map<string, { devices: DeviceCertificate[]; at: number }>();

  constructor(deps: { directory: DirectoryLookup; clock: () => number }) {
    this.#directory = deps.directory;
    this.#clock = deps.clock;
  }

  /**
   * The verified device certificates of an account's newest entry; undefined if it has none.
   * Cached for a minute unless `fresh`.
   * @throws ClientError CLIENT_DIRECTORY_INVALID | CLIENT_DIRECTORY_ROLLBACK |
   *   CLIENT_DIRECTORY_NOT_LOGGED | CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  async devicesOf(account: string, fresh = false): Promise<DeviceCertificate[] | undefined> {
    const cached = this.#cache.get(account);
    if (!fresh && cached !== undefined && this.#clock() - cached.at < DEVICE_CACHE_MS) {
      return cached.devices;
    }
    const accepted = await this.#directory.lookup(account);
    if (accepted === undefined) return undefined;
    const devices = [...accepted.entry.devices];
    this.#cache.set(account, { devices, at: this.#clock() });
    return devices;
  }

  /** Drops the cached devices of `account` (its entry just changed). */
  forget(account: string): void {
    this.#cache.delete(account);
  }
}
