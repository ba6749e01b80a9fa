/**
 * The checkpoints a client adopted from its relay's log (docs/spec/log.md §Clients): a new one
 * is adopted only if it is signed by the relay, cosigned by enough witnesses and consistent with
 * the last; one gossiped by another member is compared; every contradiction becomes evidence.
 */
import {
  equalBytes,
  fromUtf8,
  utf8,
  verifyCheckpointSignature,
  verifyConsistency,
  verifyCosignature,
  type Checkpoint,
  type CryptoSuite,
} from '@parley/core';
import { ClientError } from '../errors.js';
import type { RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';
import { isAnswerRefusal } from './answer-refusal.js';
import type { EvidenceStore } from './evidence.js';
import type { RelayPin } from './relay-pin.js';
import { LOG_KEYS } from './store-keys.js';

/** A witness whose cosignatures a client can require (C2SP tlog-cosignature). */
export interface WitnessKey {
  readonly name: string;
  readonly publicKey: Uint8Array;
}

/** A checkpoint this client verified and adopted. */
export interface HeldCheckpoint {
  readonly note: string;
  readonly checkpoint: Checkpoint;
}

/** Where a checkpoint to consider came from: the relay itself, or another member's entry. */
export type CheckpointSource = 'relay' | 'peer';

/** What the checkpoint view is built from. */
export interface CheckpointViewOptions {
  readonly api: Pick<RelayApi, 'consistencyProof'>;
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly pin: RelayPin;
  readonly evidence: EvidenceStore;
  readonly witnesses?: readonly WitnessKey[] | undefined;
  /** Checkpoints need this many valid cosignatures from `witnesses` to be adopted (default 0). */
  readonly requiredCosignatures?: number | undefined;
}

/** The latest checkpoint a client holds, and the rules for moving it on. */
export class CheckpointView {
  readonly #o: CheckpointViewOptions;
  /**
   * The held checkpoint whose signature was checked, so that `latest()` (called on every send)
   * checks a signature once per new checkpoint, not once per call.
   */
  #verified: HeldCheckpoint | undefined;

  constructor(options: CheckpointViewOptions) {
    this.#o = options;
  }

  /**
   * The latest checkpoint adopted, if any; its signature is checked when it is first read from
   * the store, then remembered. Throws ClientError CLIENT_INTERNAL if the stored one does not verify.
   */
  async latest(): Promise<HeldCheckpoint | undefined> {
    const stored = await this.#o.store.get(LOG_KEYS.latest);
    if (stored === undefined) return undefined;
    const note = fromUtf8(stored);
    if (this.#verified?.note === note) return this.#verified;
    const relay = await this.#o.pin.relay();
    const verified = await verifyCheckpointSignature(
      this.#o.suite,
      note,
      relay.origin,
      relay.publicKey,
    );
    if (!verified.ok) throw new ClientError('CLIENT_INTERNAL', '(stored checkpoint unreadable)');
    this.#verified = { note, checkpoint: verified.value };
    return this.#verified;
  }

  /**
   * Checks a checkpoint against the one held (signature, witnesses, no rollback, consistency)
   * and adopts it if it is newer. From a peer, a note that does not verify proves nothing and is
   * ignored. Throws ClientError CLIENT_LOG_CHECKPOINT_INVALID if the relay's own does not verify.
   */
  async consider(note: string, source: CheckpointSource): Promise<void> {
    const relay = await this.#o.pin.relay();
    const verified = await verifyCheckpointSignature(
      this.#o.suite,
      note,
      relay.origin,
      relay.publicKey,
    );
    if (!verified.ok) {
      // A peer's note for another log, or garbage, proves nothing; from the relay it is refused.
      if (source === 'relay') {
        throw new ClientError('CLIENT_LOG_CHECKPOINT_INVALID', `(${verified.reason})`);
      }
      return;
    }
    const next = verified.value;
    if (next.origin !== relay.origin) return;
    const held = await this.latest();
    if (held === undefined) {
      if (await this.#witnessed(note)) await this.#adopt(note, next);
      return;
    }
    const old = held.checkpoint;
    if (next.size === old.size) {
      if (!equalBytes(next.rootHash, old.rootHash)) {
        await this.#o.evidence.record({
          kind: 'split-view',
          notes: [held.note, note],
          detail: `two roots for size ${next.size} (${source === 'relay' ? 'served by the relay' : 'seen by another member'})`,
        });
      }
      return;
    }
    if (next.size < old.size) {
      if (source === 'relay') {
        await this.#o.evidence.record({
          kind: 'rollback',
          notes: [held.note, note],
          detail: `the relay served size ${next.size} after signing size ${old.size}`,
        });
        return;
      }
      // A member who is behind: its checkpoint must be a prefix of ours.
      await this.#checkConsistent(note, next, held.note, old, false);
      return;
    }
    const consistent = await this.#checkConsistent(held.note, old, note, next, true);
    if (consistent && (await this.#witnessed(note))) await this.#adopt(note, next);
  }

  /** Verifies a consistency proof from `older` to `newer`; records evidence if it fails. */
  async #checkConsistent(
    olderNote: string,
    older: Checkpoint,
    newerNote: string,
    newer: Checkpoint,
    requireAnswer: boolean,
  ): Promise<boolean> {
    if (older.size === 0) return true;
    let proof: Uint8Array[];
    try {
      proof = await this.#o.api.consistencyProof(older.size, newer.size);
    } catch (error) {
      if (isAnswerRefusal(error)) {
        // The relay signed both trees, so it owes a proof between them.
        await this.#o.evidence.record({
          kind: 'split-view',
          notes: [olderNote, newerNote],
          detail: `the relay refused a consistency proof ${older.size} → ${newer.size} (${error.relayCode ?? ''})`,
        });
        return false;
      }
      if (requireAnswer) throw error;
      return false;
    }
    const result = verifyConsistency(older.size, newer.size, proof, older.rootHash, newer.rootHash);
    if (!result.ok) {
      await this.#o.evidence.record({
        kind: 'inconsistent',
        notes: [olderNote, newerNote],
        proof,
        detail: `consistency ${older.size} → ${newer.size} fails (${result.reason})`,
      });
      return false;
    }
    return true;
  }

  async #witnessed(note: string): Promise<boolean> {
    const required = this.#o.requiredCosignatures ?? 0;
    if (required === 0) return true;
    let valid = 0;
    for (const witness of this.#o.witnesses ?? []) {
      const result = await verifyCosignature(this.#o.suite, note, witness.name, witness.publicKey);
      if (result.ok) valid += 1;
    }
    return valid >= required;
  }

  async #adopt(note: string, checkpoint: Checkpoint): Promise<void> {
    const { store } = this.#o;
    await store.transaction(async () => {
      await store.put(LOG_KEYS.latest, utf8(note));
      await store.put(LOG_KEYS.checkpoint(checkpoint.size), utf8(note));
    });
    // `consider` verified it before adopting it.
    this.#verified = { note, checkpoint };
  }
}
