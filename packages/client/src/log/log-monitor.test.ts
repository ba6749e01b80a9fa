/**
 * The log monitor checks a held checkpoint's signature once per new checkpoint: reading it on
 * every send (`latest()`) costs no further signature checks (fake store and relay API).
 */
import {
  MerkleTree,
  accountIdFromPublicKey,
  createCryptoSuite,
  formatCheckpoint,
  signCheckpoint,
  utf8,
  type CryptoSuite,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { RelayApi } from '../relay/relay-api.js';
import type { ClientStore } from '../store/client-store.js';
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
