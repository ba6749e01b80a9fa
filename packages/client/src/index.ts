/** The public surface of @parley/client: the isomorphic SDK. Node's SQLite store is in ./node. */
export {
  Client,
  ChatDirectory,
  KEY_PACKAGE_TARGET,
  type ChatSummary,
  type ChatVerification,
  type MessageProof,
  type ClientOptions,
} from './client.js';
export { Chat } from './chats/chat.js';
export type { MessageRef } from './chats/message-ref.js';
export type { ChatKind } from './chats/records.js';
export type { DeletedContent, ShownContent } from './messages/apply-content.js';
export { messageText } from './messages/message-text.js';
export { CLIENT_ERRORS, ClientError, isClientError, type ClientErrorCode } from './errors.js';
export type { ClientEvents } from './events.js';
export type { ClientStore, MessageBody, StoredMessage } from './store/client-store.js';
export { openMemoryClientStore } from './store/memory-client-store.js';
export { openSealedStore, type SealedStoreOptions } from './store/sealed-store.js';
export { deriveStoreKey } from './store/store-key.js';
export type { WebSocketConstructor, WebSocketLike } from './relay/live.js';
export type { EntryRecord, LiveProblem } from './chats/entries.js';
export type { HeldCheckpoint, WitnessKey } from './log/checkpoints.js';
export type { LogEvidence, SignedReceipt, StoredEvidence } from './log/evidence.js';
export type { InclusionStatus } from './log/inclusions.js';
export type {
  DirectoryEvidence,
  ServedEntry,
  StoredDirectoryEvidence,
} from './directory/key-transparency.js';
export { RelayApi, type RelayInfo, type InclusionProofAnswer } from './relay/relay-api.js';
export {
  auditRelay,
  type AuditApi,
  type AuditOptions,
  type AuditProblem,
  type AuditReport,
  type AuditState,
} from './log/auditor.js';
