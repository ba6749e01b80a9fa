/**
 * The log store port: the transparency log's leaves (appended by the topic and directory stores
 * with what they log), its signed checkpoints and batch files, and witness state
 * (docs/spec/log.md). Every method is atomic; a resolved write is durable.
 */

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

/** The transparency log, its checkpoints and the witness state. */
export interface LogStore {
  /** Number of leaves in the transparency log (every leaf is committed with what it logs). */
  logSize(): Promise<number>;
  /** The root of the log's first `size` leaves. @throws RangeError if the log is smaller */
  logRoot(size: number): Promise<Uint8Array>;
  /** Inclusion proof of leaf `index` in the tree of `size` leaves. @throws RangeError unless index < size ≤ log size */
  logInclusionProof(index: number, size: number): Promise<Uint8Array[]>;
  /** Consistency proof from `from` to `to` leaves. @throws RangeError unless 0 < from ≤ to ≤ log size */
  logConsistencyProof(from: number, to: number): Promise<Uint8Array[]>;
  /** Leaves [start, end), in order (fewer if the log ends first). */
  leafRange(start: number, end: number): Promise<StoredLeaf[]>;
  /** The leaf index of `cid`, or undefined if it is not logged. */
  leafIndexOfCid(cid: string): Promise<number | undefined>;
  /** The index of the leaf with this RFC 9162 leaf hash, or undefined. */
  leafIndexOfHash(hash: Uint8Array): Promise<number | undefined>;
  /**
   * Stores a signed checkpoint, its batch file and the sizes our witnesses cosigned, in one
   * transaction. @throws Error if a checkpoint of that size is already stored (nothing written)
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
}
