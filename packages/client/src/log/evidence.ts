/**
 * Evidence that the relay misbehaved (docs/spec/log.md §Clients): the kinds a client can find,
 * and the store of what it found, each contradiction kept once with when it was found.
 */
import { decodeCanonical, encodeCanonical, sha256, toHex, type RelayReceipt } from '@parley/core';
import type { ClientStore } from '../store/client-store.js';
import { LOG_KEYS } from './store-keys.js';

/** A receipt exactly as the relay signed it, with its signature. */
export type SignedReceipt = RelayReceipt & { readonly signature: Uint8Array };

/** Signed evidence that the relay misbehaved; every field a third party needs to check it. */
export type LogEvidence =
  | {
      /** Two checkpoints signed by the relay that cannot both be true: same size, other root, or no consistency proof between them. */
      readonly kind: 'split-view';
      readonly notes: readonly [string, string];
      readonly detail: string;
    }
  | {
      /** The relay served a smaller tree than one it had already signed. */
      readonly kind: 'rollback';
      readonly notes: readonly [string, string];
      readonly detail: string;
    }
  | {
      /** The relay's consistency proof between two of its checkpoints does not verify. */
      readonly kind: 'inconsistent';
      readonly notes: readonly [string, string];
      readonly proof: readonly Uint8Array[];
      readonly detail: string;
    }
  | {
      /** An envelope is not in the log at the index the relay gave for it. */
      readonly kind: 'not-included';
      readonly cid: string;
      readonly leafIndex: number;
      readonly note: string;
      readonly leafHash: Uint8Array | undefined;
      readonly proof: readonly Uint8Array[];
      /** The relay's signed receipt, for envelopes this device sent. */
      readonly receipt: SignedReceipt | undefined;
      readonly detail: string;
    }
  | {
      /** A signed receipt promised a checkpoint covering its leaf by `mergeBy`; none came. */
      readonly kind: 'merge-delay';
      readonly cid: string;
      readonly leafIndex: number;
      readonly note: string;
      readonly receipt: SignedReceipt;
      readonly detail: string;
    };

/** Evidence as stored, with when this device found it. */
export type StoredEvidence = LogEvidence & { readonly id: number; readonly foundAt: number };

/** What the evidence store is built from. */
export interface EvidenceStoreOptions {
  readonly store: ClientStore;
  readonly clock: () => number;
  /** Told of each new piece of evidence, after it is stored. */
  readonly onEvidence: (evidence: StoredEvidence) => void;
}

/** The evidence one client found, numbered in the order found. */
export class EvidenceStore {
  readonly #o: EvidenceStoreOptions;

  constructor(options: EvidenceStoreOptions) {
    this.#o = options;
  }

  /**
   * Stores a piece of evidence and reports it, unless the same contradiction was already kept
   * (another entry gossiping the same note finds it again).
   */
  async record(evidence: LogEvidence): Promise<void> {
    const { store } = this.#o;
    const fingerprint = toHex(sha256(encodeCanonical(evidenceKey(evidence)))).slice(0, 32);
    const seen = LOG_KEYS.evidenceSeen(fingerprint);
    if ((await store.get(seen)) !== undefined) return;
    await store.put(seen, new Uint8Array([1]));
    const counter = await store.get(LOG_KEYS.evidenceCount);
    const id = (counter === undefined ? 0 : (decodeCanonical(counter) as number)) + 1;
    const stored: StoredEvidence = { ...evidence, id, foundAt: this.#o.clock() };
    await store.transaction(async () => {
      await store.put(LOG_KEYS.evidenceCount, encodeCanonical(id));
      await store.put(LOG_KEYS.evidence(id), encodeCanonical(dropUndefined(stored)));
    });
    this.#o.onEvidence(stored);
  }

  /** Every piece of evidence found so far, oldest first. */
  async list(): Promise<StoredEvidence[]> {
    const found: StoredEvidence[] = [];
    for (const key of await this.#o.store.keys(LOG_KEYS.evidencePrefix)) {
      const bytes = await this.#o.store.get(key);
      if (bytes !== undefined) found.push(decodeCanonical(bytes) as StoredEvidence);
    }
    return found;
  }
}

/** What makes two pieces of evidence the same. */
function evidenceKey(evidence: LogEvidence): unknown {
  if ('notes' in evidence) return { kind: evidence.kind, notes: evidence.notes };
  return { kind: evidence.kind, cid: evidence.cid, leafIndex: evidence.leafIndex };
}

/** DAG-CBOR has no `undefined`: optional fields are left out. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
