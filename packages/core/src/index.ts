/** The public surface of @parley/core: the protocol, pure and isomorphic. */
export { CORE_ERRORS, CoreError, isCoreError, type CoreErrorCode } from './errors.js';
export { fail, ok, type Result } from './result.js';
export type { RandomSource } from './random.js';
export { concatBytes, equalBytes, fromHex, fromUtf8, toHex, utf8 } from './bytes.js';

export {
  DEFAULT_MAX_DECODE_BYTES,
  DEFAULT_MAX_DEPTH,
  decodeCanonical,
  encodeCanonical,
  encodeWithCid,
  type DecodeLimits,
} from './encoding/canonical.js';
export {
  DAG_CBOR_CODE,
  RAW_CODE,
  SHA2_256_CODE,
  cidForBytes,
  parseCid,
  type Cid,
} from './encoding/cid.js';

export { createCryptoSuite, type CryptoSuite } from './crypto/suite.js';
export { sha256 } from './crypto/sha256.js';
export { checkEd25519PublicKey, type Ed25519, type Ed25519Signer } from './crypto/ed25519.js';
export type { X25519 } from './crypto/x25519.js';
export type { AesGcm } from './crypto/aes-gcm.js';
export type { Kdf } from './crypto/hkdf.js';
export { xchachaOpen, xchachaSeal } from './crypto/xchacha20-poly1305.js';
export {
  HPKE_SUITE,
  createHpkeSuite,
  hpkeOpen,
  hpkeSeal,
  type HpkeOpenInput,
  type HpkeSealInput,
  type HpkeSealed,
} from './crypto/hpke.js';

export {
  accountIdFromPublicKey,
  isAccountKey,
  parseAccountId,
  type AccountId,
} from './identity/account-id.js';
export {
  generateIdentity,
  identityFromSecrets,
  type Identity,
  type IdentitySecrets,
} from './identity/identity.js';
export {
  SIGNATURE_CONTEXTS,
  signFor,
  signingInput,
  verifyFor,
  type SignatureContext,
  type SignatureFailure,
} from './identity/signature.js';
export {
  DEFAULT_SCRYPT_PARAMS,
  KEY_FILE_FORMAT,
  KEY_FILE_VERSION,
  exportKeyFile,
  importKeyFile,
  type ExportKeyFileInput,
  type ScryptParams,
} from './identity/key-file.js';

export {
  DEFAULT_MAX_ENVELOPE_BYTES,
  ENVELOPE_VERSION,
  TOPIC_BYTES,
  asTopic,
  createEnvelope,
  decodeEnvelope,
  type EncodedEnvelope,
  type Envelope,
  type EnvelopeLimits,
  type Topic,
} from './envelope/envelope.js';
export {
  INBOX_TOPIC_TAG,
  SHARED_TOPIC_TAG,
  inboxTopic,
  isInboxOf,
  isInboxTopic,
  newSharedTopic,
} from './envelope/inbox.js';
export {
  LOGIN_NONCE_BYTES,
  answerChallenge,
  identityLoginSigner,
  loginMessage,
  type LoginSigner,
  type LoginStatement,
} from './auth/login.js';
export {
  DIRECTORY_ENTRY_VERSION,
  MAX_DEVICES,
  MAX_DIRECTORY_ENTRY_BYTES,
  MAX_KEY_PACKAGE_BYTES,
  certifyDevice,
  createDirectoryEntry,
  verifyDirectoryEntry,
  type DeviceCertificate,
  type DirectoryEntry,
  type DirectoryEntryFailure,
} from './directory/directory-entry.js';
export { fromBase64Url, toBase64Url } from './crypto/base64url.js';
export {
  MLS_CIPHERSUITE,
  createMlsContext,
  loadMlsCipherSuite,
  mlsClientConfig,
  type MlsContext,
} from './mls/mls-suite.js';
export {
  decodeGroupState,
  encodeGroupState,
  epochOf,
  groupIdOf,
  groupMembers,
  isRemovedFromGroup,
  leavesOf,
  type GroupLeaf,
  type GroupMember,
  type GroupState,
} from './mls/group-state.js';
export {
  commitChanges,
  createChatGroup,
  encryptApplicationMessage,
  joinChatGroup,
  type CommitResult,
  type GroupChange,
  type JoinFailure,
} from './mls/group.js';
export {
  decodeGroupMessage,
  processGroupMessage,
  type GroupMessage,
  type ProcessedMessage,
} from './mls/group-message.js';
export {
  checkKeyPackage,
  generateKeyPackage,
  unsafeForgeKeyPackage,
  type CheckedKeyPackage,
  type ClaimedKeyPackage,
  type GeneratedKeyPackage,
  type KeyPackageFailure,
  type KeyPackageSecrets,
  type MemberDevice,
} from './mls/key-package.js';
export {
  createAuthenticationService,
  memberCredential,
  readMemberCredential,
  type DeviceLookup,
  type MemberIdentity,
} from './mls/member-credential.js';
export { decodeMls, readMlsHeader, type MlsHeader } from './mls/mls-header.js';
export {
  CONTENT_TYPE_PATTERN,
  MAX_CONTENT_BYTES,
  MAX_CONTENT_DEPTH,
  MAX_REACTION_BYTES,
  MAX_TEXT_BYTES,
  MESSAGE_REF_BYTES,
  RESERVED_CONTENT_TYPES,
  SUPPORTED_CONTENT_TYPES,
  type DeleteContent,
  type EditContent,
  type LeaveContent,
  type MessageContent,
  type ReactionContent,
  type ReplyContent,
  type TextContent,
  type UnsupportedContent,
} from './content/content-types.js';
export {
  contentFromWire,
  contentTarget,
  contentToWire,
  decodeContent,
  encodeContent,
  isShownAsMessage,
} from './content/content.js';
export {
  MAX_ENTRY_CHECKPOINT_BYTES,
  MAX_HEADS,
  createChatEntry,
  entryHash,
  openChatEntry,
  type ChatBody,
  type ChatEntry,
  type ChatEntryFailure,
} from './mls/chat-entry.js';
export {
  openInvitation,
  sealInvitation,
  type Invitation,
  type InvitationFailure,
} from './mls/invitation.js';
export {
  READER_ID_BYTES,
  TOPIC_WRITE_LABEL,
  deriveTopicWriteKey,
  readerId,
  signCursor,
  signWrite,
  verifyCursor,
  verifyWrite,
  type CursorClaim,
  type TopicWriteKey,
  type WriteClaim,
  type WriteProof,
} from './mls/topic-write-key.js';
export {
  MERKLE_HASH_BYTES,
  consistencyProof,
  buildConsistencyProof,
  buildInclusionProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
  type MerkleProofFailure,
  type SubtreeHasher,
} from './log/merkle.js';
export { MerkleTree } from './log/merkle-tree.js';
export {
  MAX_NOTE_SIGNATURES,
  MAX_SIGNED_NOTE_BYTES,
  noteKeyId,
  openSignedNote,
  verifyNoteSignature,
  type NoteSignature,
  type NoteSignatureFailure,
  type SignedNote,
} from './log/signed-note.js';
export {
  MAX_CHECKPOINT_BYTES,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpointSignature,
  type Checkpoint,
  type CheckpointFailure,
} from './log/checkpoint.js';
export { logLeafHash } from './log/leaf.js';
export {
  NOTE_COSIGNATURE_TYPE,
  addNoteSignatures,
  cosignCheckpoint,
  cosignatureKeyId,
  verifyCosignature,
} from './log/cosignature.js';
export {
  MAX_ADD_CHECKPOINT_BYTES,
  MAX_WITNESS_PROOF_HASHES,
  decideAddCheckpoint,
  formatAddCheckpoint,
  parseAddCheckpoint,
  type AddCheckpointRequest,
  type WitnessDecision,
} from './log/witness.js';
export { MAX_BATCH_LEAVES, decodeLogBatch, encodeLogBatch, type LogBatch } from './log/batch.js';
export {
  createRelayReceiptSigner,
  signRelayReceipt,
  verifyRelayReceipt,
  type RelayReceipt,
} from './log/receipt.js';
export { orderEntries, type EntryLinks } from './history/order.js';
export {
  afterOwnEntry,
  chainKey,
  nextEntryLinks,
  observeEntry,
  type ChainProblem,
  type ChainRange,
  type ChainState,
  type HeldAround,
  type HeldEntry,
  type ObservedEntry,
  type Observation,
} from './history/chain-tracker.js';
export {
  verifyHistory,
  type HistoryProblem,
  type HistoryReport,
  type VerifiedEntry,
  type VerifyHistoryOptions,
} from './history/verify.js';
export {
  MAX_TRANSCRIPT_BYTES,
  TRANSCRIPT_TYPE,
  decodeTranscript,
  encodeTranscript,
  verifyTranscript,
  type Transcript,
  type TranscriptReport,
} from './history/transcript.js';
export type { TranscriptOrderProblem } from './history/transcript-order.js';

// The wire protocol (docs/spec/relay-api.md): every HTTP body, WebSocket frame, receipt and error.
export {
  checkWire,
  parseWire,
  type FromSchema,
  type JsonSchema,
  type WireFailure,
} from './wire/json-schema.js';
export {
  accountIdSchema,
  base64urlSchema,
  cidSchema,
  countSchema,
  decimalCountSchema,
  timestampSchema,
  topicSchema,
} from './wire/fields.js';
export { errorBody, errorBodySchema, type ErrorBody, type Refusal } from './wire/error-body.js';
export { receiptSchema, type WireReceipt } from './wire/receipt.js';
export {
  challengeAnswerSchema,
  sessionAnswerSchema,
  sessionRequestSchema,
  type ChallengeAnswer,
  type SessionAnswer,
  type SessionRequest,
} from './wire/auth.js';
export {
  MAX_KEY_PACKAGES,
  directoryEntryAnswerSchema,
  directoryPutAnswerSchema,
  directoryPutSchema,
  keyPackageClaimAnswerSchema,
  type DirectoryEntryAnswer,
  type DirectoryPut,
  type DirectoryPutAnswer,
  type KeyPackageClaimAnswer,
} from './wire/directory.js';
export {
  WRITE_PROOF_HEADERS,
  ackRequestSchema,
  binaryEnvelopePageSchema,
  envelopePageQuerySchema,
  envelopePageSchema,
  pageEnvelopeSchema,
  postEnvelopeSchema,
  type AckRequest,
  type EnvelopePage,
  type PageEnvelope,
  type PostEnvelope,
} from './wire/topics.js';
export { decodeEnvelopePage, envelopeOfFrame, type TopicEnvelope } from './wire/topic-envelope.js';
export {
  BATCH_HEADER,
  consistencyProofSchema,
  inclusionProofSchema,
  leavesSchema,
  relayInfoSchema,
  type ConsistencyProofBody,
  type InclusionProofBody,
  type LeavesBody,
  type RelayInfoAnswer,
} from './wire/log.js';
export {
  checkClientFrame,
  clientFrameSchemas,
  type ClientFrame,
  type ClientFrameOf,
} from './wire/client-frames.js';
export {
  decodeRelayFrame,
  encodeEnvelopeFrame,
  relayFrameSchemas,
  type RelayFrame,
  type RelayFrameOf,
} from './wire/relay-frames.js';
