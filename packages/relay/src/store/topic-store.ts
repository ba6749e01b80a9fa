/**
 * The topic store port: envelopes by (topic, seq), write keys and pseudonymous cursors. Every
 * method is atomic and a resolved write is durable; the conditional writes below (one Commit per
 * epoch, write keys, eviction) are store guarantees because only the store can apply them
 * atomically with the append (docs/adr/0017-relay-ports.md).
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

/** The outcome of one append: a receipt, or why the topic refused it. */
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

/** Retention limits applied by `sweep`. */
export interface RetentionLimits {
  readonly now: number;
  readonly maxAgeMs: number;
  readonly maxBytesPerTopic: number;
}

/** Envelopes, write keys and cursors of every topic. */
export interface TopicStore {
  /**
   * Appends envelopes in one durable transaction, in order, each with its transparency-log leaf
   * in the same transaction; the same CID gets its existing receipt. A topic's Commits must carry
   * epochs 0, 1, 2… in order; any other is refused. A post with a `writer` must be allowed by
   * the topic's write keys ('not-a-writer' if not). A topic that would exceed `maxBytesPerTopic`
   * first evicts envelopes every cursor proven at the current or previous key epoch
   * acknowledged, and refuses the envelope if that is not enough.
   * @throws CoreError CORE_CID_* if a CID is not a Parley CID (nothing written)
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
}
