/**
 * Inclusion checks (docs/spec/log.md §Clients): every envelope a client sent or received, and
 * every directory entry it relies on, waits here until a held checkpoint covers its leaf, then
 * must be proven at the index the relay gave; a broken promise or a failed proof is evidence.
 */
import {
  decodeCanonical,
  encodeCanonical,
  equalBytes,
  fromBase64Url,
  logLeafHash,
  verifyInclusion,
  verifyRelayReceipt,
  type CryptoSuite,
} from '@parley/core';
import type { Receipt, RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';
import { isAnswerRefusal } from './answer-refusal.js';
import type { CheckpointView, HeldCheckpoint } from './checkpoints.js';
import type { EvidenceStore, SignedReceipt } from './evidence.js';
import type { RelayPin } from './relay-pin.js';
import { LOG_KEYS } from './store-keys.js';

/** Where a tracked envelope stands in the log. */
export type InclusionStatus =
  | { readonly state: 'included'; readonly leafIndex: number; readonly size: number }
  | { readonly state: 'pending'; readonly leafIndex: number }
  | { readonly state: 'unknown' };

/** An envelope waiting for its proof; `chat` is '' for a directory entry. */
interface Pending {
  readonly chat: string;
  readonly cid: string;
  readonly leafIndex: number;
  readonly receipt: SignedReceipt | null;
}

/** What the inclusion tracker is built from. */
export interface InclusionTrackerOptions {
  readonly api: Pick<RelayApi, 'inclusionProof'>;
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly clock: () => number;
  readonly pin: RelayPin;
  readonly checkpoints: CheckpointView;
  readonly evidence: EvidenceStore;
  /** Slack for clock skew before a receipt's `mergeBy` counts as broken (default 30 s). */
  readonly mergeGraceMs?: number | undefined;
  /** Told when an envelope of a chat is proven in the log. */
  readonly onIncluded: (chat: string, cid: string, leafIndex: number, size: number) => void;
}

/** The envelopes one client tracks in its relay's log. */
export class InclusionTracker {
  readonly #o: InclusionTrackerOptions;

  constructor(options: InclusionTrackerOptions) {
    this.#o = options;
  }

  /**
   * Verifies and records the relay's signed receipt for an envelope this device sent, and queues
   * the envelope for an inclusion check. A receipt that does not verify is kept as no promise.
   */
  async trackReceipt(chat: string, receipt: Receipt): Promise<boolean> {
    const relay = await this.#o.pin.relay();
    const signed: SignedReceipt = {
      relay: relay.relayId,
      cid: receipt.cid,
      topic: fromBase64Url(receipt.topic),
      seq: receipt.seq,
      receivedAt: receipt.receivedAt,
      leafIndex: receipt.leafIndex,
      mergeBy: receipt.mergeBy,
      signature: fromBase64Url(receipt.signature),
    };
    const { signature, ...fields } = signed;
    const valid = await verifyRelayReceipt(this.#o.suite, relay.publicKey, fields, signature);
    await this.#addPending({
      chat,
      cid: receipt.cid,
      leafIndex: receipt.leafIndex,
      receipt: valid ? signed : null,
    });
    return valid;
  }

  /** Queues an envelope received from the relay, at the leaf index it claimed, for checking. */
  async trackDelivery(chat: string, cid: string, leafIndex: number): Promise<void> {
    await this.#addPending({ chat, cid, leafIndex, receipt: null });
  }

  /**
   * Checks that a directory entry is leaf `leafIndex`: at once if the held checkpoint covers it
   * (true if proven, false with `not-included` evidence), else queued ('pending').
   */
  async checkDirectoryEntry(cid: string, leafIndex: number): Promise<boolean | 'pending'> {
    const status = await this.inclusion(cid);
    if (status.state === 'included') return status.leafIndex === leafIndex;
    const held = await this.#o.checkpoints.latest();
    const item: Pending = { chat: '', cid, leafIndex, receipt: null };
    await this.#addPending(item);
    if (held === undefined || leafIndex >= held.checkpoint.size) return 'pending';
    await this.#checkInclusion(LOG_KEYS.pending(leafIndex, cid), item, held);
    return (await this.inclusion(cid)).state === 'included';
  }

  /** Where an envelope stands: included (verified), pending, or not tracked. */
  async inclusion(cid: string): Promise<InclusionStatus> {
    const included = await this.#o.store.get(LOG_KEYS.included(cid));
    if (included !== undefined) {
      const value = decodeCanonical(included) as { leafIndex: number; size: number };
      return { state: 'included', ...value };
    }
    const pointer = await this.#o.store.get(LOG_KEYS.pendingCid(cid));
    if (pointer !== undefined) {
      return { state: 'pending', leafIndex: decodeCanonical(pointer) as number };
    }
    return { state: 'unknown' };
  }

  /** How many tracked envelopes still wait for a checkpoint that covers them. */
  async pendingCount(): Promise<number> {
    return (await this.#o.store.keys(LOG_KEYS.pendingPrefix)).length;
  }

  /**
   * Proves every pending envelope the held checkpoint covers; one whose receipt promised a
   * checkpoint by `mergeBy` (plus the grace) that has not come becomes `merge-delay` evidence.
   */
  async checkPending(): Promise<void> {
    const held = await this.#o.checkpoints.latest();
    const now = this.#o.clock();
    for (const key of await this.#o.store.keys(LOG_KEYS.pendingPrefix)) {
      const bytes = await this.#o.store.get(key);
      if (bytes === undefined) continue;
      const item = decodeCanonical(bytes) as Pending;
      if (held === undefined || item.leafIndex >= held.checkpoint.size) {
        const grace = this.#o.mergeGraceMs ?? 30_000;
        if (item.receipt !== null && held !== undefined && now > item.receipt.mergeBy + grace) {
          await this.#o.evidence.record({
            kind: 'merge-delay',
            cid: item.cid,
            leafIndex: item.leafIndex,
            note: held.note,
            receipt: item.receipt,
            detail: `leaf ${item.leafIndex} was promised by ${new Date(item.receipt.mergeBy).toISOString()}; the latest checkpoint has ${held.checkpoint.size} leaves`,
          });
          await this.#dropPending(key, item.cid);
        }
        continue;
      }
      await this.#checkInclusion(key, item, held);
    }
  }

  async #addPending(item: Pending): Promise<void> {
    const { store } = this.#o;
    if ((await store.get(LOG_KEYS.included(item.cid))) !== undefined) return;
    await store.transaction(async () => {
      await store.put(LOG_KEYS.pending(item.leafIndex, item.cid), encodeCanonical(item));
      await store.put(LOG_KEYS.pendingCid(item.cid), encodeCanonical(item.leafIndex));
    });
  }

  async #checkInclusion(key: string, item: Pending, held: HeldCheckpoint): Promise<void> {
    const { size, rootHash } = held.checkpoint;
    const expected = logLeafHash(item.cid);
    let answer;
    try {
      answer = await this.#o.api.inclusionProof(item.leafIndex, size);
    } catch (error) {
      if (isAnswerRefusal(error)) {
        const detail = `the relay refused (${error.relayCode ?? ''})`;
        await this.#notIncluded(key, item, held, undefined, [], detail);
        return;
      }
      throw error;
    }
    const verified = verifyInclusion(expected, item.leafIndex, size, answer.proof, rootHash);
    if (!verified.ok) {
      const detail = equalBytes(answer.leafHash, expected)
        ? `the inclusion proof fails (${verified.reason})`
        : `leaf ${item.leafIndex} holds another envelope`;
      await this.#notIncluded(key, item, held, answer.leafHash, answer.proof, detail);
      return;
    }
    const { store } = this.#o;
    await store.transaction(async () => {
      await store.put(
        LOG_KEYS.included(item.cid),
        encodeCanonical({ leafIndex: item.leafIndex, size }),
      );
      await store.delete(key);
      await store.delete(LOG_KEYS.pendingCid(item.cid));
    });
    // Directory entries (no chat) are proven quietly; `inclusion(cid)` answers for them.
    if (item.chat !== '') this.#o.onIncluded(item.chat, item.cid, item.leafIndex, size);
  }

  async #notIncluded(
    key: string,
    item: Pending,
    held: HeldCheckpoint,
    leafHash: Uint8Array | undefined,
    proof: readonly Uint8Array[],
    detail: string,
  ): Promise<void> {
    await this.#o.evidence.record({
      kind: 'not-included',
      cid: item.cid,
      leafIndex: item.leafIndex,
      note: held.note,
      leafHash,
      proof,
      receipt: item.receipt ?? undefined,
      detail,
    });
    await this.#dropPending(key, item.cid);
  }

  async #dropPending(key: string, cid: string): Promise<void> {
    const { store } = this.#o;
    await store.transaction(async () => {
      await store.delete(key);
      await store.delete(LOG_KEYS.pendingCid(cid));
    });
  }
}
