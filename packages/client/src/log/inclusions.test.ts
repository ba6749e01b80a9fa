/**
 * The inclusion tracker proves each tracked envelope at the leaf the relay gave once a held
 * checkpoint covers it, and keeps a wrong leaf, a refused proof or a broken `mergeBy` promise as
 * evidence (a fake relay over a real Merkle tree, real signatures, the in-memory store).
 */
import {
  MerkleTree,
  accountIdFromPublicKey,
  createCryptoSuite,
  createEnvelope,
  formatCheckpoint,
  logLeafHash,
  signCheckpoint,
  signRelayReceipt,
  toBase64Url,
  utf8,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import type { Receipt } from '../relay/relay-api.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { CheckpointView } from './checkpoints.js';
import { EvidenceStore, type StoredEvidence } from './evidence.js';
import { InclusionTracker } from './inclusions.js';
import { RelayPin } from './relay-pin.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const ORIGIN = 'relay.example.org/log';
const relaySeed = new Uint8Array(32).fill(7);
const topic = new Uint8Array(32).fill(1);

/** The CID of a distinct envelope. */
function cidOf(i: number): string {
  return createEnvelope({ topic, payload: utf8(`envelope ${i}`), createdAt: i }).cid.toString();
}

async function fixture(options: { mergeGraceMs?: number } = {}) {
  const publicKey = await suite.ed25519.publicKey(relaySeed);
  const relayId = accountIdFromPublicKey(publicKey);
  const store = openMemoryClientStore();
  const found: StoredEvidence[] = [];
  const included: [string, string, number, number][] = [];
  const tree = new MerkleTree();
  let now = 0;
  let refusal: Error | undefined;
  const api = {
    info: () => Promise.resolve({ relayId, publicKey, origin: ORIGIN }),
    consistencyProof: (from: number, to: number) =>
      Promise.resolve(tree.consistencyProof(from, to)),
    inclusionProof: (index: number, size: number) =>
      refusal !== undefined
        ? Promise.reject(refusal)
        : Promise.resolve({
            index,
            size,
            leafHash: tree.leafHash(index),
            proof: tree.inclusionProof(index, size),
          }),
  };
  const pin = new RelayPin({ api, store });
  const evidence = new EvidenceStore({ store, clock: () => now, onEvidence: (e) => found.push(e) });
  const checkpoints = new CheckpointView({ api, store, suite, pin, evidence });
  const tracker = new InclusionTracker({
    api,
    store,
    suite,
    clock: () => now,
    pin,
    checkpoints,
    evidence,
    ...options,
    onIncluded: (...args) => included.push(args),
  });
  return {
    tracker,
    found,
    included,
    /** Appends envelopes to the relay's log. */
    append: (...cids: string[]) => {
      for (const cid of cids) tree.append(logLeafHash(cid));
    },
    /** The relay publishes a checkpoint of its whole tree and the client adopts it. */
    checkpoint: async () => {
      const body = formatCheckpoint({
        origin: ORIGIN,
        size: tree.size,
        rootHash: tree.root(),
        extensions: [],
      });
      await checkpoints.consider(await signCheckpoint(suite, relaySeed, ORIGIN, body), 'relay');
    },
    /** A receipt for `cid` at `leafIndex`, signed by `seed` (the relay's own by default). */
    receipt: async (cid: string, leafIndex: number, mergeBy: number, seed = relaySeed) => {
      const fields = {
        relay: relayId,
        cid,
        topic,
        seq: leafIndex + 1,
        receivedAt: 0,
        leafIndex,
        mergeBy,
      };
      const signature =
        seed === relaySeed
          ? await signRelayReceipt(suite, seed, fields)
          : new Uint8Array(64).fill(1);
      const receipt: Receipt = {
        ...fields,
        topic: toBase64Url(topic),
        signature: toBase64Url(signature),
        duplicate: false,
      };
      return receipt;
    },
    refuse: (error: Error) => {
      refusal = error;
    },
    setNow: (ms: number) => {
      now = ms;
    },
  };
}

describe('InclusionTracker', () => {
  it('keeps a delivered envelope pending until a checkpoint covers its leaf', async () => {
    const log = await fixture();
    log.append(cidOf(0));
    await log.checkpoint();
    log.append(cidOf(1));
    await log.tracker.trackDelivery('chat', cidOf(1), 1);
    await log.tracker.checkPending();
    expect(await log.tracker.inclusion(cidOf(1))).toEqual({ state: 'pending', leafIndex: 1 });
    expect(await log.tracker.pendingCount()).toBe(1);
    expect(log.included).toEqual([]);
  });

  it('proves a delivered envelope at its leaf and reports it included', async () => {
    const log = await fixture();
    log.append(cidOf(0), cidOf(1), cidOf(2));
    await log.tracker.trackDelivery('chat', cidOf(1), 1);
    await log.checkpoint();
    await log.tracker.checkPending();
    expect(await log.tracker.inclusion(cidOf(1))).toEqual({
      state: 'included',
      leafIndex: 1,
      size: 3,
    });
    expect(log.included).toEqual([['chat', cidOf(1), 1, 3]]);
    expect(await log.tracker.pendingCount()).toBe(0);
    expect(log.found).toEqual([]);
  });

  it('keeps evidence when the leaf the relay gave holds another envelope', async () => {
    const log = await fixture();
    log.append(cidOf(0), cidOf(1));
    await log.tracker.trackDelivery('chat', cidOf(5), 1);
    await log.checkpoint();
    await log.tracker.checkPending();
    expect(log.found.map((e) => e.kind)).toEqual(['not-included']);
    expect(log.found[0]).toMatchObject({ cid: cidOf(5), leafIndex: 1 });
    expect(await log.tracker.inclusion(cidOf(5))).toEqual({ state: 'unknown' });
  });

  it('keeps evidence when the relay refuses an inclusion proof it owes', async () => {
    const log = await fixture();
    log.append(cidOf(0));
    await log.tracker.trackDelivery('chat', cidOf(0), 0);
    await log.checkpoint();
    log.refuse(new ClientError('CLIENT_RELAY_REFUSED', '(gone)', { status: 404 }));
    await log.tracker.checkPending();
    expect(log.found.map((e) => e.kind)).toEqual(['not-included']);
  });

  it('keeps the envelope pending when the relay is overloaded', async () => {
    const log = await fixture();
    log.append(cidOf(0));
    await log.tracker.trackDelivery('chat', cidOf(0), 0);
    await log.checkpoint();
    log.refuse(new ClientError('CLIENT_RELAY_REFUSED', '(busy)', { status: 429 }));
    await expect(log.tracker.checkPending()).rejects.toMatchObject({
      code: 'CLIENT_RELAY_REFUSED',
    });
    expect(log.found).toEqual([]);
    expect(await log.tracker.pendingCount()).toBe(1);
  });

  it('accepts a receipt the relay signed and refuses one it did not', async () => {
    const log = await fixture();
    expect(await log.tracker.trackReceipt('chat', await log.receipt(cidOf(0), 0, 100))).toBe(true);
    const forged = await log.receipt(cidOf(1), 1, 100, new Uint8Array(32).fill(9));
    expect(await log.tracker.trackReceipt('chat', forged)).toBe(false);
    expect(await log.tracker.pendingCount()).toBe(2);
  });

  it('keeps a merge delay when a signed receipt’s promise passed without a checkpoint', async () => {
    const log = await fixture({ mergeGraceMs: 1000 });
    log.append(cidOf(0));
    await log.checkpoint();
    await log.tracker.trackReceipt('chat', await log.receipt(cidOf(1), 1, 5000));
    log.setNow(5500);
    await log.tracker.checkPending();
    expect(log.found).toEqual([]);
    log.setNow(6001);
    await log.tracker.checkPending();
    expect(log.found.map((e) => e.kind)).toEqual(['merge-delay']);
    expect(await log.tracker.pendingCount()).toBe(0);
  });

  it('proves a directory entry at once, quietly, when the held checkpoint covers it', async () => {
    const log = await fixture();
    log.append(cidOf(0), cidOf(1));
    await log.checkpoint();
    expect(await log.tracker.checkDirectoryEntry(cidOf(1), 1)).toBe(true);
    expect(await log.tracker.checkDirectoryEntry(cidOf(1), 0)).toBe(false);
    expect(await log.tracker.checkDirectoryEntry(cidOf(0), 1)).toBe(false);
    expect(await log.tracker.checkDirectoryEntry(cidOf(2), 2)).toBe('pending');
    expect(log.included).toEqual([]);
    expect(log.found.map((e) => e.kind)).toEqual(['not-included']);
  });
});
