/**
 * The log's sequencer side (docs/spec/log.md §Batches): closes a batch when `batchIntervalMs`
 * passed since the last checkpoint and leaves wait, or at once when `batchMaxLeaves` wait. Closing
 * writes the batch file, signs the checkpoint (C2SP), gathers witness cosignatures, stores both
 * in one transaction, then publishes. One batch closes at a time; state resumes from the store.
 * Only the holder of the log writer's lease signs: each batch renews it first.
 */
import {
  addNoteSignatures,
  encodeLogBatch,
  formatCheckpoint,
  signCheckpoint,
  type CryptoSuite,
} from '@parley/core';
import type { WitnessConfig } from '../config/config.js';
import { RelayError } from '../errors.js';
import type { Lease } from '../lease/lease.js';
import type { LogStore, StoredCheckpoint } from '../store/log-store.js';
import type { TimerHandle, Timers } from '../time/timers.js';
import { requestCosignatures } from './witness-client.js';

/** The dependencies and settings of a checkpointer. */
export interface CheckpointerOptions {
  readonly store: LogStore;
  readonly suite: CryptoSuite;
  /** The relay's Ed25519 signing seed (its identity key names the log). */
  readonly seed: Uint8Array;
  /** The checkpoint origin, also the signature's key name. */
  readonly origin: string;
  readonly clock: () => number;
  readonly batchIntervalMs: number;
  readonly batchMaxLeaves: number;
  readonly witnesses: readonly WitnessConfig[];
  readonly witnessTimeoutMs: number;
  readonly fetch: typeof fetch;
  /** Schedules the batch timer (the relay's are unref'd: a pending batch keeps nothing alive). */
  readonly timers: Timers;
  /** The log writer's lease: without it this process signs nothing and follows the store. */
  readonly lease: Lease;
  readonly onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
  readonly onWitnessFailure?: (witness: string, reason: string) => void;
  readonly onError?: (error: unknown) => void;
}

/** Turns the log's leaves into signed, witnessed checkpoints. */
export class Checkpointer {
  readonly #options: CheckpointerOptions;
  #latest: StoredCheckpoint | undefined;
  #timer: TimerHandle | undefined;
  #running: Promise<void> = Promise.resolve();
  #isBusy = false;
  #isAgain = false;
  #isClosed = false;

  constructor(options: CheckpointerOptions) {
    this.#options = options;
  }

  /**
   * Loads the latest checkpoint, signing the one of size 0 on a new log so that clients can fetch
   * a checkpoint at once, and schedules a batch for leaves a crash left unsigned. Takes the lease
   * first; a process that does not get it signs nothing, not even the first checkpoint.
   * @throws RelayError RELAY_LEASE_NOT_HELD if the lease is held elsewhere and the log has no
   *   checkpoint yet
   */
  async start(): Promise<StoredCheckpoint> {
    const { store, origin, clock } = this.#options;
    const isWriter = await this.#options.lease.acquire();
    let latest = await store.latestCheckpoint();
    if (latest === undefined && !isWriter) {
      throw new RelayError('RELAY_LEASE_NOT_HELD');
    }
    if (latest === undefined) {
      const body = formatCheckpoint({
        origin,
        size: 0,
        rootHash: await store.logRoot(0),
        extensions: [],
      });
      latest = {
        size: 0,
        note: await signCheckpoint(this.#options.suite, this.#options.seed, origin, body),
        createdAt: clock(),
        batchCid: null,
      };
      await store.putCheckpoint(latest, null, new Map());
    }
    this.#latest = latest;
    await this.#check();
    return latest;
  }

  /** The latest stored checkpoint. Throws Error before `start`. */
  latest(): StoredCheckpoint {
    if (this.#latest === undefined) throw new Error('the checkpointer has not started');
    return this.#latest;
  }

  /** Tells the checkpointer that leaves were added (cheap; call after every commit). */
  notify(): void {
    // While a batch closes, the check that follows it sees these leaves.
    if (this.#isClosed || this.#isBusy) return;
    const work = this.#options.lease.isHeld() ? this.#check() : this.#follow();
    work.catch((error: unknown) => this.#options.onError?.(error));
  }

  /** Closes a batch of whatever leaves wait now, regardless of time and count. */
  async flush(): Promise<void> {
    this.#trigger();
    await this.#running;
  }

  /** Stops scheduling and waits for a batch being closed. */
  async close(): Promise<void> {
    this.#isClosed = true;
    this.#cancelTimer();
    await this.#running;
  }

  /** Without the lease: the latest checkpoint is whatever the lease holder stored last. */
  async #follow(): Promise<void> {
    const stored = await this.#options.store.latestCheckpoint();
    if (stored !== undefined && stored.size > this.latest().size) this.#latest = stored;
  }

  #cancelTimer(): void {
    this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #check(): Promise<void> {
    if (this.#isClosed || this.#isBusy || !this.#options.lease.isHeld()) return;
    const latest = this.latest();
    const waiting = (await this.#options.store.logSize()) - latest.size;
    if (waiting <= 0) return;
    if (waiting >= this.#options.batchMaxLeaves) {
      this.#trigger();
      return;
    }
    if (this.#timer !== undefined) return;
    const due = latest.createdAt + this.#options.batchIntervalMs - this.#options.clock();
    this.#timer = this.#options.timers.setTimeout(
      () => {
        this.#timer = undefined;
        this.#trigger();
      },
      Math.max(0, due),
    );
  }

  #trigger(): void {
    if (this.#isClosed) return;
    this.#cancelTimer();
    if (this.#isBusy) {
      this.#isAgain = true;
      return;
    }
    this.#isBusy = true;
    this.#running = (async () => {
      try {
        do {
          this.#isAgain = false;
          await this.#closeBatch();
          // #isAgain is set by #trigger while #closeBatch awaits; the linter cannot see that.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
        } while (this.#isAgain && !this.#isClosed);
      } catch (error) {
        this.#options.onError?.(error);
      } finally {
        this.#isBusy = false;
      }
      // Leaves beyond batchMaxLeaves, or added meanwhile, wait for the next turn.
      await this.#check();
    })().catch((error: unknown) => this.#options.onError?.(error));
  }

  /**
   * Signs, witnesses and stores the checkpoint of up to batchMaxLeaves more leaves, if the lease
   * is still held (renewing it); a process that lost it follows the store instead.
   */
  async #closeBatch(): Promise<void> {
    const { store, suite, seed, origin, clock } = this.#options;
    if (!(await this.#options.lease.renew())) {
      await this.#follow();
      return;
    }
    const previous = this.latest();
    const start = previous.size;
    const end = Math.min(await store.logSize(), start + this.#options.batchMaxLeaves);
    if (end <= start) return;
    const leaves = await store.leafRange(start, end);
    const batch = encodeLogBatch({
      v: 1,
      origin,
      start,
      end,
      leaves: leaves.map((leaf) => leaf.cid),
      prev: previous.batchCid,
    });
    const body = formatCheckpoint({
      origin,
      size: end,
      rootHash: await store.logRoot(end),
      extensions: [],
    });
    let note = await signCheckpoint(suite, seed, origin, body);
    const cosignatures = await requestCosignatures({
      suite,
      fetch: this.#options.fetch,
      witnesses: this.#options.witnesses,
      sizes: this.#options.witnesses.length === 0 ? new Map() : await store.witnessSizes(),
      note,
      size: end,
      proof: (from) => store.logConsistencyProof(from, end),
      timeoutMs: this.#options.witnessTimeoutMs,
      onFailure: (witness, reason) => this.#options.onWitnessFailure?.(witness, reason),
    });
    if (cosignatures.lines.length > 0) note = addNoteSignatures(note, cosignatures.lines);
    const checkpoint: StoredCheckpoint = {
      size: end,
      note,
      createdAt: clock(),
      batchCid: batch.cid,
    };
    await store.putCheckpoint(
      checkpoint,
      { cid: batch.cid, start, end, bytes: batch.bytes },
      cosignatures.sizes,
    );
    this.#latest = checkpoint;
    this.#options.onCheckpoint?.(checkpoint);
  }
}
