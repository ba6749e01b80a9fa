/**
 * Signed receipts (docs/spec/log.md §Receipts): the relay's promise that an envelope has a leaf and
 * that a checkpoint will cover it by `mergeBy`; one Ed25519 signature per receipt.
 */
import {
  createRelayReceiptSigner,
  toBase64Url,
  type CryptoSuite,
  type WireReceipt,
} from '@parley/core';
import type { StoredReceipt } from '../store/topic-store.js';

/** A receipt as it goes on the wire (HTTP body and WebSocket `receipt` frame): core's wire type. */
export type { WireReceipt };

/** Settings that fix `mergeBy`. */
export interface ReceiptSignerOptions {
  readonly suite: CryptoSuite;
  readonly seed: Uint8Array;
  readonly relayId: string;
  readonly batchIntervalMs: number;
  readonly witnessTimeoutMs: number;
}

/** Returns a function that turns a stored receipt into its signed wire form. */
export function createReceiptSigner(
  options: ReceiptSignerOptions,
): (receipt: StoredReceipt) => Promise<WireReceipt> {
  // A batch closes at most one interval after its first leaf (a batch being closed meanwhile can
  // delay it one interval more), and witnesses get witnessTimeoutMs.
  const mergeDelayMs = 2 * options.batchIntervalMs + options.witnessTimeoutMs;
  // The key is imported once: importing it per receipt cost more than the signature itself.
  const signer = createRelayReceiptSigner(options.suite, options.seed);
  signer.catch(() => undefined);
  return async (receipt) => {
    const mergeBy = receipt.receivedAt + mergeDelayMs;
    const signature = await (
      await signer
    )({
      relay: options.relayId,
      cid: receipt.cid,
      topic: receipt.topic,
      seq: receipt.seq,
      receivedAt: receipt.receivedAt,
      leafIndex: receipt.leafIndex,
      mergeBy,
    });
    return {
      cid: receipt.cid,
      topic: toBase64Url(receipt.topic),
      seq: receipt.seq,
      receivedAt: receipt.receivedAt,
      leafIndex: receipt.leafIndex,
      mergeBy,
      signature: toBase64Url(signature),
    };
  };
}
