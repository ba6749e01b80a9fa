/**
 * The anchoring port: a chain that timestamps the relay's latest checkpoint (DESIGN §Anchoring).
 * Issue #13 builds the EVM implementation; until then the "none" chain means anchoring is off.
 */

/** Proof that a checkpoint was anchored: where, and in which finalized block. */
export interface AnchorReceipt {
  /** The chain's name (e.g. an EIP-155 chain id as text). */
  readonly chain: string;
  readonly checkpointSize: number;
  readonly transaction: string;
  readonly blockHash: string;
}

/** A chain the relay anchors checkpoints on. */
export interface AnchorChain {
  /** False when anchoring is off: the relay then never calls `anchor`. */
  readonly isEnabled: boolean;
  /**
   * Anchors the checkpoint note of `size` leaves and resolves once its block is final.
   * @throws Error if anchoring is off or the chain refused it
   */
  anchor(size: number, note: string): Promise<AnchorReceipt>;
}

/** No chain: anchoring is off. @throws nothing (its `anchor` rejects) */
export function createNoAnchorChain(): AnchorChain {
  return {
    isEnabled: false,
    anchor: () => Promise.reject(new Error('anchoring is off (no anchor chain configured)')),
  };
}
