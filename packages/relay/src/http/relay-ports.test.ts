/**
 * createRelay on injected ports: every timer goes through `timers` (the batch timer of the
 * checkpointer, the retention sweep), and the lease gates the log writer.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestRelay,
  textEnvelope,
  unsafeTestIdentity,
  type TestRelay,
} from '../../test/support/in-process-relay.js';
import { createManualTimers, type ManualTimers } from '../../test/support/manual-timers.js';
import { createInProcessLease, type Lease } from '../lease/lease.js';

const topic = new Uint8Array(32).fill(0x24);

let alice: Awaited<ReturnType<typeof unsafeTestIdentity>>;
beforeAll(async () => {
  alice = await unsafeTestIdentity('alice');
});

let relay: TestRelay | undefined;
let timers: ManualTimers;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

/** The size in the latest checkpoint's body (its third line is the root hash). */
async function checkpointSize(test: TestRelay): Promise<number> {
  const note = (await test.request('GET', '/v1/log/checkpoint')).body;
  return Number(note.split('\n')[1]);
}

/** Posts one envelope and returns once it is stored (its leaf waits for a batch). */
async function post(test: TestRelay, text: string): Promise<void> {
  const token = await test.login(alice);
  const answer = await test.request('POST', '/v1/envelopes', {
    token,
    cbor: textEnvelope(topic, text).bytes,
  });
  expect(answer.statusCode).toBe(201);
}

/** Lets the checkpointer's store calls and signing finish (no timer involved). */
async function untilSize(test: TestRelay, size: number): Promise<number> {
  for (let turn = 0; turn < 200; turn++) {
    if ((await checkpointSize(test)) >= size) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return checkpointSize(test);
}

describe('createRelay with injected timers', () => {
  it('schedules the retention sweep on its timers, every sweep interval', async () => {
    timers = createManualTimers();
    relay = await startTestRelay({ timers, flags: { 'retention-sweep-interval-seconds': '90' } });
    expect(timers.pending.map((timer) => timer.intervalMs)).toEqual([90_000]);
  });

  it('closes a log batch only when its timer fires (no real waiting)', async () => {
    timers = createManualTimers();
    relay = await startTestRelay({ timers, flags: { 'log-batch-interval-ms': '5000' } });
    await post(relay, 'one');
    const batch = await (async () => {
      for (let turn = 0; turn < 200; turn++) {
        const found = timers.pending.find((timer) => timer.intervalMs === undefined);
        if (found !== undefined) return found;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return undefined;
    })();
    expect(batch?.delayMs).toBe(5000);
    expect(await checkpointSize(relay)).toBe(0);
    relay.advance(5000);
    timers.advance(5000);
    expect(await untilSize(relay, 1)).toBe(1);
  });

  it('clears every timer it set when it closes', async () => {
    timers = createManualTimers();
    relay = await startTestRelay({ timers });
    await post(relay, 'two');
    await relay.close();
    relay = undefined;
    expect(timers.pending).toEqual([]);
  });
});

describe('createRelay and the lease', () => {
  it('holds the in-process lease while it runs and gives it up when it closes', async () => {
    const lease = createInProcessLease();
    relay = await startTestRelay({ lease });
    expect(lease.isHeld()).toBe(true);
    await relay.close();
    relay = undefined;
    expect(lease.isHeld()).toBe(false);
  });

  it('refuses to start on a new log when another process holds the lease', async () => {
    const heldElsewhere: Lease = {
      acquire: () => Promise.resolve(false),
      renew: () => Promise.resolve(false),
      release: () => Promise.resolve(),
      isHeld: () => false,
    };
    await expect(startTestRelay({ lease: heldElsewhere })).rejects.toMatchObject({
      code: 'RELAY_LEASE_NOT_HELD',
    });
  });

  it('signs no checkpoint once its lease is lost', async () => {
    const lease = createInProcessLease();
    timers = createManualTimers();
    relay = await startTestRelay({ lease, timers, flags: { 'log-batch-max-leaves': '1' } });
    await lease.release();
    await post(relay, 'three');
    timers.fire();
    await untilSize(relay, 1);
    expect(await checkpointSize(relay)).toBe(0);
  });
});
