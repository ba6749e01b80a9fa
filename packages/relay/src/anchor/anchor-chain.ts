/**
 * The anchoring port: a chain that timestamps the relay's latest checkpoint (DESIGN §Anchoring).
 *
 * It is split so a relay survives restarts without a double or a missed anchor: `submit` sends the
 * transaction and returns its hash at once, the caller persists that hash, and only then polls
 * `status` until the transaction is final (or dropped, and is submitted again). After a restart the
 * caller resumes polling the persisted hash instead of anchoring again; `head` reads what the
 * contract holds, so a caller can tell whether a size was already anchored. The EVM implementation
 * is evm-anchor-chain.ts; the "none" chain means anchoring is off.
 */
import { RelayError } from '../errors.js';

/** 32 bytes as 0x-prefixed hex (a log id, a Merkle root, a transaction or block hash). */
export type Hex32 = `0x${string}`;

/** One anchor to write: the log's id, a checkpoint's tree size and its root hash. */
export interface AnchorRequest {
  readonly logId: Hex32;
  /** The checkpoint's tree size; the contract refuses a size that does not grow. */
  readonly size: number;
  readonly root: Hex32;
}

/** A sent anchor transaction: the caller persists its hash before waiting for it. */
export interface AnchorSubmission {
  /** The transaction hash. */
  readonly transaction: Hex32;
}

/**
 * Where an anchor transaction stands. `final`: its block is at or below the chain's `finalized`
 * block (or has the configured number of confirmations on a chain without that tag), with the
 * index of its `Anchored` event in the block. `dropped`: the chain no longer knows it (never mined,
 * or its block was reorged away and it did not come back); submit again. `reverted`: it was mined
 * in a final block but the contract refused it (another relay anchored the size first).
 */
export type AnchorStatus =
  | { readonly state: 'pending' }
  | {
      readonly state: 'final';
      readonly blockNumber: number;
      readonly blockHash: Hex32;
      /** The block's timestamp, in seconds since the Unix epoch. */
      readonly blockTime: number;
      /** The `Anchored` event's index among the block's logs. */
      readonly logIndex: number;
    }
  | { readonly state: 'reverted'; readonly blockNumber: number }
  | { readonly state: 'dropped' };

/** The latest anchor the contract holds for a log id (size 0 and a zero owner: none). */
export interface AnchorHead {
  readonly size: number;
  readonly root: Hex32;
  /** The account that owns the log id (its first anchorer). */
  readonly owner: `0x${string}`;
}

/** A chain the relay anchors checkpoints on. */
export interface AnchorChain {
  /** False when anchoring is off: the relay then never calls the other methods. */
  readonly isEnabled: boolean;
  /**
   * Sends the anchor transaction and returns its hash without waiting for it to be mined.
   * @throws RelayError RELAY_ANCHOR_SIZE_NOT_GROWING, RELAY_ANCHOR_NOT_LOG_OWNER,
   *   RELAY_ANCHOR_UNFUNDED, RELAY_ANCHOR_RPC_FAILED, RELAY_ANCHOR_DISABLED
   */
  submit(request: AnchorRequest): Promise<AnchorSubmission>;
  /**
   * Where the transaction stands now; poll it until `final`, `reverted` or `dropped`.
   * @throws RelayError RELAY_ANCHOR_RPC_FAILED, RELAY_ANCHOR_DISABLED
   */
  status(transaction: Hex32): Promise<AnchorStatus>;
  /**
   * The contract's latest anchor of `logId` (at the chain's latest block).
   * @throws RelayError RELAY_ANCHOR_RPC_FAILED, RELAY_ANCHOR_DISABLED
   */
  head(logId: Hex32): Promise<AnchorHead>;
}

/** No chain: anchoring is off. @throws nothing (its methods reject with RELAY_ANCHOR_DISABLED) */
export function createNoAnchorChain(): AnchorChain {
  const off = (): Promise<never> => Promise.reject(new RelayError('RELAY_ANCHOR_DISABLED'));
  return { isEnabled: false, submit: off, status: off, head: off };
}
