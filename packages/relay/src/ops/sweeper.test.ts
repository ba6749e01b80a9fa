/**
 * The retention sweep on manual timers: nothing happens until its interval falls due; then
 * expired sessions, envelopes past their age and idle buckets go; stopping clears the interval.
 */
import { cidForBytes } from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualTimers, type ManualTimers } from '../../test/support/manual-timers.js';
import { loadConfig } from '../config/config.js';
import type { RelayStores } from '../store/relay-stores.js';
import { openSqliteStores } from '../store/sqlite-stores.js';
import { Sweeper } from './sweeper.js';

const topic = new Uint8Array(32).fill(3);
const tokenHash = new Uint8Array(32).fill(9);
const START = 1_700_000_000_000;
const retention = loadConfig({
  flags: { 'retention-sweep-interval-seconds': '60', 'retention-max-age-seconds': '3600' },
}).retention;

let stores: RelayStores;
let timers: ManualTimers;
let now: number;
let pruned: number[];
let removed: number[];
let errors: unknown[];
let sweeper: Sweeper;

beforeEach(() => {
  stores = openSqliteStores(':memory:');
  timers = createManualTimers();
  now = START;
  pruned = [];
  removed = [];
  errors = [];
  sweeper = new Sweeper({
    timers,
    clock: () => now,
    retention,
    sessions: stores.sessions,
    topics: stores.topics,
    prunables: [{ prune: (at) => pruned.push(at) }],
    onRemoved: (count) => removed.push(count),
    onError: (error) => errors.push(error),
  });
});
afterEach(async () => {
  await sweeper.stop();
  await stores.close();
});

/** Advances both the relay's clock and its timers by `ms`, then lets the sweep's store calls end. */
async function advance(ms: number): Promise<void> {
  now += ms;
  timers.advance(ms);
  await sweeper.settled();
}

async function storeEnvelope(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  await stores.topics.appendEnvelopes(
    [{ topic, cid: cidForBytes(bytes).toString(), bytes }],
    now,
    2 ** 40,
  );
}

describe('Sweeper', () => {
  it('sweeps only when its interval falls due, on the injected timers', async () => {
    sweeper.start();
    expect(timers.pending.map((timer) => timer.intervalMs)).toEqual([60_000]);
    await storeEnvelope('old');
    await stores.sessions.putSession(tokenHash, { account: 'a', expiresAt: START + 1000 });

    // Past the envelope's age and the session's expiry, but before the interval: nothing yet.
    now += 3_600_001;
    timers.advance(59_999);
    expect(await stores.topics.listEnvelopes(topic, 0, 10)).toHaveLength(1);
    expect(await stores.sessions.getSession(tokenHash)).toBeDefined();

    await advance(1);
    expect(await stores.topics.listEnvelopes(topic, 0, 10)).toEqual([]);
    expect(await stores.sessions.getSession(tokenHash)).toBeUndefined();
    expect(removed).toEqual([1]);
    expect(errors).toEqual([]);
  });

  it('keeps what is still within its age, and prunes challenges and buckets at each sweep', async () => {
    sweeper.start();
    await storeEnvelope('fresh');
    await advance(60_000);
    await advance(60_000);
    expect(await stores.topics.listEnvelopes(topic, 0, 10)).toHaveLength(1);
    expect(removed).toEqual([]);
    expect(pruned).toEqual([START + 60_000, START + 120_000]);
  });

  it('reports a failing store to onError and keeps sweeping', async () => {
    sweeper.start();
    await stores.close();
    await advance(60_000);
    expect(errors).toHaveLength(1);
    expect(timers.pending).toHaveLength(1);
    stores = openSqliteStores(':memory:');
  });

  it('stops: its interval is cleared', async () => {
    sweeper.start();
    await sweeper.stop();
    expect(timers.pending).toEqual([]);
  });
});
