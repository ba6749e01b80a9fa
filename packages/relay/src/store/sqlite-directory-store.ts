/**
 * The directory store in SQLite: each account's latest entry and its one-time KeyPackages per
 * device. Each stored entry gets its transparency-log leaf in the transaction that stores it.
 */
import { decodeCanonical } from '@parley/core';
import type Database from 'better-sqlite3';
import type {
  ClaimOutcome,
  DirectoryEntryToStore,
  DirectoryStore,
  KeyPackageToStore,
  StoredDirectoryEntry,
} from './directory-store.js';
import { attempt } from './sqlite-database.js';
import type { SqliteLog } from './sqlite-log.js';

/** The directory store over `db` (at the current schema), appending leaves to `log`. */
export function createSqliteDirectoryStore(db: Database.Database, log: SqliteLog): DirectoryStore {
  const q = {
    directory: db.prepare(
      'SELECT entry, cid, updated_at, last_resort FROM directory WHERE account = ?',
    ),
    putDirectory: db.prepare(
      'INSERT OR REPLACE INTO directory (account, entry, cid, updated_at, last_resort) VALUES (?, ?, ?, ?, ?)',
    ),
    countKeyPackages: db
      .prepare('SELECT COUNT(*) FROM key_packages WHERE account = ? AND claimed_at IS NULL')
      .pluck(),
    addKeyPackage: db.prepare(
      'INSERT OR IGNORE INTO key_packages (account, hash, bytes, added_at, device) VALUES (?, ?, ?, ?, ?)',
    ),
    unclaimedDevices: db.prepare(
      'SELECT DISTINCT device FROM key_packages WHERE account = ? AND claimed_at IS NULL',
    ),
    dropDevicePackages: db.prepare(
      'DELETE FROM key_packages WHERE account = ? AND device = ? AND claimed_at IS NULL',
    ),
    dropUnknownDevicePackages: db.prepare(
      'DELETE FROM key_packages WHERE account = ? AND device IS NULL AND claimed_at IS NULL',
    ),
    nextKeyPackage: db.prepare(
      'SELECT hash, bytes FROM key_packages WHERE account = ? AND claimed_at IS NULL ORDER BY added_at LIMIT 1',
    ),
    // The bytes of a handed-out package are dropped; its hash stays so it is never re-added.
    markClaimed: db.prepare(
      'UPDATE key_packages SET claimed_at = ?, bytes = NULL WHERE account = ? AND hash = ?',
    ),
  };

  const putDirectory = db.transaction(
    (
      account: string,
      entry: DirectoryEntryToStore,
      keyPackages: readonly KeyPackageToStore[],
      maxKeyPackages: number,
      now: number,
    ): 'stored' | 'stale' => {
      const current = q.directory.get(account) as
        { updated_at: number; entry: Uint8Array } | undefined;
      if (current !== undefined && entry.updatedAt <= current.updated_at) return 'stale';
      // Superseded devices: their unclaimed packages go, so nobody adds them to a new chat.
      const listed = new Set(entry.devices.map((device) => Buffer.from(device).toString('hex')));
      let dropped =
        current !== undefined && listedDevices(current.entry).some((device) => !listed.has(device));
      for (const row of q.unclaimedDevices.all(account) as { device: Uint8Array | null }[]) {
        if (row.device === null || listed.has(Buffer.from(row.device).toString('hex'))) continue;
        q.dropDevicePackages.run(account, row.device);
        dropped = true;
      }
      // Packages from before devices were recorded belong to some earlier device: they go too.
      if (dropped) q.dropUnknownDevicePackages.run(account);
      for (const keyPackage of keyPackages) {
        if (!listed.has(Buffer.from(keyPackage.device).toString('hex'))) {
          throw new RangeError('a KeyPackage of a device the entry does not list');
        }
        q.addKeyPackage.run(account, keyPackage.hash, keyPackage.bytes, now, keyPackage.device);
      }
      if ((q.countKeyPackages.get(account) as number) > maxKeyPackages) {
        // Throwing rolls the whole transaction back, entry and packages alike.
        throw new TooManyKeyPackages();
      }
      q.putDirectory.run(account, entry.bytes, entry.cid, entry.updatedAt, entry.lastResort);
      log.append(entry.cid);
      return 'stored';
    },
  );

  const claim = db.transaction((account: string, now: number, oneTime: boolean): ClaimOutcome => {
    const entry = q.directory.get(account) as { last_resort: Uint8Array } | undefined;
    if (entry === undefined) return { missing: true };
    const next = oneTime
      ? (q.nextKeyPackage.get(account) as { hash: Uint8Array; bytes: Uint8Array } | undefined)
      : undefined;
    if (next === undefined)
      return { keyPackage: new Uint8Array(entry.last_resort), lastResort: true };
    q.markClaimed.run(now, account, next.hash);
    return { keyPackage: new Uint8Array(next.bytes), lastResort: false };
  });

  return {
    getDirectoryEntry: (account) =>
      attempt(() => {
        const row = q.directory.get(account) as
          { entry: Uint8Array; cid: string; updated_at: number } | undefined;
        if (row === undefined) return undefined;
        const entry: StoredDirectoryEntry = {
          entry: new Uint8Array(row.entry),
          cid: row.cid,
          updatedAt: row.updated_at,
          availableKeyPackages: q.countKeyPackages.get(account) as number,
          leafIndex: log.indexOf(row.cid) ?? -1,
        };
        return entry;
      }),
    putDirectoryEntry: (account, entry, keyPackages, maxKeyPackages, now) =>
      attempt(() => {
        try {
          return putDirectory(account, entry, keyPackages, maxKeyPackages, now);
        } catch (error) {
          if (error instanceof TooManyKeyPackages) return 'too-many-key-packages';
          throw error;
        }
      }),
    claimKeyPackage: (account, now, options) =>
      attempt(() => claim(account, now, options?.oneTime ?? true)),
  };
}

class TooManyKeyPackages extends Error {}

/** The device keys (hex) a stored, verified entry lists; none if it cannot be read. */
function listedDevices(bytes: Uint8Array): string[] {
  try {
    const value = decodeCanonical(bytes) as { devices?: unknown };
    if (!Array.isArray(value.devices)) return [];
    return value.devices.flatMap((device: unknown) => {
      const key = (device as { deviceKey?: unknown } | null)?.deviceKey;
      return key instanceof Uint8Array ? [Buffer.from(key).toString('hex')] : [];
    });
  } catch {
    return [];
  }
}
