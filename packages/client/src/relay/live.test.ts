/**
 * The live connection against a fake WebSocket and fake timers: it authenticates, subscribes to
 * the client's topics once ready, hands over each pushed envelope whole (or asks for a pull when
 * a frame does not check), and reconnects with backoff until stopped.
 */
import { encodeEnvelopeFrame, toBase64Url } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { LiveConnection, type LiveTimers, type WebSocketLike } from './live.js';
import type { TopicEnvelope } from './relay-api.js';

type Listener = (event: { data: unknown }) => void;

/** A socket the test drives: it records what the client sends and fires the events it is told. */
class FakeSocket implements WebSocketLike {
  static opened: FakeSocket[] = [];
  readyState = 0;
  readonly sent: unknown[] = [];
  closed: { code: number | undefined; reason: string | undefined } | undefined;
  readonly #listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  fire(type: 'open' | 'close' | 'message', data?: unknown): void {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    for (const listener of this.#listeners.get(type) ?? []) listener({ data });
  }

  frame(value: unknown): void {
    this.fire('message', typeof value === 'string' ? value : JSON.stringify(value));
  }
}

/** Timers that run only when the test says, recording each delay. */
function fakeTimers() {
  const pending = new Map<number, () => void>();
  const delays: number[] = [];
  let next = 0;
  const timers: LiveTimers = {
    setTimeout: (run, delayMs) => {
      delays.push(delayMs);
      pending.set(++next, run);
      return next;
    },
    clearTimeout: (handle) => {
      pending.delete(handle as number);
    },
  };
  const runAll = () => {
    const runs = [...pending.values()];
    pending.clear();
    for (const run of runs) run();
  };
  return { timers, delays, runAll, pending };
}

const TOPIC = new Uint8Array(32).fill(7);
const TOPIC_ID = toBase64Url(TOPIC);
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function start(options: { token?: () => Promise<string> } = {}) {
  FakeSocket.opened = [];
  const pushed: { topic: Uint8Array; envelope: TopicEnvelope | undefined }[] = [];
  let checkpoints = 0;
  let reconnects = 0;
  const clock = fakeTimers();
  const live = new LiveConnection({
    url: 'http://relay.example/',
    WebSocket: FakeSocket,
    token: options.token ?? (() => Promise.resolve('the-token')),
    topics: () => Promise.resolve([{ topic: TOPIC, after: 4 }]),
    onEnvelope: (topic, envelope) => {
      pushed.push({ topic, envelope });
    },
    onCheckpoint: () => {
      checkpoints += 1;
    },
    onReconnect: () => {
      reconnects += 1;
    },
    timers: clock.timers,
  });
  live.start();
  const socket = () => {
    const last = FakeSocket.opened.at(-1);
    if (last === undefined) throw new Error('no socket opened');
    return last;
  };
  return {
    live,
    socket,
    pushed,
    clock,
    checkpoints: () => checkpoints,
    reconnects: () => reconnects,
  };
}

/** Opens the socket, answers the auth with ready, and lets the subscriptions go out. */
async function ready(t: ReturnType<typeof start>) {
  t.socket().fire('open');
  await flush();
  t.socket().frame({ type: 'ready', accountId: 'alice', expiresAt: 1 });
  await flush();
}

const envelopeFrame = (seq: number) =>
  encodeEnvelopeFrame({
    topic: TOPIC_ID,
    seq,
    cid: `cid-${seq}`,
    receivedAt: 100 + seq,
    leafIndex: seq,
    envelope: toBase64Url(new Uint8Array([seq, seq])),
  });

describe('LiveConnection', () => {
  it('connects to the ws URL of the relay and authenticates with a session token', async () => {
    const t = start();
    expect(t.socket().url).toBe('ws://relay.example/v1/ws');
    t.socket().fire('open');
    await flush();
    expect(t.socket().sent).toEqual([{ type: 'auth', token: 'the-token' }]);
  });

  it('subscribes to every followed topic after its cursor once the relay is ready', async () => {
    const t = start();
    await ready(t);
    expect(t.socket().sent.slice(1)).toEqual([{ type: 'subscribe', topic: TOPIC_ID, after: 4 }]);
    t.live.subscribe(new Uint8Array(32).fill(8), 0);
    expect(t.socket().sent.at(-1)).toEqual({
      type: 'subscribe',
      topic: toBase64Url(new Uint8Array(32).fill(8)),
      after: 0,
    });
  });

  it('hands over a pushed envelope whole, bytes and all', async () => {
    const t = start();
    await ready(t);
    t.socket().frame(envelopeFrame(5));
    expect(t.pushed).toEqual([
      {
        topic: TOPIC,
        envelope: {
          seq: 5,
          cid: 'cid-5',
          receivedAt: 105,
          leafIndex: 5,
          bytes: new Uint8Array([5, 5]),
        },
      },
    ]);
  });

  it('asks for a pull of a followed topic whose frame does not check, and ignores others', async () => {
    const t = start();
    await ready(t);
    t.socket().frame({ type: 'envelope', topic: TOPIC_ID, seq: 'not a number' });
    t.socket().frame({ type: 'envelope', topic: toBase64Url(new Uint8Array(32)), seq: 'x' });
    t.socket().frame(
      encodeEnvelopeFrame({
        topic: toBase64Url(new Uint8Array(32).fill(9)),
        seq: 1,
        cid: 'c',
        receivedAt: 1,
        leafIndex: 0,
        envelope: toBase64Url(new Uint8Array([1])),
      }),
    );
    t.socket().frame('not json');
    expect(t.pushed).toEqual([{ topic: TOPIC, envelope: undefined }]);
  });

  it('tells the client of each new checkpoint', async () => {
    const t = start();
    await ready(t);
    t.socket().frame({ type: 'checkpoint', note: 'origin\n1\nroot\n\n— sig\n' });
    expect(t.checkpoints()).toBe(1);
  });

  it('reconnects with growing delays after drops, and catches up once ready again', async () => {
    const t = start();
    await ready(t);
    expect(t.reconnects()).toBe(0);
    t.socket().fire('close');
    t.clock.runAll();
    t.socket().fire('close');
    t.clock.runAll();
    expect(FakeSocket.opened).toHaveLength(3);
    expect(t.clock.delays).toEqual([500, 1000]);
    await ready(t);
    expect(t.reconnects()).toBe(1);
    // Ready again: the backoff starts over.
    t.socket().fire('close');
    expect(t.clock.delays.at(-1)).toBe(500);
  });

  it('never waits more than ten seconds between attempts', async () => {
    const t = start();
    for (let i = 0; i < 12; i++) {
      t.socket().fire('close');
      t.clock.runAll();
    }
    await flush();
    expect(Math.max(...t.clock.delays)).toBe(10_000);
  });

  it('closes the socket when no token can be had', async () => {
    const t = start({ token: () => Promise.reject(new Error('no session')) });
    t.socket().fire('open');
    await flush();
    expect(t.socket().closed).toBeDefined();
    expect(t.socket().sent).toEqual([]);
  });

  it('stops for good: closes the socket, cancels a pending reconnect and opens no other', async () => {
    const t = start();
    await ready(t);
    t.live.stop();
    expect(t.socket().closed).toEqual({ code: 1000, reason: 'client closing' });
    t.socket().fire('close');
    expect(t.clock.pending.size).toBe(0);

    const again = start();
    again.socket().fire('close');
    expect(again.clock.pending.size).toBe(1);
    again.live.stop();
    expect(again.clock.pending.size).toBe(0);
    expect(FakeSocket.opened).toHaveLength(1);
  });
});
