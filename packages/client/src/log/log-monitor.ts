/**
 * The client's view of its relay's transparency log (docs/spec/log.md §Clients): it keeps the
 * checkpoints it saw, accepts a new one only if it is signed by the relay and consistent with the
 * last, checks that every envelope it sent or received is in the log at the index the relay gave,
 * compares checkpoints gossiped by other members, and keeps any contradiction as evidence. The
 * rules live in their parts: relay-pin, checkpoints, inclusions and evidence; this composes them.
 */
import type { CryptoSuite } from '@parley/core';
import type { Receipt, RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';
import { CheckpointView, type HeldCheckpoint, type WitnessKey } from './checkpoints.js';
import { EvidenceStore, type StoredEvidence } from './evidence.js';
import { InclusionTracker, type InclusionStatus } from './inclusions.js';
import { RelayPin, type PinnedRelay } from './relay-pin.js';

/** Options of the monitor. */
export interface LogMonitorOptions {
  readonly api: RelayApi;
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly clock: () => number;
  /** Pins the relay: its account id. Without it the first key seen is trusted (and kept). */
  readonly relayId?: string | undefined;
  readonly witnesses?: readonly WitnessKey[] | undefined;
  /** Checkpoints need this many valid cosignatures from `witnesses` to be adopted (default 0). */
  readonly requiredCosignatures?: number | undefined;
  /** Slack for clock skew before a receipt's `mergeBy` counts as broken (default 30 s). */
  readonly mergeGraceMs?: number | undefined;
  readonly onEvidence: (evidence: StoredEvidence) => void;
  readonly onIncluded: (chat: string, cid: string, leafIndex: number, size: number) => void;
}

/** Watches one relay's log on behalf of one client. Not re-entrant: the client serializes calls. */
export class LogMonitor {
  readonly #api: RelayApi;
  readonly #pin: RelayPin;
  readonly #evidence: EvidenceStore;
  readonly #checkpoints: CheckpointView;
  readonly #inclusions: InclusionTracker;

  constructor(options: LogMonitorOptions) {
    const { api, store, suite, clock } = options;
    this.#api = api;
    this.#pin = new RelayPin({ api, store, relayId: options.relayId });
    this.#evidence = new EvidenceStore({ store, clock, onEvidence: options.onEvidence });
    this.#checkpoints = new CheckpointView({
      api,
      store,
      suite,
      pin: this.#pin,
      evidence: this.#evidence,
      witnesses: options.witnesses,
      requiredCosignatures: options.requiredCosignatures,
    });
    this.#inclusions = new InclusionTracker({
      api,
      store,
      suite,
      clock,
      pin: this.#pin,
      checkpoints: this.#checkpoints,
      evidence: this.#evidence,
      mergeGraceMs: options.mergeGraceMs,
      onIncluded: options.onIncluded,
    });
  }

  /**
   * The relay's identity and log origin: pinned, or trusted on first use and kept.
   * Throws ClientError CLIENT_LOG_KEY_MISMATCH if it is not the relay pinned.
   */
  relay(): Promise<PinnedRelay> {
    return this.#pin.relay();
  }

  /**
   * The latest checkpoint adopted, if any; its signature is checked when it is first read from
   * the store, then remembered. Throws ClientError CLIENT_INTERNAL if the stored one does not verify.
   */
  latest(): Promise<HeldCheckpoint | undefined> {
    return this.#checkpoints.latest();
  }

  /**
   * Verifies and records the relay's signed receipt for an envelope this device sent, and queues
   * the envelope for an inclusion check. A receipt that does not verify is kept as no promise.
   */
  trackReceipt(chat: string, receipt: Receipt): Promise<boolean> {
    return this.#inclusions.trackReceipt(chat, receipt);
  }

  /** Queues an envelope received from the relay, at the leaf index it claimed, for checking. */
  trackDelivery(chat: string, cid: string, leafIndex: number): Promise<void> {
    return this.#inclusions.trackDelivery(chat, cid, leafIndex);
  }

  /**
   * Checks that a directory entry is leaf `leafIndex` (docs/spec/log.md §Key transparency): at
   * once if the held checkpoint covers it (true if proven, false with `not-included` evidence),
   * else queued like a delivered envelope and proven at a later refresh ('pending').
   */
  checkDirectoryEntry(cid: string, leafIndex: number): Promise<boolean | 'pending'> {
    return this.#inclusions.checkDirectoryEntry(cid, leafIndex);
  }

  /** Where an envelope stands: included (verified), pending, or not tracked. */
  inclusion(cid: string): Promise<InclusionStatus> {
    return this.#inclusions.inclusion(cid);
  }

  /** Every piece of evidence found so far, oldest first. */
  evidence(): Promise<StoredEvidence[]> {
    return this.#evidence.list();
  }

  /** How many tracked envelopes still wait for a checkpoint that covers them. */
  pendingCount(): Promise<number> {
    return this.#inclusions.pendingCount();
  }

  /**
   * Fetches the relay's latest checkpoint, checks it against the one held (signature, witnesses,
   * no rollback, consistency) and adopts it; then checks every pending inclusion it covers.
   * Returns the checkpoint held afterwards. Throws ClientError CLIENT_LOG_CHECKPOINT_INVALID if
   * the relay's checkpoint does not verify.
   */
  async refresh(): Promise<HeldCheckpoint | undefined> {
    const note = await this.#api.checkpoint();
    await this.#checkpoints.consider(note, 'relay');
    await this.#inclusions.checkPending();
    return this.latest();
  }

  /**
   * Compares a checkpoint another member saw (gossiped inside a chat entry) with this client's
   * view. A conflicting one becomes evidence; a consistent newer one is adopted.
   */
  compare(note: string): Promise<void> {
    return this.#checkpoints.consider(note, 'peer');
  }
}
