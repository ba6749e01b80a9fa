/**
 * Group commit: envelopes arriving in the same event-loop turn are appended in one durable
 * transaction (one fsync), then each sender gets its receipt and subscribers get the pushes.
 */
import { toBase64Url, type EncodedEnvelope } from '@parley/core';
import type { Bus } from '../bus/bus.js';
import { RelayError } from '../errors.js';
import type { StoredReceipt, TopicStore } from '../store/topic-store.js';

interface Pending {
  readonly encoded: EncodedEnvelope;
  readonly commitEpoch: number | undefined;
  readonly writer: WriterKeys | undefined;
  readonly resolve: (receipt: StoredReceipt) => void;
  readonly reject: (error: unknown) => void;
}

/** The verified write proof's keys of a post to a shared topic. */
export interface WriterKeys {
  readonly writer: Uint8Array;
  readonly next?: Uint8Array | undefined;
}

const REFUSALS = {
  'commit-conflict': 'RELAY_COMMIT_CONFLICT',
  'not-a-writer': 'RELAY_WRITE_FORBIDDEN',
  'topic-full': 'RELAY_TOPIC_FULL',
} as const;

/** Options of the writer. */
export interface EnvelopeWriterOptions {
  readonly store: TopicStore;
  readonly bus: Bus;
  readonly clock: () => number;
  readonly maxBytesPerTopic: number;
  readonly maxBatch?: number;
  readonly onCommit?: (count: number, durationMs: number) => void;
  /**
   * A push the bus could not carry. The envelope is durable and its receipt sent; subscribers
   * catch up from the store, so this is only logged.
   */
  readonly onPublishError?: (error: unknown) => void;
}

/** Batches appends; `append` resolves only after the envelope is on disk. */
export class EnvelopeWriter {
  readonly #options: EnvelopeWriterOptions;
  #queue: Pending[] = [];
  #scheduled = false;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: EnvelopeWriterOptions) {
    this.#options = options;
  }

  /**
   * Stores the envelope durably and returns its receipt (the existing one for a duplicate).
   * `writer` carries the keys of a verified write proof (shared topics).
   * @throws RelayError RELAY_TOPIC_FULL | RELAY_COMMIT_CONFLICT | RELAY_WRITE_FORBIDDEN
   */
  append(
    encoded: EncodedEnvelope,
    commitEpoch?: number,
    writer?: WriterKeys,
  ): Promise<StoredReceipt> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ encoded, commitEpoch, writer, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#flushing = this.#flushing.then(() => this.#flush());
        });
      }
    });
  }

  /** Waits for every queued append to finish. */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#scheduled) {
      await new Promise((resolve) => setImmediate(resolve));
      await this.#flushing;
    }
    await this.#flushing;
  }

  async #flush(): Promise<void> {
    const maxBatch = this.#options.maxBatch ?? 2000;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, maxBatch);
      const receivedAt = this.#options.clock();
      const started = performance.now();
      let outcomes;
      try {
        outcomes = await this.#options.store.appendEnvelopes(
          batch.map((item) => ({
            topic: item.encoded.envelope.topic,
            cid: item.encoded.cid.toString(),
            bytes: item.encoded.bytes,
            commitEpoch: item.commitEpoch,
            writer: item.writer?.writer,
            next: item.writer?.next,
          })),
          receivedAt,
          this.#options.maxBytesPerTopic,
        );
      } catch (error) {
        for (const item of batch) item.reject(error);
        continue;
      }
      this.#options.onCommit?.(batch.length, performance.now() - started);
      batch.forEach((item, index) => {
        const outcome = outcomes[index];
        if (outcome === undefined || 'refused' in outcome) {
          item.reject(new RelayError(REFUSALS[outcome?.refused ?? 'topic-full']));
          return;
        }
        item.resolve(outcome);
        if (!outcome.duplicate) {
          this.#options.bus
            .publish({
              topicKey: toBase64Url(outcome.topic),
              seq: outcome.seq,
              cid: outcome.cid,
              receivedAt: outcome.receivedAt,
              leafIndex: outcome.leafIndex,
              bytes: item.encoded.bytes,
            })
            .catch((error: unknown) => this.#options.onPublishError?.(error));
        }
      });
    }
  }
}
