/** Test data for the store contracts: real CIDs (the log hashes them), envelopes, entries. */
import { afterEach, beforeEach } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { cidForBytes } from '@parley/core';
import type { RelayStores } from '../relay-stores.js';
import type { AppendOutcome, EnvelopeToAppend, StoredReceipt, TopicStore } from '../topic-store.js';

/** A byte limit no test reaches. */
export const NO_LIMIT = 2 ** 40;
export const topicA = new Uint8Array(32).fill(0xa);
export const topicB = new Uint8Array(32).fill(0xb);

/** A real CID (the log hashes its binary form) named by `label`. */
export function labelCid(label: string): string {
  return cidForBytes(new TextEncoder().encode(label)).toString();
}

/**
 * An envelope to append: the store does not decode bytes, so they are made up; the CID is a real
 * one (of the label) because the log needs its binary form.
 */
export function item(topic: Uint8Array, label: string, size = 10): EnvelopeToAppend {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(label).subarray(0, size));
  return { topic, cid: labelCid(`${topic[0] ?? 0}-${label}`), bytes };
}

/** The receipt of an outcome. @throws Error if the append was refused */
export function receipt(outcome: AppendOutcome | undefined): StoredReceipt {
  if (outcome === undefined || 'refused' in outcome) {
    throw new Error(`expected a receipt, got ${JSON.stringify(outcome)}`);
  }
  return outcome;
}

/** The seqs a topic holds, in order. */
export async function seqsOf(topics: TopicStore, topic: Uint8Array): Promise<number[]> {
  return (await topics.listEnvelopes(topic, 0, 10_000)).map((stored) => stored.seq);
}

/** A device key (32 bytes) named by a small number. */
export function deviceKey(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

/** A one-time KeyPackage of `device`, named by `label`. */
export function keyPackage(label: string, device = deviceKey(1)) {
  const bytes = new TextEncoder().encode(`key-package ${label}`);
  return { hash: sha256(bytes), bytes, device };
}

/** A directory entry to store (its bytes are not a real entry: the store does not decode them). */
export function entry(updatedAt: number, lastResort = 'last-resort', devices = [deviceKey(1)]) {
  return {
    bytes: new TextEncoder().encode(`entry at ${updatedAt}`),
    cid: labelCid(`entry ${updatedAt}`),
    updatedAt,
    lastResort: new TextEncoder().encode(lastResort),
    devices,
  };
}

/** A reader pseudonym named by `name`. */
export function reader(name: string): Uint8Array {
  return sha256(new TextEncoder().encode(`reader ${name}`));
}

/**
 * Opens fresh, empty stores from `open` before each test of the enclosing `describe` and closes
 * them after it; returns the current test's stores.
 */
export function freshStores(open: () => RelayStores): () => RelayStores {
  let stores: RelayStores | undefined;
  beforeEach(() => {
    stores = open();
  });
  afterEach(async () => {
    await stores?.close();
    stores = undefined;
  });
  return () => {
    if (stores === undefined) throw new TypeError('freshStores: read outside a test');
    return stores;
  };
}
