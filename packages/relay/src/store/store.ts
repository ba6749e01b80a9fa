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
  /**
   * The epoch write key whose proof the relay verified (shared topics; absent on inbox topics).
   * An unclaimed topic takes it on trust; then only its current key (or, outside Commits, the
   * previous one) may post (docs/spec/chats.md §Write keys).
   */
  readonly writer?: Uint8Array | undefined;
  /** A Commit's next epoch write key: it becomes the topic's current key. */
  readonly next?: Uint8Array | undefined;
}

/** Where an accepted envelope sits in its topic. */
export interface StoredReceipt {
  readonly cid: string;
  readonly topic: Uint8Array;
  readonly seq: number;
  readonly receivedAt: number;
  /** The envelope's leaf in the transparency log (a duplicate keeps its original leaf). */
  readonly leafIndex: number;
  /** True if these bytes were already stored, so nothing was written. */
  readonly duplicate: boolean;
}

/** The outcome of one append: a receipt, or the topic had no room. */
export type AppendOutcome =
  StoredReceipt | { readonly refused: 'topic-full' | 'commit-conflict' | 'not-a-writer' };

/** A stored envelope, as read back. */
export interface StoredEnvelope {
  readonly seq: number;
  readonly cid: string;
  readonly bytes: Uint8Array;
  readonly receivedAt: number;
  readonly leafIndex: number;
}

/** A leaf of the transparency log: its index, the CID it logs (text) and its leaf hash. */
export interface StoredLeaf {
  readonly index: number;
  readonly cid: string;
  readonly hash: Uint8Array;
}

/** A signed checkpoint as stored, with the batch file that ends at its size (none for size 0). */
export interface StoredCheckpoint {
  readonly size: number;
  /** The signed note: checkpoint body, the relay's signature and any witness cosignatures. */
  readonly note: string;
  readonly createdAt: number;
  readonly batchCid: string | null;
}

/** A batch file to store with its checkpoint. */
export interface BatchFile {
  readonly cid: string;
  readonly start: number;
  readonly end: number;
  readonly bytes: Uint8Array;
}

/** The last checkpoint this relay cosigned for a log it witnesses. */
export interface CosignedState {
  readonly size: number;
  readonly rootHash: Uint8Array;
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
   * A post with a `writer` must be allowed by the topic's write keys ('not-a-writer' if not).
   * A topic that would exceed `maxBytesPerTopic` first evicts envelopes every cursor proven at
   * the current or previous key epoch acknowledged, and refuses the envelope if that is not enough.
   */
  appendEnvelopes(
    items: readonly EnvelopeToAppend[],
    receivedAt: number,
    maxBytesPerTopic: number,
  ): Promise<AppendOutcome[]>;
  /**
   * Envelopes of `topic` with seq > `afterSeq`, in seq order, at most `limit`, and with
   * `maxBytes` no more envelope bytes than that (but always the first one, however large).
   */
  listEnvelopes(
    topic: Uint8Array,
    afterSeq: number,
    limit: number,
    options?: { readonly maxBytes?: number },
  ): Promise<StoredEnvelope[]>;
  /** The last seq assigned in `topic` (0 if none). */
  lastSeq(topic: Uint8Array): Promise<number>;
  /**
   * Moves the cursor of pseudonymous `reader` on `topic` forward (never back, never past the
   * last seq). On a shared topic `writer` must be the topic's current write key, whose proof the
   * relay verified ('not-a-writer' otherwise); an inbox's owner passes no writer.
   */
  acknowledge(
    topic: Uint8Array,
    reader: Uint8Array,
    seq: number,
    writer: Uint8Array | undefined,
    now: number,
  ): Promise<'ok' | 'not-a-writer'>;
  /** The seq `reader` acknowledged on `topic`, or undefined if it has no cursor. */
  acknowledgedSeq(topic: Uint8Array, reader: Uint8Array): Promise<number | undefined>;
  /**
   * Removes expired envelopes, acknowledged overflow and cursors idle for `maxAgeMs`; returns
   * how many envelopes were removed.
   */
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
   * Stores a verified entry if newer than the stored one, deletes the unclaimed KeyPackages of
   * every device it no longer lists, and adds one-time KeyPackages (never ones already handed
   * out). The pool limit counts what is left: packages of listed devices. Returns 'stale' or
   * 'too-many-key-packages' instead of writing.
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
   * Hands out one unclaimed KeyPackage exactly once, else the last-resort one; with
   * `oneTime: false` the last-resort one without touching the pool.
   */
  claimKeyPackage(
    account: string,
    now: number,
    options?: { readonly oneTime?: boolean },
  ): Promise<ClaimOutcome>;

  /** Number of leaves in the transparency log (every leaf is committed with what it logs). */
  logSize(): Promise<number>;
  /** The root of the log's first `size` leaves. RangeError if the log is smaller. */
  logRoot(size: number): Promise<Uint8Array>;
  /** Inclusion proof of leaf `index` in the tree of `size` leaves. RangeError unless index < size ≤ log size. */
  logInclusionProof(index: number, size: number): Promise<Uint8Array[]>;
  /** Consistency proof from `from` to `to` leaves. RangeError unless 0 < from ≤ to ≤ log size. */
  logConsistencyProof(from: number, to: number): Promise<Uint8Array[]>;
  /** Leaves [start, end), in order (fewer if the log ends first). */
  leafRange(start: number, end: number): Promise<StoredLeaf[]>;
  /** The leaf index of `cid`, or undefined if it is not logged. */
  leafIndexOfCid(cid: string): Promise<number | undefined>;
  /** The index of the leaf with this RFC 9162 leaf hash, or undefined. */
  leafIndexOfHash(hash: Uint8Array): Promise<number | undefined>;
  /**
   * Stores a signed checkpoint, its batch file and the sizes our witnesses cosigned, in one
   * transaction. A checkpoint of a size already stored is an error.
   */
  putCheckpoint(
    checkpoint: StoredCheckpoint,
    batch: BatchFile | null,
    witnessSizes: ReadonlyMap<string, number>,
  ): Promise<void>;
  /** The checkpoint of the largest size, or undefined before the first. */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** The checkpoint of exactly `size` leaves, if one was signed. */
  getCheckpoint(size: number): Promise<StoredCheckpoint | undefined>;
  /** The bytes of the batch file with this CID (text), if stored. */
  getBatch(cid: string): Promise<Uint8Array | undefined>;
  /** The size each of our witnesses (by name) last cosigned. */
  witnessSizes(): Promise<Map<string, number>>;
  /** The last checkpoint this relay cosigned for `origin`, as a witness. */
  getCosignedState(origin: string): Promise<CosignedState | undefined>;
  /**
   * Records `next` as the last cosigned checkpoint of `origin` only if the stored state is still
   * `expected` (undefined: none): false, writing nothing, if another request changed it first.
   */
  replaceCosignedState(
    origin: string,
    expected: CosignedState | undefined,
    next: CosignedState,
  ): Promise<boolean>;

  /** Approximate bytes on disk. */
  sizeBytes(): Promise<number>;
  /** True if the store answers queries. */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}
