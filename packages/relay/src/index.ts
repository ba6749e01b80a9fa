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
} from './config/config.js';
export type {
  AppendOutcome,
  ClaimOutcome,
  EnvelopeToAppend,
  RelayStore,
  RetentionLimits,
  StoredDirectoryEntry,
  StoredEnvelope,
  StoredReceipt,
  StoredSession,
} from './store/store.js';
export { openSqliteStore } from './store/sqlite-store.js';
export { createInProcessBus, type AcceptedEnvelope, type Bus } from './bus/bus.js';
export { createInvites, inviteCodeHash } from './auth/allowlist.js';
export { RELAY_KEY_FILE, loadOrCreateRelayIdentity } from './relay-identity.js';
export { RELAY_VERSION } from './version.js';
