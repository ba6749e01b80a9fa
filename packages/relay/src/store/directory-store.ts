/**
 * The directory store port: each account's latest verified entry, logged in the transparency
 * log, and one-time KeyPackages per device. Every method is atomic; a resolved write is durable.
 */

/** A stored directory entry. */
export interface StoredDirectoryEntry {
  readonly entry: Uint8Array;
  readonly cid: string;
  readonly updatedAt: number;
  readonly availableKeyPackages: number;
  /** The entry's leaf in the transparency log. */
  readonly leafIndex: number;
}

/** A verified directory entry to store, with the device keys it lists. */
export interface DirectoryEntryToStore {
  readonly bytes: Uint8Array;
  readonly cid: string;
  readonly updatedAt: number;
  readonly lastResort: Uint8Array;
  /** The Ed25519 keys of the devices the entry lists (its current devices). */
  readonly devices: readonly Uint8Array[];
}

/** A one-time KeyPackage to add: its SHA-256, bytes and the device (Ed25519 key) it belongs to. */
export interface KeyPackageToStore {
  readonly hash: Uint8Array;
  readonly bytes: Uint8Array;
  readonly device: Uint8Array;
}

/** The outcome of a KeyPackage claim. */
export type ClaimOutcome =
  { readonly keyPackage: Uint8Array; readonly lastResort: boolean } | { readonly missing: true };

/** Directory entries and KeyPackages. */
export interface DirectoryStore {
  /** The account's entry, or undefined. */
  getDirectoryEntry(account: string): Promise<StoredDirectoryEntry | undefined>;
  /**
   * Stores a verified entry if newer than the stored one, with its transparency-log leaf in the
   * same transaction; deletes the unclaimed KeyPackages of every device it no longer lists, and
   * adds one-time KeyPackages (never ones already handed out). The pool limit counts what is
   * left: packages of listed devices. Returns 'stale' or 'too-many-key-packages' instead of
   * writing anything.
   * @throws RangeError if a KeyPackage names a device the entry does not list (nothing written)
   */
  putDirectoryEntry(
    account: string,
    entry: DirectoryEntryToStore,
    keyPackages: readonly KeyPackageToStore[],
    maxKeyPackages: number,
    now: number,
  ): Promise<'stored' | 'stale' | 'too-many-key-packages'>;
  /**
   * Hands out one unclaimed KeyPackage exactly once (even to concurrent claims), else the
   * last-resort one; with `oneTime: false` the last-resort one without touching the pool.
   */
  claimKeyPackage(
    account: string,
    now: number,
    options?: { readonly oneTime?: boolean },
  ): Promise<ClaimOutcome>;
}
