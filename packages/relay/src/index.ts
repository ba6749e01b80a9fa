/** The public surface of @parley/relay. */
export { createRelay, type Relay, type RelayDependencies } from './http/app.js';
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
export type {
  AppendOutcome,
  BatchFile,
  ClaimOutcome,
  CosignedState,
  EnvelopeToAppend,
  RelayStore,
  RetentionLimits,
  StoredCheckpoint,
  StoredDirectoryEntry,
  StoredEnvelope,
  StoredLeaf,
  StoredReceipt,
  StoredSession,
} from './store/store.js';
export type { WireReceipt } from './log/receipts.js';
export { openSqliteStore } from './store/sqlite-store.js';
export { preparePrivateDir } from './store/private-files.js';
export { createInProcessBus, type AcceptedEnvelope, type Bus } from './bus/bus.js';
export { createInvites, inviteCodeHash } from './auth/allowlist.js';
export { RELAY_KEY_FILE, loadOrCreateRelayIdentity } from './relay-identity.js';
export { RELAY_VERSION } from './version.js';
