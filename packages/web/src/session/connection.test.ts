import { ClientError, type ClientEvents, type ClientStore } from '@parley/client';
import { describe, expect, it } from 'vitest';
import type { Timers } from '../platform/env.js';
import { Connection, type ConnectionClient, type RelayState } from './connection.js';

/** Timers that run only when the test says so. */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; delayMs: number }>();
  let next = 1;
  const timers: Timers = {
    setTimeout: (callback, delayMs) => {
      pending.set(next, { callback, delayMs });
      return next++;
    },
    clearTimeout: (handle) => {
      pending.delete(handle);
    },
  };
  return {
    timers,
    delays: () => [...pending.values()].map((timer) => timer.delayMs),
    /** Runs every due timer once, then lets the promises they start settle. */
    async fire() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, timer] of due) timer.callback();
      await settle();
    },
  };
}

async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A client whose relay is up or down as the test says. */
function fakeClient() {
  const handlers = new Map<string, Set<(payload: never) => void>>();
  const calls: string[] = [];
  let failure: Error | undefined;
  const attempt = (name: string) => () => {
    calls.push(name);
    return failure === undefined ? Promise.resolve() : Promise.reject(failure);
  };
  const client: ConnectionClient = {
    on: (event: string, handler: (payload: never) => void) => {
      const set = handlers.get(event) ?? new Set();
      set.add(handler);
      handlers.set(event, set);
      return () => set.delete(handler);
    },
    register: attempt('register'),
    connect: attempt('connect'),
    sync: attempt('sync'),
  };
  return {
    client,
    calls,
    fail(error: Error | undefined) {
      failure = error;
    },
    emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]) {
      for (const handler of handlers.get(event) ?? [])
        (handler as (p: ClientEvents[K]) => void)(payload);
    },
  };
}

function memoryStore(): ClientStore {
  const map = new Map<string, Uint8Array>();
  return {
    get: (key: string) => Promise.resolve(map.get(key)),
    put: (key: string, value: Uint8Array) => {
      map.set(key, value);
      return Promise.resolve();
    },
  } as ClientStore;
}

function setup() {
  const fake = fakeClient();
  const clock = manualTimers();
  const store = memoryStore();
  const states: RelayState['kind'][] = [];
  const connection = new Connection({
    client: fake.client,
    store,
    relayUrl: 'http://relay.test',
    fetch: () => Promise.resolve(new Response('ok')),
    timers: clock.timers,
  });
  connection.subscribe((state) => states.push(state.kind));
  return { fake, clock, store, states, connection };
}

describe('Connection', () => {
  it('registers on first use, connects, and then only syncs', async () => {
    const { fake, clock, connection, states } = setup();
    connection.start();
    await settle();
    expect(fake.calls).toEqual(['register', 'connect']);
    expect(states).toEqual(['online']);
    connection.lostRelay();
    await clock.fire();
    expect(fake.calls).toEqual(['register', 'connect', 'sync']);
  });

  it('retries an unreachable relay with growing delays and goes online when it answers', async () => {
    const { fake, clock, connection, states } = setup();
    fake.fail(new ClientError('CLIENT_RELAY_UNREACHABLE'));
    connection.start();
    await settle();
    expect(connection.state).toEqual({
      kind: 'offline',
      reason: "Can't reach the relay. Your messages are kept and will be sent when it's back.",
    });
    expect(clock.delays()).toEqual([1000]);
    await clock.fire();
    expect(clock.delays()).toEqual([2000]);
    fake.fail(undefined);
    await clock.fire();
    expect(states).toEqual(['offline', 'online']);
    expect(fake.calls.filter((call) => call === 'register')).toHaveLength(3);
  });

  it('stops retrying when the relay refuses the account for good', async () => {
    const { fake, clock, connection } = setup();
    fake.fail(
      new ClientError('CLIENT_RELAY_REFUSED', undefined, {
        relayCode: 'RELAY_ACCOUNT_NOT_ALLOWED',
        status: 403,
      }),
    );
    connection.start();
    await settle();
    expect(connection.state.kind).toBe('refused');
    expect(clock.delays()).toEqual([]);
  });

  it('goes offline on an unreachable error from the background, and online on the next send', async () => {
    const { fake, connection, states } = setup();
    connection.start();
    await settle();
    fake.emit('error', { code: 'CLIENT_RELAY_UNREACHABLE', message: 'down' });
    expect(connection.state.kind).toBe('offline');
    fake.emit('sent', { chatId: 'c', id: 1, seq: 1, cid: 'bafy' });
    expect(states).toEqual(['online', 'offline', 'online']);
  });
});
