/**
 * The checkpoint view adopts only checkpoints the relay signed that extend the one held, and keeps
 * every contradiction (split view, rollback, failed or refused consistency proof) as evidence
 * (a fake relay over a real Merkle tree, real checkpoint signatures, the in-memory store).
 */
import {
  MerkleTree,
  accountIdFromPublicKey,
  addNoteSignatures,
  cosignCheckpoint,
  createCryptoSuite,
  formatCheckpoint,
  leafHash,
  signCheckpoint,
  utf8,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import type { ClientStore } from '../store/client-store.js';
import { CheckpointView, type WitnessKey } from './checkpoints.js';
import { EvidenceStore, type StoredEvidence } from './evidence.js';
import { RelayPin } from './relay-pin.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const ORIGIN = 'relay.example.org/log';
const relaySeed = new Uint8Array(32).fill(7);

/** A tree of `size` leaves; `fork` changes the leaves from that index on. */
function treeOf(size: number, fork = size): MerkleTree {
  const tree = new MerkleTree();
  for (let i = 0; i < size; i++) tree.append(leafHash(utf8(i < fork ? `leaf-${i}` : `fork-${i}`)));
  return tree;
}

async function noteOf(tree: MerkleTree, seed = relaySeed): Promise<string> {
  const body = formatCheckpoint({
    origin: ORIGIN,
    size: tree.size,
    rootHash: tree.root(),
    extensions: [],
  });
  return signCheckpoint(suite, seed, ORIGIN, body);
}

interface Fixture {
  readonly view: CheckpointView;
  readonly store: ClientStore;
  readonly found: StoredEvidence[];
  /** The tree whose consistency proofs the relay serves. */
  readonly serve: (tree: MerkleTree) => void;
  /** Makes the relay answer consistency requests with this error instead. */
  readonly fail: (error: Error) => void;
}

async function fixture(
  options: { witnesses?: WitnessKey[]; requiredCosignatures?: number } = {},
): Promise<Fixture> {
  const publicKey = await suite.ed25519.publicKey(relaySeed);
  const store = openMemoryClientStore();
  const found: StoredEvidence[] = [];
  let served = treeOf(0);
  let failure: Error | undefined;
  const api = {
    info: () =>
      Promise.resolve({ relayId: accountIdFromPublicKey(publicKey), publicKey, origin: ORIGIN }),
    consistencyProof: (from: number, to: number) =>
      failure === undefined
        ? Promise.resolve(served.consistencyProof(from, to))
        : Promise.reject(failure),
  };
  const pin = new RelayPin({ api, store });
  const evidence = new EvidenceStore({
    store,
    clock: () => 1000,
    onEvidence: (e) => found.push(e),
  });
  const view = new CheckpointView({ api, store, suite, pin, evidence, ...options });
  return {
    view,
    store,
    found,
    serve: (tree) => {
      served = tree;
    },
    fail: (error) => {
      failure = error;
    },
  };
}

describe('CheckpointView', () => {
  it('adopts the first checkpoint the relay signed', async () => {
    const { view, found } = await fixture();
    const note = await noteOf(treeOf(3));
    await view.consider(note, 'relay');
    expect((await view.latest())?.note).toBe(note);
    expect((await view.latest())?.checkpoint.size).toBe(3);
    expect(found).toEqual([]);
  });

  it('refuses a relay checkpoint signed by another key', async () => {
    const { view } = await fixture();
    const forged = await noteOf(treeOf(3), new Uint8Array(32).fill(9));
    await expect(view.consider(forged, 'relay')).rejects.toMatchObject({
      code: 'CLIENT_LOG_CHECKPOINT_INVALID',
    });
    expect(await view.latest()).toBeUndefined();
  });

  it('ignores a peer’s checkpoint that does not verify', async () => {
    const { view, found } = await fixture();
    await view.consider(await noteOf(treeOf(2)), 'relay');
    await view.consider(await noteOf(treeOf(5), new Uint8Array(32).fill(9)), 'peer');
    expect((await view.latest())?.checkpoint.size).toBe(2);
    expect(found).toEqual([]);
  });

  it('adopts a newer checkpoint whose consistency proof verifies', async () => {
    const { view, found, serve, store } = await fixture();
    await view.consider(await noteOf(treeOf(3)), 'relay');
    serve(treeOf(7));
    const newer = await noteOf(treeOf(7));
    await view.consider(newer, 'relay');
    expect((await view.latest())?.note).toBe(newer);
    expect(await store.keys('log/checkpoints/')).toHaveLength(2);
    expect(found).toEqual([]);
  });

  it('keeps a split view when the relay signs two roots for one size', async () => {
    const { view, found } = await fixture();
    const first = await noteOf(treeOf(4));
    const second = await noteOf(treeOf(4, 2));
    await view.consider(first, 'relay');
    await view.consider(second, 'relay');
    expect(found.map((e) => e.kind)).toEqual(['split-view']);
    expect(found[0]).toMatchObject({ notes: [first, second], id: 1, foundAt: 1000 });
    expect((await view.latest())?.note).toBe(first);
  });

  it('keeps a rollback when the relay serves a smaller tree than it signed', async () => {
    const { view, found, serve } = await fixture();
    serve(treeOf(6));
    await view.consider(await noteOf(treeOf(6)), 'relay');
    await view.consider(await noteOf(treeOf(4)), 'relay');
    expect(found.map((e) => e.kind)).toEqual(['rollback']);
    expect((await view.latest())?.checkpoint.size).toBe(6);
  });

  it('keeps an inconsistency when the newer tree rewrote an older leaf', async () => {
    const { view, found, serve } = await fixture();
    await view.consider(await noteOf(treeOf(4)), 'relay');
    const forked = treeOf(8, 1);
    serve(forked);
    await view.consider(await noteOf(forked), 'relay');
    expect(found.map((e) => e.kind)).toEqual(['inconsistent']);
    expect((await view.latest())?.checkpoint.size).toBe(4);
  });

  it('keeps a split view when the relay refuses a consistency proof it owes', async () => {
    const { view, found, fail } = await fixture();
    await view.consider(await noteOf(treeOf(2)), 'relay');
    fail(new ClientError('CLIENT_RELAY_REFUSED', '(no proof)', { status: 404 }));
    await view.consider(await noteOf(treeOf(5)), 'relay');
    expect(found.map((e) => e.kind)).toEqual(['split-view']);
    expect((await view.latest())?.checkpoint.size).toBe(2);
  });

  it('fails, proving nothing, when the relay cannot be reached for a proof', async () => {
    const { view, found, fail } = await fixture();
    await view.consider(await noteOf(treeOf(2)), 'relay');
    fail(new ClientError('CLIENT_RELAY_UNREACHABLE'));
    await expect(view.consider(await noteOf(treeOf(5)), 'relay')).rejects.toMatchObject({
      code: 'CLIENT_RELAY_UNREACHABLE',
    });
    expect(found).toEqual([]);
  });

  it('accepts a peer that is behind when its checkpoint is a prefix of the one held', async () => {
    const { view, found, serve } = await fixture();
    serve(treeOf(6));
    await view.consider(await noteOf(treeOf(6)), 'relay');
    await view.consider(await noteOf(treeOf(3)), 'peer');
    expect(found).toEqual([]);
    expect((await view.latest())?.checkpoint.size).toBe(6);
  });

  it('keeps an inconsistency when a peer saw an older tree that is no prefix of ours', async () => {
    const { view, found, serve } = await fixture();
    serve(treeOf(6));
    await view.consider(await noteOf(treeOf(6)), 'relay');
    await view.consider(await noteOf(treeOf(3, 0)), 'peer');
    expect(found.map((e) => e.kind)).toEqual(['inconsistent']);
  });

  it('keeps one piece of evidence when the same contradiction is gossiped twice', async () => {
    const { view, found } = await fixture();
    await view.consider(await noteOf(treeOf(4)), 'relay');
    const other = await noteOf(treeOf(4, 0));
    await view.consider(other, 'peer');
    await view.consider(other, 'peer');
    expect(found).toHaveLength(1);
  });

  it('adopts a checkpoint only with the cosignatures it requires', async () => {
    const witnessSeed = new Uint8Array(32).fill(3);
    const witness = {
      name: 'witness.example',
      publicKey: await suite.ed25519.publicKey(witnessSeed),
    };
    const { view } = await fixture({ witnesses: [witness], requiredCosignatures: 1 });
    const bare = await noteOf(treeOf(3));
    await view.consider(bare, 'relay');
    expect(await view.latest()).toBeUndefined();
    const body = bare.slice(0, bare.indexOf('\n\n') + 1);
    const line = await cosignCheckpoint(suite, witnessSeed, witness.name, body, 1_700_000_000);
    const cosigned = addNoteSignatures(bare, [line]);
    await view.consider(cosigned, 'relay');
    expect((await view.latest())?.note).toBe(cosigned);
  });

  it('throws CLIENT_INTERNAL when the stored checkpoint no longer verifies', async () => {
    const { view, store } = await fixture();
    await store.put('log/latest', utf8(await noteOf(treeOf(2), new Uint8Array(32).fill(9))));
    await expect(view.latest()).rejects.toMatchObject({ code: 'CLIENT_INTERNAL' });
  });
});
