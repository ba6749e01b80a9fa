/** The directory service: key bundles and KeyPackage claims, with the claim limits. */
import type { CryptoSuite } from '@parley/core';
import type { RelayConfig } from '../config/config.js';
import { TokenBuckets } from '../limits/token-bucket.js';
import type { DirectoryStore } from '../store/directory-store.js';

/** What the directory routes use. */
export interface DirectoryService {
  readonly store: DirectoryStore;
  readonly suite: CryptoSuite;
  readonly clock: () => number;
  /** KeyPackage claims per claiming account. */
  readonly claimLimits: TokenBuckets;
  /** One-time KeyPackages per (claimer, target) pair; beyond it the last resort is served. */
  readonly oneTimeClaimsPerPair: TokenBuckets;
  /** One-time KeyPackages per target account; beyond it the last resort is served. */
  readonly oneTimeClaimsPerTarget: TokenBuckets;
  /** Tells the log that a directory entry added a leaf (its checkpointer batches it). */
  leavesAdded(): void;
}

/** The dependencies and settings of the directory service. */
export interface DirectoryServiceOptions {
  readonly store: DirectoryStore;
  readonly suite: CryptoSuite;
  readonly clock: () => number;
  readonly limits: RelayConfig['limits'];
  readonly leavesAdded: () => void;
}

/** Builds the directory service. @throws RangeError on a limit that is not positive */
export function createDirectoryService(options: DirectoryServiceOptions): DirectoryService {
  const { limits } = options;
  return {
    store: options.store,
    suite: options.suite,
    clock: options.clock,
    claimLimits: new TokenBuckets(limits.claimsPerMinute / 60, limits.claimsPerMinute),
    oneTimeClaimsPerPair: new TokenBuckets(
      limits.keyPackagesPerPairPerHour / 3600,
      limits.keyPackagesPerPairPerHour,
    ),
    oneTimeClaimsPerTarget: new TokenBuckets(
      limits.keyPackagesPerTargetPerHour / 3600,
      limits.keyPackagesPerTargetPerHour,
    ),
    leavesAdded: options.leavesAdded,
  };
}
