/**
 * The client's view of its relay's transparency log (docs/spec/log.md §Clients): it keeps the
 * checkpoints it saw, accepts a new one only if it is signed by the relay and consistent with the
 * last, checks that every envelope it sent or received is in the log at the index the relay gave,
 * compares checkpoints gossiped by other members, and keeps any contradiction as evidence.
 */
import {
  decodeCanonical,
  encodeCanonical,
  equalBytes,
  fromBase64Url,
  fromUtf8,
  logLeafHash,
  sha256,
  toHex,
  utf8,
  verifyCheckpointSignature,
  verifyConsistency,
  verifyCosignature,
  verifyInclusion,
  verifyRelayReceipt,
  accountIdFromPublicKey,
  type Checkpoint,
  type CryptoSuite,
  type RelayReceipt,
} from '@parley/core';
import { ClientError } from '../errors.js';
import type { Receipt, RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';

/** A witness whose cosignatures a client can require (C2SP tlog-cosignature). */
export interface WitnessKey {
  readonly name: string;
  readonly publicKey: Uint8Array;
}

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

/** A receipt exactly as the relay signed it, with its signature. */
export type SignedReceipt = RelayReceipt & { readonly signature: Uint8Array };

/** Evidence as stored, with when this device found it. */
export type StoredEvidence = LogEvidence & { readonly id: number; readonly foundAt: number };

/** A checkpoint this client verified and adopted. */
export interface HeldCheckpoint {
  readonly note: string;
  readonly checkpoint: Checkpoint;
}

/** Where a tracked envelope stands in the log. */
export type InclusionStatus =
  | { readonly state: 'included'; readonly leafIndex: number; readonly size: number }
  | { readonly state: 'pending'; readonly leafIndex: number }
  | { readonly state: 'unknown' };

interface Pending {
  readonly chat: string;
  readonly cid: string;
  readonly leafIndex: number;
  readonly receipt: SignedReceipt | null;
}

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

const PAD = 16;
const pad = (n: number): string => String(n).padStart(PAD, '0');

/** Watches one relay's log on behalf of one client. Not re-entrant: the client serializes calls. */
export class LogMonitor {
  readonly #o: LogMonitorOptions;
  #relay: { relayId: string; publicKey: Uint8Array; origin: string } | undefined;
  /**
   * The held checkpoint whose signature was checked, so that `latest()` (called on every send)
   * checks a signature once per new checkpoint, not once per call.
   */
  #verified: HeldCheckpoint | undefined;

  constructor(options: LogMonitorOptions) {
    this.#o = options;
  }

  /** The relay's identity and log origin: pinned, or trusted on first use and kept. */
  async relay(): Promise<{ relayId: string; publicKey: Uint8Array; origin: string }> {
    if (this.#relay !== undefined) return this.#relay;
    const stored = await this.#o.store.get('log/relay');
    if (stored !== undefined) {
      this.#relay = decodeCanonical(stored) as {
        relayId: string;
        publicKey: Uint8Array;
        origin: string;
      };
      return this.#relay;
    }
    const info = await this.#o.api.info();
    if (accountIdFromPublicKey(info.publicKey) !== info.relayId) {
      throw new ClientError('CLIENT_LOG_KEY_MISMATCH', '(the relay id is not its key)');
    }
    if (this.#o.relayId !== undefined && info.relayId !== this.#o.relayId) {
      throw new ClientError(
        'CLIENT_LOG_KEY_MISMATCH',
        `(expected relay ${this.#o.relayId}, found ${info.relayId})`,
      );
    }
    const relay = { relayId: info.relayId, publicKey: info.publicKey, origin: info.origin };
    await this.#o.store.put('log/relay', encodeCanonical(relay));
    this.#relay = relay;
    return relay;
  }

  /**
   * The latest checkpoint adopted, if any; its signature is checked when it is first read from
   * the store, then remembered. Throws ClientError CLIENT_INTERNAL if the stored one does not verify.
   */
  async latest(): Promise<HeldCheckpoint | undefined> {
    const stored = await this.#o.store.get('log/latest');
    if (stored === undefined) return undefined;
    const note = fromUtf8(stored);
    if (this.#verified?.note === note) return this.#verified;
    const relay = await this.relay();
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
   * Verifies and records the relay's signed receipt for an envelope this device sent, and queues
   * the envelope for an inclusion check. A receipt that does not verify is kept as no promise.
   */
  async trackReceipt(chat: string, receipt: Receipt): Promise<boolean> {
    const relay = await this.relay();
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
   * Checks that a directory entry is leaf `leafIndex` (docs/spec/log.md §Key transparency): at
   * once if the held checkpoint covers it (true if proven, false with `not-included` evidence),
   * else queued like a delivered envelope and proven at a later refresh ('pending').
   */
  async checkDirectoryEntry(cid: string, leafIndex: number): Promise<boolean | 'pending'> {
    const status = await this.inclusion(cid);
    if (status.state === 'included') return status.leafIndex === leafIndex;
    const held = await this.latest();
    const item: Pending = { chat: '', cid, leafIndex, receipt: null };
    await this.#addPending(item);
    if (held === undefined || leafIndex >= held.checkpoint.size) return 'pending';
    await this.#checkInclusion(`log/pending/${pad(leafIndex)}/${cid}`, item, held);
    return (await this.inclusion(cid)).state === 'included';
  }

  /** Where an envelope stands: included (verified), pending, or not tracked. */
  async inclusion(cid: string): Promise<InclusionStatus> {
    const included = await this.#o.store.get(`log/included/${cid}`);
    if (included !== undefined) {
      const value = decodeCanonical(included) as { leafIndex: number; size: number };
      return { state: 'included', ...value };
    }
    const pointer = await this.#o.store.get(`log/pending-cid/${cid}`);
    if (pointer !== undefined) {
      return { state: 'pending', leafIndex: decodeCanonical(pointer) as number };
    }
    return { state: 'unknown' };
  }

  /** Every piece of evidence found so far, oldest first. */
  async evidence(): Promise<StoredEvidence[]> {
    const found: StoredEvidence[] = [];
    for (const key of await this.#o.store.keys('log/evidence/')) {
      const bytes = await this.#o.store.get(key);
      if (bytes !== undefined) found.push(decodeCanonical(bytes) as StoredEvidence);
    }
    return found;
  }

  /** How many tracked envelopes still wait for a checkpoint that covers them. */
  async pendingCount(): Promise<number> {
    return (await this.#o.store.keys('log/pending/')).length;
  }

  /**
   * Fetches the relay's latest checkpoint, checks it against the one held (signature, witnesses,
   * no rollback, consistency) and adopts it; then checks every pending inclusion it covers.
   * Returns the checkpoint held afterwards.
   */
  async refresh(): Promise<HeldCheckpoint | undefined> {
    const note = await this.#o.api.checkpoint();
    await this.#consider(note, 'relay');
    await this.#checkPending();
    return this.latest();
  }

  /**
   * Compares a checkpoint another member saw (gossiped inside a chat entry) with this client's
   * view. A conflicting one becomes evidence; a consistent newer one is adopted.
   */
  async compare(note: string): Promise<void> {
    await this.#consider(note, 'peer');
  }

  async #consider(note: string, source: 'relay' | 'peer'): Promise<void> {
    const relay = await this.relay();
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
        await this.#record({
          kind: 'split-view',
          notes: [held.note, note],
          detail: `two roots for size ${next.size} (${source === 'relay' ? 'served by the relay' : 'seen by another member'})`,
        });
      }
      return;
    }
    if (next.size < old.size) {
      if (source === 'relay') {
        await this.#record({
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
        await this.#record({
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
      await this.#record({
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
    await this.#o.store.transaction(async () => {
      await this.#o.store.put('log/latest', utf8(note));
      await this.#o.store.put(`log/checkpoints/${pad(checkpoint.size)}`, utf8(note));
    });
    // `#consider` verified it before adopting it.
    this.#verified = { note, checkpoint };
  }

  async #addPending(item: Pending): Promise<void> {
    if ((await this.#o.store.get(`log/included/${item.cid}`)) !== undefined) return;
    await this.#o.store.transaction(async () => {
      await this.#o.store.put(
        `log/pending/${pad(item.leafIndex)}/${item.cid}`,
        encodeCanonical(item),
      );
      await this.#o.store.put(`log/pending-cid/${item.cid}`, encodeCanonical(item.leafIndex));
    });
  }

  async #checkPending(): Promise<void> {
    const held = await this.latest();
    const now = this.#o.clock();
    for (const key of await this.#o.store.keys('log/pending/')) {
      const bytes = await this.#o.store.get(key);
      if (bytes === undefined) continue;
      const item = decodeCanonical(bytes) as Pending;
      if (held === undefined || item.leafIndex >= held.checkpoint.size) {
        const grace = this.#o.mergeGraceMs ?? 30_000;
        if (item.receipt !== null && held !== undefined && now > item.receipt.mergeBy + grace) {
          await this.#record({
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

  async #checkInclusion(key: string, item: Pending, held: HeldCheckpoint): Promise<void> {
    const { size, rootHash } = held.checkpoint;
    const expected = logLeafHash(item.cid);
    let answer;
    try {
      answer = await this.#o.api.inclusionProof(item.leafIndex, size);
    } catch (error) {
      if (isAnswerRefusal(error)) {
        await this.#notIncluded(
          key,
          item,
          held,
          undefined,
          [],
          `the relay refused (${error.relayCode ?? ''})`,
        );
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
    await this.#o.store.transaction(async () => {
      await this.#o.store.put(
        `log/included/${item.cid}`,
        encodeCanonical({ leafIndex: item.leafIndex, size }),
      );
      await this.#o.store.delete(key);
      await this.#o.store.delete(`log/pending-cid/${item.cid}`);
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
    await this.#record({
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
    await this.#o.store.transaction(async () => {
      await this.#o.store.delete(key);
      await this.#o.store.delete(`log/pending-cid/${cid}`);
    });
  }

  async #record(evidence: LogEvidence): Promise<void> {
    // The same contradiction found again (another entry gossiping the same note) is kept once.
    const key = `log/evidence-key/${toHex(sha256(encodeCanonical(evidenceKey(evidence)))).slice(0, 32)}`;
    if ((await this.#o.store.get(key)) !== undefined) return;
    await this.#o.store.put(key, new Uint8Array([1]));
    const counter = await this.#o.store.get('log/evidence-count');
    const id = (counter === undefined ? 0 : (decodeCanonical(counter) as number)) + 1;
    const stored: StoredEvidence = { ...evidence, id, foundAt: this.#o.clock() };
    await this.#o.store.transaction(async () => {
      await this.#o.store.put('log/evidence-count', encodeCanonical(id));
      await this.#o.store.put(`log/evidence/${pad(id)}`, encodeCanonical(dropUndefined(stored)));
    });
    this.#o.onEvidence(stored);
  }
}

/** What makes two pieces of evidence the same. */
function evidenceKey(evidence: LogEvidence): unknown {
  if ('notes' in evidence) return { kind: evidence.kind, notes: evidence.notes };
  return { kind: evidence.kind, cid: evidence.cid, leafIndex: evidence.leafIndex };
}

/**
 * True if the relay answered and said no (a 4xx other than 401, 408 or 429): an answer that can
 * contradict what it signed. No answer, overload or a lost session prove nothing.
 */
export function isAnswerRefusal(error: unknown): error is ClientError {
  if (!(error instanceof ClientError) || error.code !== 'CLIENT_RELAY_REFUSED') return false;
  const status = error.status ?? 0;
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/** DAG-CBOR has no `undefined`: optional fields are left out. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
