/**
 * Schema migration to KeyPackages per device (docs/spec/relay-api.md §Directory): each one-time
 * KeyPackage records the device it belongs to, so that an entry which no longer lists a device
 * drops that device's unclaimed packages and the pool limit counts only current devices.
 */
import type Database from 'better-sqlite3';

/**
 * Adds `key_packages.device` (the device's Ed25519 key). Packages stored before it have no
 * device (NULL): they count as current until an entry drops a device, and then go with it,
 * since the relay cannot tell whose they were. Runs inside the migration's transaction.
 */
export function migrateToDeviceKeyPackages(db: Database.Database): void {
  db.exec('ALTER TABLE key_packages ADD COLUMN device BLOB');
  db.exec(
    'CREATE INDEX IF NOT EXISTS key_packages_by_device ON key_packages (account, device, claimed_at)',
  );
}
