/**
 * Transparency log: leaves appended per second through the relay's SQLite store (durable, one
 * transaction per batch of envelopes, as the relay commits them) with a signed C2SP checkpoint
 * and batch file after every batch; then inclusion proofs generated and verified per second.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEnvelope,
  encodeLogBatch,
  formatCheckpoint,
  logLeafHash,
  newSharedTopic,
  signCheckpoint,
  verifyInclusion,
  type EncodedEnvelope,
} from '@parley/core';
import { openSqliteStores, type RelayStores } from '@parley/relay';
import { random, suite } from '../generator/session.js';
import { spread, type Spread } from '../stats.js';

/** Log figures. */
export interface LogFigures {
  readonly leaves: number;
  readonly leavesPerCheckpoint: number;
  readonly appendedLeavesPerSecond: Spread;
  readonly proofs: number;
  readonly proofsGeneratedPerSecond: Spread;
  readonly proofsVerifiedPerSecond: Spread;
}

const ORIGIN = 'bench.parley.invalid/log';
const MAX_BYTES_PER_TOPIC = 64 * 1024 * 1024;

async function appendWithCheckpoints(
  stores: RelayStores,
  envelopes: readonly EncodedEnvelope[],
  batchLeaves: number,
  seed: Uint8Array,
): Promise<void> {
  let previousBatch: string | null = null;
  for (let start = 0; start < envelopes.length; start += batchLeaves) {
    const items = envelopes.slice(start, start + batchLeaves).map((e) => ({
      topic: e.envelope.topic,
      cid: e.cid.toString(),
      bytes: e.bytes,
    }));
    await stores.topics.appendEnvelopes(items, Date.now(), MAX_BYTES_PER_TOPIC);
    const end = await stores.log.logSize();
    const leaves = await stores.log.leafRange(start, end);
    const batch = encodeLogBatch({
      v: 1,
      origin: ORIGIN,
      start,
      end,
      leaves: leaves.map((leaf) => leaf.cid),
      prev: previousBatch,
    });
    const body = formatCheckpoint({
      origin: ORIGIN,
      size: end,
      rootHash: await stores.log.logRoot(end),
      extensions: [],
    });
    const note = await signCheckpoint(suite, seed, ORIGIN, body);
    await stores.log.putCheckpoint(
      { size: end, note, createdAt: Date.now(), batchCid: batch.cid },
      { cid: batch.cid, start, end, bytes: batch.bytes },
      new Map(),
    );
    previousBatch = batch.cid;
  }
}

/** Measures appends with checkpoints, then proofs, on a fresh store per run. */
export async function runLog(options: {
  leaves: number;
  batchLeaves: number;
  proofs: number;
  runs: number;
}): Promise<LogFigures> {
  const topics = Array.from({ length: 16 }, () => newSharedTopic(random));
  const appended: number[] = [];
  const generated: number[] = [];
  const verified: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const envelopes = Array.from({ length: options.leaves }, (_, i) =>
      createEnvelope({
        topic: topics[i % topics.length] ?? topics[0] ?? newSharedTopic(random),
        payload: random(1024),
        createdAt: Date.now(),
      }),
    );
    const dir = await mkdtemp(join(tmpdir(), 'parley-bench-log-'));
    const stores = openSqliteStores(join(dir, 'relay.db'));
    try {
      const seed = random(32);
      let start = performance.now();
      await appendWithCheckpoints(stores, envelopes, options.batchLeaves, seed);
      appended.push(options.leaves / ((performance.now() - start) / 1000));

      const size = await stores.log.logSize();
      const root = await stores.log.logRoot(size);
      const indices = Array.from({ length: options.proofs }, () =>
        Math.floor(Math.random() * size),
      );
      start = performance.now();
      const proofs: Uint8Array[][] = [];
      for (const index of indices) proofs.push(await stores.log.logInclusionProof(index, size));
      generated.push(options.proofs / ((performance.now() - start) / 1000));

      const leafHashes = indices.map((i) => logLeafHash(envelopes[i]?.cid.toString() ?? ''));
      start = performance.now();
      for (let p = 0; p < indices.length; p++) {
        const result = verifyInclusion(
          leafHashes[p] ?? new Uint8Array(32),
          indices[p] ?? 0,
          size,
          proofs[p] ?? [],
          root,
        );
        if (!result.ok) throw new Error(`inclusion proof ${p} failed: ${result.reason}`);
      }
      verified.push(options.proofs / ((performance.now() - start) / 1000));
    } finally {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
  return {
    leaves: options.leaves,
    leavesPerCheckpoint: options.batchLeaves,
    appendedLeavesPerSecond: spread(appended),
    proofs: options.proofs,
    proofsGeneratedPerSecond: spread(generated),
    proofsVerifiedPerSecond: spread(verified),
  };
}
