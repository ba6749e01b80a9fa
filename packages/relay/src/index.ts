/** The public surface of @parley/relay. */
export { createRelay, type Relay } from './http/app.js';
export type { RelayDependencies } from './relay-services.js';
export { createSystemTimers, type TimerHandle, type Timers } from './time/timers.js';
export { RELAY_ERRORS, RelayError, isRelayError, type RelayErrorCode } from './errors.js';
export {
  SETTINGS,
  envName,
  loadConfig,
  type AllowlistMode,
  type ConfigSources,
  type RelayConfig,
  type WitnessConfig,
  type WitnessedLogConfig,
} from './config/config.js';
export type { RelayStores } from './store/relay-stores.js';
export type {
  AppendOutcome,
  EnvelopeToAppend,
  RetentionLimits,
  StoredEnvelope,
  StoredReceipt,
  TopicStore,
} from './store/topic-store.js';
export type { SessionStore, StoredSession } from './store/session-store.js';
export type { MembershipStore } from './store/membership-store.js';
export type {
  ClaimOutcome,
  DirectoryEntryToStore,
  DirectoryStore,
  KeyPackageToStore,
  StoredDirectoryEntry,
} from './store/directory-store.js';
export type {
  BatchFile,
  CosignedState,
  LogStore,
  StoredCheckpoint,
  StoredLeaf,
} from './store/log-store.js';
export type { WireReceipt } from './log/receipts.js';
export { openSqliteStores } from './store/sqlite-stores.js';
export { preparePrivateDir } from './store/private-files.js';
export {
  createInProcessBus,
  type AcceptedEnvelope,
  type Bus,
  type PublishedCheckpoint,
} from './bus/bus.js';
export { createInvites, inviteCodeHash } from './auth/allowlist.js';
export { RELAY_KEY_FILE, loadOrCreateRelayIdentity } from './relay-identity.js';
export { RELAY_VERSION } from './version.js';
export { createFileBlobStore, type BlobStore } from './blobs/blob-store.js';
export {
  createNoAnchorChain,
  type AnchorChain,
  type AnchorHead,
  type AnchorRequest,
  type AnchorStatus,
  type AnchorSubmission,
  type Hex32,
} from './anchor/anchor-chain.js';
export {
  createEvmAnchorChain,
  type EvmAnchorChain,
  type EvmAnchorOptions,
} from './anchor/evm-anchor-chain.js';
export { createInProcessLease, type Lease } from './lease/lease.js';
