/**
 * Where the log monitor keeps its state in the ClientStore: indexes are zero-padded so that
 * `keys(prefix)`, which returns keys in key order, returns them in numeric order.
 */

const PAD = 16;

/** A number as a fixed-width key segment, so that key order is numeric order. */
function padIndex(n: number): string {
  return String(n).padStart(PAD, '0');
}

/** The monitor's keys: one place, so that the parts that share them cannot drift apart. */
export const LOG_KEYS = {
  /** The pinned relay: id, public key and log origin. */
  relay: 'log/relay',
  /** The note of the latest checkpoint adopted. */
  latest: 'log/latest',
  /** Every checkpoint adopted, by size. */
  checkpoint: (size: number): string => `log/checkpoints/${padIndex(size)}`,
  /** Envelopes waiting for a checkpoint that covers them, by leaf index. */
  pendingPrefix: 'log/pending/',
  pending: (leafIndex: number, cid: string): string => `log/pending/${padIndex(leafIndex)}/${cid}`,
  /** From a pending envelope's CID to its leaf index. */
  pendingCid: (cid: string): string => `log/pending-cid/${cid}`,
  /** Envelopes proven in the log, with the leaf index and tree size of the proof. */
  included: (cid: string): string => `log/included/${cid}`,
  /** Evidence found, by id; its counter; and the fingerprints that keep it once. */
  evidencePrefix: 'log/evidence/',
  evidence: (id: number): string => `log/evidence/${padIndex(id)}`,
  evidenceCount: 'log/evidence-count',
  evidenceSeen: (fingerprint: string): string => `log/evidence-key/${fingerprint}`,
} as const;
