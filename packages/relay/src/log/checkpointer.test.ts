/**
 * Batching (docs/spec/log.md §Batches): a checkpoint is signed when batchMaxLeaves leaves wait,
 * or batchIntervalMs after the last one if any wait; each batch file chains to the one before;
 * a restarted checkpointer resumes from the store; only the lease holder signs. A fake clock and
 * manual timers drive time.
 */
import {
  createCryptoSuite,
  decodeLogBatch,
  cidForBytes,
  generateIdentity,
  verifyCheckpointSignature,
  type Identity,
} from '@parley/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { unsafeSeededRandom } from '../../test/support/in-process-relay.js';
import { createManualTimers, type ManualTimers } from '../../test/support/manual-timers.js';
import { createInProcessLease, type Lease } from '../lease/lease.js';
import type { StoredCheckpoint } from '../store/log-store.js';
import type { RelayStores } from '../store/relay-stores.js';
import { openSqliteStores } from '../store/sqlite-stores.js';
import { Checkpointer } from './checkpointer.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const origin = 'relay.test/log';
const topic = new Uint8Array(32).fill(7);

let identity: Identity;
beforeAll(async () => {
  identity = await generateIdentity(suite, unsafeSeededRandom('checkpointer'));
});

let stores: RelayStores;
let now: number;
let timers: ManualTimers;
let published: StoredCheckpoint[];
let checkpointer: Checkpointer;
let counter = 0;

function checkpointerFor(options: { batchMaxLeaves?: number; lease?: Lease } = {}): Checkpointer {
  return new Checkpointer({
    store: stores.log,
    suite,
    seed: identity.secrets.signingSeed,
    origin,
    clock: () => now,
    batchIntervalMs: 1000,
    batchMaxLeaves: options.batchMaxLeaves ?? 4,
    witnesses: [],
    witnessTimeoutMs: 100,
    fetch: () => Promise.reject(new Error('no network in this test')),
    timers: timers,
    lease: options.lease ?? createInProcessLease(),
    onCheckpoint: (checkpoint) => published.push(checkpoint),
    onError: (error) => {
      throw error;
    },
  });
}

/** One lease shared by several checkpointers, as several relay processes would share one. */
function sharedLease(): () => Lease {
  let holder: object | undefined;
  return () => {
    const self = {};
    return {
      acquire() {
        holder ??= self;
        return Promise.resolve(holder === self);
      },
      renew: () => Promise.resolve(holder === self),
      release() {
        if (holder === self) holder = undefined;
        return Promise.resolve();
      },
      isHeld: () => holder === self,
    };
  };
}

async function addLeaves(count: number): Promise<string[]> {
  const items = Array.from({ length: count }, () => {
    counter += 1;
    const bytes = new TextEncoder().encode(`leaf ${counter}`);
    return { topic, cid: cidForBytes(bytes).toString(), bytes };
  });
  await stores.topics.appendEnvelopes(items, now, 2 ** 40);
  return items.map((item) => item.cid);
}

/** Lets pending work (store calls, WebCrypto signing) settle: polls until `isDone` or 2 s. */
async function settle(isDone: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + 2000;
  do {
    await new Promise((resolve) => setTimeout(resolve, 5));
  } while (!isDone() && Date.now() < deadline);
  // And a little more, so that work that should not happen would have shown.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 2));
}

beforeEach(() => {
  stores = openSqliteStores(':memory:');
  now = 1_000_000;
  timers = createManualTimers();
  published = [];
});
afterEach(async () => {
  await checkpointer.close();
  await stores.close();
});

describe('Checkpointer', () => {
  it('signs a checkpoint of size 0 on a new log, verifiable with the relay key', async () => {
    checkpointer = checkpointerFor();
    const first = await checkpointer.start();
    expect(first).toMatchObject({ size: 0, batchCid: null, createdAt: now });
    const verified = await verifyCheckpointSignature(
      suite,
      first.note,
      origin,
      identity.signingPublicKey,
    );
    expect(verified).toMatchObject({ ok: true, value: { origin, size: 0 } });
    expect(await stores.log.getCheckpoint(0)).toEqual(first);
    expect(timers.pending).toEqual([]);
  });

  it('closes a batch by time: one interval after the last checkpoint, only if leaves wait', async () => {
    checkpointer = checkpointerFor();
    await checkpointer.start();
    now += 300;
    await addLeaves(2);
    checkpointer.notify();
    await settle(() => timers.pending.length === 1);
    // Due at the last checkpoint's time + 1000 ms: 700 ms from now.
    expect(timers.pending.map((timer) => timer.delayMs)).toEqual([700]);
    expect(published).toEqual([]);
    now += 700;
    timers.fire();
    await settle(() => published.length === 1);
    expect(published.map((checkpoint) => checkpoint.size)).toEqual([2]);
    expect(checkpointer.latest().size).toBe(2);
    // Nothing new: no timer, no checkpoint.
    checkpointer.notify();
    await settle(() => true);
    expect(timers.pending).toEqual([]);
  });

  it('closes a batch by count at once, at most batchMaxLeaves per batch', async () => {
    checkpointer = checkpointerFor({ batchMaxLeaves: 4 });
    await checkpointer.start();
    const cids = await addLeaves(10);
    checkpointer.notify();
    await settle(() => timers.pending.length === 1);
    // 10 leaves: two full batches at once, the last 2 wait for the timer.
    expect(published.map((checkpoint) => checkpoint.size)).toEqual([4, 8]);
    expect(timers.pending).toHaveLength(1);
    timers.fire();
    await settle(() => published.length === 3);
    expect(published.map((checkpoint) => checkpoint.size)).toEqual([4, 8, 10]);

    // The batch files list the leaves and chain back to the first one.
    const batches = [];
    for (const checkpoint of published) {
      const bytes = await stores.log.getBatch(checkpoint.batchCid ?? '');
      batches.push(decodeLogBatch(bytes ?? new Uint8Array()));
    }
    expect(batches.map((batch) => [batch.start, batch.end])).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(batches.flatMap((batch) => batch.leaves)).toEqual(cids);
    expect(batches.map((batch) => batch.prev)).toEqual([
      null,
      published[0]?.batchCid,
      published[1]?.batchCid,
    ]);
    expect(batches.every((batch) => batch.origin === origin)).toBe(true);
  });

  it('resumes after a restart: leaves left unsigned get a checkpoint chained to the stored one', async () => {
    checkpointer = checkpointerFor();
    await checkpointer.start();
    await addLeaves(4);
    checkpointer.notify();
    await settle(() => published.length === 1);
    expect(published.map((checkpoint) => checkpoint.size)).toEqual([4]);
    await checkpointer.close();

    // Leaves committed, then a crash before their checkpoint.
    await addLeaves(3);
    now += 5000;
    checkpointer = checkpointerFor();
    expect((await checkpointer.start()).size).toBe(4);
    // Overdue: scheduled at once.
    expect(timers.pending.map((timer) => timer.delayMs)).toEqual([0]);
    timers.fire();
    await settle(() => published.length === 2);
    expect(checkpointer.latest().size).toBe(7);
    const batch = decodeLogBatch(
      (await stores.log.getBatch(checkpointer.latest().batchCid ?? '')) ?? new Uint8Array(),
    );
    expect(batch).toMatchObject({ start: 4, end: 7, prev: published[0]?.batchCid });
  });

  it('flush closes whatever waits, regardless of time and count', async () => {
    checkpointer = checkpointerFor({ batchMaxLeaves: 100 });
    await checkpointer.start();
    await addLeaves(1);
    await checkpointer.flush();
    expect(checkpointer.latest().size).toBe(1);
    expect(timers.pending).toEqual([]);
  });

  it('signs nothing without the lease: the holder writes, the other process follows the store', async () => {
    const leaseOf = sharedLease();
    const writer = checkpointerFor({ lease: leaseOf() });
    await writer.start();
    checkpointer = checkpointerFor({ lease: leaseOf() });
    expect((await checkpointer.start()).size).toBe(0);
    await addLeaves(4);
    checkpointer.notify();
    await checkpointer.flush();
    await settle(() => true);
    expect(published).toEqual([]);
    expect((await stores.log.latestCheckpoint())?.size).toBe(0);
    expect(timers.pending).toEqual([]);

    writer.notify();
    await settle(() => published.length === 1);
    expect(published.map((checkpoint) => checkpoint.size)).toEqual([4]);
    checkpointer.notify();
    await settle(() => checkpointer.latest().size === 4);
    expect(checkpointer.latest()).toEqual(published[0]);
    await writer.close();
  });

  it('refuses to start on a new log without the lease (it may not sign the first checkpoint)', async () => {
    const leaseOf = sharedLease();
    await leaseOf().acquire();
    checkpointer = checkpointerFor({ lease: leaseOf() });
    await expect(checkpointer.start()).rejects.toMatchObject({ code: 'RELAY_LEASE_NOT_HELD' });
    expect(await stores.log.latestCheckpoint()).toBeUndefined();
  });

  it('stops signing once its lease is lost', async () => {
    const lease = createInProcessLease();
    checkpointer = checkpointerFor({ lease });
    await checkpointer.start();
    expect(lease.isHeld()).toBe(true);
    await lease.release();
    await addLeaves(4);
    await checkpointer.flush();
    expect(published).toEqual([]);
    expect((await stores.log.latestCheckpoint())?.size).toBe(0);
  });
});
