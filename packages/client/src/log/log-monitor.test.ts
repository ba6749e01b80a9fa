/**
 * The log monitor checks a held checkpoint's signature once per new checkpoint: reading it on
 * every send (`latest()`) costs no further signature checks (fake store and relay API).
 */
import {
  MerkleTree,
  accountIdFromPublicKey,
  createCryptoSuite,
  createEnvelope,
  formatCheckpoint,
  logLeafHash,
  signCheckpoint,
  utf8,
  type CryptoSuite,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';
import type { StoredEvidence } from './evidence.js';
import { LogMonitor } from './log-monitor.js';

const real = createCryptoSuite(globalThis.crypto.subtle);
const seed = new Uint8Array(32).fill(5);
const ORIGIN = 'relay.example.org/log';

/** A suite that counts Ed25519 verifications. */
function countingSuite(): { suite: CryptoSuite; verifications: () => number } {
  let count = 0;
  const ed25519 = {
    ...real.ed25519,
    verify: (key: Uint8Array, message: Uint8Array, signature: Uint8Array) => {
      count++;
      return real.ed25519.verify(key, message, signature);
    },
  };
  return { suite: { ...real, ed25519 }, verifications: () => count };
}

/** The key-value part of a ClientStore, in memory; the monitor uses nothing else. */
function memoryStore(): ClientStore {
  const values = new Map<string, Uint8Array>();
  const store: Partial<ClientStore> = {
    get: (key) => Promise.resolve(values.get(key)),
    put: (key, value) => Promise.resolve(void values.set(key, value)),
    delete: (key) => Promise.resolve(void values.delete(key)),
    keys: (prefix) =>
      Promise.resolve([...values.keys()].filter((k) => k.startsWith(prefix)).sort()),
    transaction: (work) => work(),
  };
  return store as ClientStore;
}

async function signedCheckpoint(leaves: number): Promise<string> {
  const tree = new MerkleTree();
  for (let i = 0; i < leaves; i++) tree.append(new Uint8Array(32).fill(i));
  const body = formatCheckpoint({
    origin: ORIGIN,
    size: tree.size,
    rootHash: tree.root(),
    extensions: [],
  });
  return signCheckpoint(real, seed, ORIGIN, body);
}

describe('LogMonitor.latest', () => {
  it('checks the held checkpoint’s signature once, not on every call', async () => {
    const publicKey = await real.ed25519.publicKey(seed);
    const note = await signedCheckpoint(3);
    const api: Partial<RelayApi> = {
      info: () =>
        Promise.resolve({ relayId: accountIdFromPublicKey(publicKey), publicKey, origin: ORIGIN }),
      checkpoint: () => Promise.resolve(note),
    };
    const { suite, verifications } = countingSuite();
    const monitor = new LogMonitor({
      api: api as RelayApi,
      store: memoryStore(),
      suite,
      clock: () => 0,
      onEvidence: () => undefined,
      onIncluded: () => undefined,
    });
    const adopted = await monitor.refresh();
    expect(adopted?.checkpoint.size).toBe(3);
    const afterAdopting = verifications();
    expect(afterAdopting).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) expect((await monitor.latest())?.note).toBe(note);
    expect(verifications()).toBe(afterAdopting);
  });

  it('checks a checkpoint found in the store by a fresh monitor once', async () => {
    const publicKey = await real.ed25519.publicKey(seed);
    const store = memoryStore();
    await store.put('log/latest', utf8(await signedCheckpoint(2)));
    const relay = { relayId: accountIdFromPublicKey(publicKey), publicKey, origin: ORIGIN };
    const { suite, verifications } = countingSuite();
    const monitor = new LogMonitor({
      api: { info: () => Promise.resolve(relay) } as Partial<RelayApi> as RelayApi,
      store,
      suite,
      clock: () => 0,
      onEvidence: () => undefined,
      onIncluded: () => undefined,
    });
    for (let i = 0; i < 5; i++) expect((await monitor.latest())?.checkpoint.size).toBe(2);
    expect(verifications()).toBe(1);
  });
});

describe('LogMonitor', () => {
  const topic = new Uint8Array(32).fill(1);
  const cids = [0, 1, 2].map((i) =>
    createEnvelope({ topic, payload: utf8(`envelope ${i}`), createdAt: i }).cid.toString(),
  );

  /** A monitor of a relay whose log holds `cids`; `forged` signs its checkpoint with another key. */
  async function monitorOf(forged = false) {
    const publicKey = await real.ed25519.publicKey(seed);
    const tree = new MerkleTree();
    for (const cid of cids) tree.append(logLeafHash(cid));
    const body = formatCheckpoint({
      origin: ORIGIN,
      size: tree.size,
      rootHash: tree.root(),
      extensions: [],
    });
    const note = await signCheckpoint(
      real,
      forged ? new Uint8Array(32).fill(6) : seed,
      ORIGIN,
      body,
    );
    const api: Partial<RelayApi> = {
      info: () =>
        Promise.resolve({ relayId: accountIdFromPublicKey(publicKey), publicKey, origin: ORIGIN }),
      checkpoint: () => Promise.resolve(note),
      inclusionProof: (index, size) =>
        Promise.resolve({
          index,
          size,
          leafHash: tree.leafHash(index),
          proof: tree.inclusionProof(index, size),
        }),
    };
    const included: string[] = [];
    const evidence: StoredEvidence[] = [];
    const monitor = new LogMonitor({
      api: api as RelayApi,
      store: memoryStore(),
      suite: real,
      clock: () => 0,
      onEvidence: (e) => evidence.push(e),
      onIncluded: (_chat, cid) => included.push(cid),
    });
    return { monitor, included, evidence };
  }

  it('adopts the relay’s checkpoint on refresh and proves the envelopes it covers', async () => {
    const { monitor, included } = await monitorOf();
    await monitor.trackDelivery('chat', cids[1] ?? '', 1);
    expect(await monitor.pendingCount()).toBe(1);
    expect((await monitor.refresh())?.checkpoint.size).toBe(3);
    expect(included).toEqual([cids[1]]);
    expect(await monitor.inclusion(cids[1] ?? '')).toEqual({
      state: 'included',
      leafIndex: 1,
      size: 3,
    });
  });

  it('refuses a relay checkpoint that its key did not sign', async () => {
    const { monitor } = await monitorOf(true);
    await expect(monitor.refresh()).rejects.toMatchObject({
      code: 'CLIENT_LOG_CHECKPOINT_INVALID',
    });
  });

  it('keeps and reports a gossiped checkpoint that contradicts the one held', async () => {
    const { monitor, evidence } = await monitorOf();
    await monitor.refresh();
    await monitor.compare(await signedCheckpoint(3));
    expect(evidence.map((e) => e.kind)).toEqual(['split-view']);
    expect(await monitor.evidence()).toEqual(evidence);
  });
});
