/**
 * The relay's one storage interface. The embedded implementation is SQLite
 * (`sqlite-store.ts`); every method is atomic, and a resolved write is durable.
 */

/** An envelope to append: its topic, CID (text) and canonical bytes. */
export interface EnvelopeToAppend {
  readonly topic: Uint8Array;
  readonly cid: string;
  readonly bytes: Uint8Array;
  /**
   * Set when the payload is an MLS Commit for this epoch: the relay, as MLS delivery service,
   * accepts one Commit per epoch per topic (RFC 9420 §14).
   */
  readonly commitEpoch?: number | undefined;
}

/** Where an accepted envelope sits in its topic. */
export interface StoredReceipt {
  readonly cid: string;
  readonly topic: Uint8Array;
  readonly seq: number;
  readonly receivedAt: number;
  /** True if these bytes were already stored, so nothing was written. */
  readonly duplicate: boolean;
}

/** The outcome of one append: a receipt, or the topic had no room. */
export type AppendOutcome = StoredReceipt | { readonly refused: 'topic-full' | 'commit-conflict' };

/** A stored envelope, as read back. */
export interface StoredEnvelope {
  readonly seq: number;
  readonly cid: string;
  readonly bytes: Uint8Array;
  readonly receivedAt: number;
}

/** A session as stored: only the SHA-256 of the token is kept. */
export interface StoredSession {
  readonly account: string;
  readonly expiresAt: number;
}

/** A stored directory entry. */
export interface StoredDirectoryEntry {
  readonly entry: Uint8Array;
  readonly cid: string;
  readonly updatedAt: number;
  readonly availableKeyPackages: number;
}

/** The outcome of a KeyPackage claim. */
export type ClaimOutcome =
  { readonly keyPackage: Uint8Array; readonly lastResort: boolean } | { readonly missing: true };

/** Retention limits applied by `sweep`. */
export interface RetentionLimits {
  readonly now: number;
  readonly maxAgeMs: number;
  readonly maxBytesPerTopic: number;
}

/** The storage the relay needs. */
export interface RelayStore {
  /**
   * Appends envelopes in one durable transaction, in order; the same CID gets its existing
   * receipt. A topic's Commits must carry epochs 0, 1, 2… in order; any other is refused.
   * A topic that would exceed `maxBytesPerTopic` first evicts envelopes every
   * subscriber acknowledged, and refuses the envelope if that is not enough.
   */
  appendEnvelopes(
    items: readonly EnvelopeToAppend[],
    receivedAt: number,
    maxBytesPerTopic: number,
  ): Promise<AppendOutcome[]>;
  /** Envelopes of `topic` with seq > `afterSeq`, in seq order, at most `limit`. */
  listEnvelopes(topic: Uint8Array, afterSeq: number, limit: number): Promise<StoredEnvelope[]>;
  /** The last seq assigned in `topic` (0 if none). */
  lastSeq(topic: Uint8Array): Promise<number>;
  /** Registers `account` as a subscriber of `topic` (keeps its cursor if it has one). */
  addSubscriber(account: string, topic: Uint8Array): Promise<void>;
  /** Moves `account`'s acknowledged seq on `topic` forward (never back, never past the last seq). */
  acknowledge(account: string, topic: Uint8Array, seq: number): Promise<void>;
  /** The seq `account` acknowledged on `topic`, or undefined if it never subscribed. */
  acknowledgedSeq(account: string, topic: Uint8Array): Promise<number | undefined>;
  /** Removes expired envelopes and acknowledged overflow; returns how many were removed. */
  sweep(limits: RetentionLimits): Promise<number>;

  putSession(tokenHash: Uint8Array, session: StoredSession): Promise<void>;
  getSession(tokenHash: Uint8Array): Promise<StoredSession | undefined>;
  deleteExpiredSessions(now: number): Promise<void>;

  isMember(account: string): Promise<boolean>;
  /** Spends an invite code (by hash) and admits `account`; false if unknown or used. */
  redeemInvite(codeHash: Uint8Array, account: string, now: number): Promise<boolean>;
  addInvites(codeHashes: readonly Uint8Array[], now: number): Promise<void>;

  getDirectoryEntry(account: string): Promise<StoredDirectoryEntry | undefined>;
  /**
   * Stores a verified entry if newer than the stored one and adds one-time KeyPackages (never
   * ones already handed out). Returns 'stale' or 'too-many-key-packages' instead of writing.
   */
  putDirectoryEntry(
    account: string,
    entry: { bytes: Uint8Array; cid: string; updatedAt: number; lastResort: Uint8Array },
    keyPackages: readonly { hash: Uint8Array; bytes: Uint8Array }[],
    maxKeyPackages: number,
    now: number,
  ): Promise<'stored' | 'stale' | 'too-many-key-packages'>;
  /** Hands out one unclaimed KeyPackage exactly once, else the last-resort one. */
  claimKeyPackage(account: string, now: number): Promise<ClaimOutcome>;

  /** Approximate bytes on disk. */
  sizeBytes(): Promise<number>;
  /** True if the store answers queries. */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}
