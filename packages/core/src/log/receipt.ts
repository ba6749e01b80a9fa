/**
 * Relay receipts (docs/spec/log.md §Receipts): the relay's signed promise, handed to a sender,
 * that it accepted an envelope, gave it a leaf index and will publish a checkpoint covering that
 * leaf by `mergeBy`. A receipt whose leaf is missing later is evidence against the relay.
 */
import { encodeCanonical } from '../encoding/canonical.js';
import { parseCid } from '../encoding/cid.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { accountIdFromPublicKey, parseAccountId } from '../identity/account-id.js';
import { signFor, signingInput, verifyFor } from '../identity/signature.js';

/** What a relay promises about one accepted envelope. */
export interface RelayReceipt {
  /** The relay's account id (its identity key signs). */
  readonly relay: string;
  /** CIDv1 text of the envelope, in its canonical (base32) spelling. */
  readonly cid: string;
  /** The topic (32 bytes) the envelope was published to. */
  readonly topic: Uint8Array;
  /** The envelope's sequence number in its topic. */
  readonly seq: number;
  /** The relay's clock when it accepted the envelope, ms since the epoch. */
  readonly receivedAt: number;
  /** The envelope's leaf index in the relay's log. */
  readonly leafIndex: number;
  /** Ms since the epoch by which a signed checkpoint will cover `leafIndex`. */
  readonly mergeBy: number;
}

/** The signed statement, or a description of the broken rule. */
function statement(receipt: RelayReceipt): Uint8Array | string {
  try {
    parseAccountId(receipt.relay);
    if (parseCid(receipt.cid).toString() !== receipt.cid) return 'cid is not canonical CIDv1 text';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (!(receipt.topic instanceof Uint8Array) || receipt.topic.length !== 32) {
    return 'topic must be 32 bytes';
  }
  for (const key of ['seq', 'receivedAt', 'leafIndex', 'mergeBy'] as const) {
    const value = receipt[key];
    if (!Number.isSafeInteger(value) || value < 0) return `${key} must be a non-negative integer`;
  }
  return encodeCanonical({
    v: 1,
    relay: receipt.relay,
    cid: receipt.cid,
    topic: receipt.topic,
    seq: receipt.seq,
    receivedAt: receipt.receivedAt,
    leafIndex: receipt.leafIndex,
    mergeBy: receipt.mergeBy,
  });
}

/**
 * Signs a receipt with the relay's identity seed: an Ed25519 signature for context
 * `relay-receipt` over canonical DAG-CBOR `{ v: 1, ...receipt }`. Throws RangeError for a relay
 * that is not an account id, a cid that is not canonical CIDv1 text, a topic that is not 32 bytes,
 * a number that is not a non-negative safe integer, or a seed whose key is not `receipt.relay`'s.
 */
export async function signRelayReceipt(
  suite: CryptoSuite,
  seed: Uint8Array,
  receipt: RelayReceipt,
): Promise<Uint8Array> {
  const message = statement(receipt);
  if (typeof message === 'string') throw new RangeError(`signRelayReceipt: ${message}`);
  if (accountIdFromPublicKey(await suite.ed25519.publicKey(seed)) !== receipt.relay) {
    throw new RangeError('signRelayReceipt: the seed is not the identity key of receipt.relay');
  }
  return signFor(suite, 'relay-receipt', seed, message);
}

/**
 * A receipt signer for one relay key, imported once: the relay signs every receipt it hands out,
 * and importing the key per signature costs more than the signature. The returned function
 * throws RangeError like `signRelayReceipt`; its signatures are identical.
 */
export async function createRelayReceiptSigner(
  suite: CryptoSuite,
  seed: Uint8Array,
): Promise<(receipt: RelayReceipt) => Promise<Uint8Array>> {
  const signer = await suite.ed25519.signer(seed);
  const relay = accountIdFromPublicKey(signer.publicKey);
  return (receipt) => {
    const message = statement(receipt);
    if (typeof message === 'string') {
      return Promise.reject(new RangeError(`signRelayReceipt: ${message}`));
    }
    if (receipt.relay !== relay) {
      return Promise.reject(
        new RangeError('signRelayReceipt: the seed is not the identity key of receipt.relay'),
      );
    }
    return signer.sign(signingInput('relay-receipt', message));
  };
}

/**
 * True if `signature` is the receipt signature of `publicKey` on exactly this receipt and
 * `publicKey` is the identity key of `receipt.relay`. False, never an exception, for a receipt that
 * breaks the rules of `signRelayReceipt`, another relay's key, or a bad signature.
 */
export async function verifyRelayReceipt(
  suite: CryptoSuite,
  publicKey: Uint8Array,
  receipt: RelayReceipt,
  signature: Uint8Array,
): Promise<boolean> {
  const message = statement(receipt);
  if (typeof message === 'string') return false;
  if (publicKey.length !== 32 || accountIdFromPublicKey(publicKey) !== receipt.relay) return false;
  return (await verifyFor(suite, 'relay-receipt', publicKey, message, signature)).ok;
}
