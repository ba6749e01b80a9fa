/**
 * The auditor checks a relay's latest checkpoint against the last one it verified and samples
 * inclusion proofs; a rollback, a split view, a changed key, a missing witness or a leaf that is
 * not in the tree is a problem, and only a checkpoint that checked out is kept (a fake relay over
 * a real Merkle tree, real CIDs and signatures, seeded randomness).
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
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { describe, expect, it } from 'vitest';
import { auditRelay, type AuditApi, type AuditState } from './auditor.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const ORIGIN = 'relay.example.org/log';
const relaySeed = new Uint8Array(32).fill(7);
const topic = new Uint8Array(32).fill(1);

const cidOf = (label: string): string =>
  createEnvelope({ topic, payload: utf8(label), createdAt: 0 }).cid.toString();

/** A relay whose log holds `size` leaves (from `fork` on, other envelopes than before). */
async function relayOf(
  size: number,
  options: { fork?: number; seed?: Uint8Array; lie?: number } = {},
) {
  const seed = options.seed ?? relaySeed;
  const publicKey = await suite.ed25519.publicKey(seed);
  const cids = Array.from({ length: size }, (_, i) =>
    cidOf(i < (options.fork ?? size) ? `leaf ${i}` : `fork ${i}`),
  );
  const tree = new MerkleTree();
  for (const cid of cids) tree.append(logLeafHash(cid));
  const body = formatCheckpoint({ origin: ORIGIN, size, rootHash: tree.root(), extensions: [] });
  const note = await signCheckpoint(suite, seed, ORIGIN, body);
  const api: AuditApi = {
    info: () =>
      Promise.resolve({ relayId: accountIdFromPublicKey(publicKey), publicKey, origin: ORIGIN }),
    checkpoint: () => Promise.resolve(note),
    consistencyProof: (from, to) => Promise.resolve(tree.consistencyProof(from, to)),
    inclusionProof: (index, at) =>
      Promise.resolve({
        index,
        size: at,
        leafHash: tree.leafHash(index),
        proof: tree.inclusionProof(index, at),
      }),
    // `lie`: the relay lists another envelope at that index than the tree holds.
    leaves: (start) =>
      Promise.resolve([
        { index: start, cid: start === options.lie ? cidOf('lie') : (cids[start] ?? '') },
      ]),
  };
  return { api, note };
}

async function audit(api: AuditApi, state: AuditState | undefined, samples = 4) {
  return auditRelay({ api, suite, random: unsafeSeededRandom('audit'), state, samples });
}

describe('auditRelay', () => {
  it('trusts the relay on first contact and keeps the checkpoint it verified', async () => {
    const { api, note } = await relayOf(10);
    const { report, state } = await audit(api, undefined);
    expect(report).toMatchObject({
      ok: true,
      consistency: 'first-contact',
      size: 10,
      previousSize: null,
    });
    expect(report.samples).toHaveLength(4);
    expect(report.samples.map((s) => s.index)).toContain(9);
    expect(state?.note).toBe(note);
  });

  it('verifies a grown log against the checkpoint it kept', async () => {
    const first = await audit((await relayOf(5)).api, undefined);
    const { report, state } = await audit((await relayOf(12)).api, first.state);
    expect(report).toMatchObject({ ok: true, consistency: 'verified', previousSize: 5, size: 12 });
    expect(state?.note).not.toBe(first.state?.note);
  });

  it('finds a rollback and keeps the last good checkpoint', async () => {
    const first = await audit((await relayOf(8)).api, undefined);
    const { report, state } = await audit((await relayOf(6)).api, first.state);
    expect(report.problems.map((p) => p.kind)).toEqual(['rollback']);
    expect(report.ok).toBe(false);
    expect(state).toEqual(first.state);
  });

  it('finds a split view: two signed roots for one size', async () => {
    const first = await audit((await relayOf(6)).api, undefined);
    const { report } = await audit((await relayOf(6, { fork: 2 })).api, first.state);
    expect(report.problems.map((p) => p.kind)).toEqual(['split-view']);
    expect(report.problems[0]?.notes).toHaveLength(2);
  });

  it('finds a grown log that rewrote an older leaf', async () => {
    const first = await audit((await relayOf(4)).api, undefined, 0);
    const { report } = await audit((await relayOf(9, { fork: 1 })).api, first.state, 0);
    expect(report.problems.map((p) => p.kind)).toEqual(['inconsistent']);
    expect(report.consistency).toBe('failed');
  });

  it('finds a relay that presents another key than before', async () => {
    const first = await audit((await relayOf(4)).api, undefined, 0);
    const { report } = await audit(
      (await relayOf(4, { seed: new Uint8Array(32).fill(2) })).api,
      first.state,
      0,
    );
    expect(report.problems.map((p) => p.kind)).toEqual(['key-changed', 'bad-signature']);
  });

  it('finds a listed leaf whose envelope is not in the tree', async () => {
    const { api } = await relayOf(3, { lie: 2 });
    const { report, state } = await audit(api, undefined, 3);
    expect(report.samples).toEqual([
      expect.objectContaining({ index: 0, ok: true }),
      expect.objectContaining({ index: 1, ok: true }),
      expect.objectContaining({ index: 2, ok: false }),
    ]);
    expect(report.problems.map((p) => p.kind)).toEqual(['bad-inclusion']);
    expect(state).toBeUndefined();
  });

  it('finds a checkpoint with fewer cosignatures than required', async () => {
    const { api } = await relayOf(2);
    const witness = {
      name: 'witness.example',
      publicKey: await suite.ed25519.publicKey(new Uint8Array(32).fill(3)),
    };
    const { report } = await auditRelay({
      api,
      suite,
      random: unsafeSeededRandom('audit'),
      state: undefined,
      samples: 0,
      witnesses: [witness],
      requiredCosignatures: 1,
    });
    expect(report.problems.map((p) => p.kind)).toEqual(['under-witnessed']);
  });

  it('throws CLIENT_LOG_KEY_MISMATCH for a relay whose id is not its key', async () => {
    const { api } = await relayOf(2);
    const info = await api.info();
    const lying: AuditApi = {
      ...api,
      info: () => Promise.resolve({ ...info, relayId: 'someone-else' }),
    };
    await expect(audit(lying, undefined)).rejects.toMatchObject({
      code: 'CLIENT_LOG_KEY_MISMATCH',
    });
  });
});
