/** Group commit: one store call per event-loop turn, a receipt each, bus pushes in seq order. */
import { createEnvelope, toBase64Url, type EncodedEnvelope } from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AcceptedEnvelope, Bus } from '../bus/bus.js';
import { isRelayError } from '../errors.js';
import type { RelayStores } from '../store/relay-stores.js';
import { openSqliteStores } from '../store/sqlite-stores.js';
import type { TopicStore } from '../store/topic-store.js';
import { EnvelopeWriter } from './envelope-writer.js';

const topicA = new Uint8Array(32).fill(0xa);
const topicB = new Uint8Array(32).fill(0xb);

function envelope(topic: Uint8Array, text: string): EncodedEnvelope {
  return createEnvelope({ topic, payload: new TextEncoder().encode(text), createdAt: 1 });
}

/** A bus that records what is published. */
function recordingBus(): Bus & { readonly events: AcceptedEnvelope[] } {
  const events: AcceptedEnvelope[] = [];
  return {
    events,
    publish(event) {
      events.push(event);
      return Promise.resolve();
    },
    publishCheckpoint() {
      return Promise.resolve();
    },
    subscribe() {
      return () => undefined;
    },
    subscribeCheckpoints() {
      return () => undefined;
    },
    close() {
      return Promise.resolve();
    },
  };
}

/** Resolves after the current event-loop turn and the writer's setImmediate flush. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

let stores: RelayStores;
let inner: TopicStore;
/** Items per appendEnvelopes call, in call order. */
let batches: number[];
/** While set, appendEnvelopes waits for this promise before writing. */
let gate: Promise<void> | undefined;
/** While set, appendEnvelopes rejects with this error. */
let failure: Error | undefined;
let store: TopicStore;
let bus: ReturnType<typeof recordingBus>;

beforeEach(() => {
  stores = openSqliteStores(':memory:');
  inner = stores.topics;
  batches = [];
  gate = undefined;
  failure = undefined;
  store = {
    ...inner,
    async appendEnvelopes(items, receivedAt, maxBytesPerTopic) {
      batches.push(items.length);
      if (gate !== undefined) await gate;
      if (failure !== undefined) throw failure;
      return inner.appendEnvelopes(items, receivedAt, maxBytesPerTopic);
    },
  };
  bus = recordingBus();
});
afterEach(async () => {
  await stores.close();
});

/** Holds every commit until the returned function is called. */
function holdCommits(): () => void {
  let release!: () => void;
  gate = new Promise((resolve) => {
    release = resolve;
  });
  return release;
}

function writer(options: { maxBytesPerTopic?: number; maxBatch?: number } = {}) {
  return new EnvelopeWriter({
    store,
    bus,
    clock: () => 4242,
    maxBytesPerTopic: options.maxBytesPerTopic ?? 2 ** 40,
    ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
  });
}

describe('EnvelopeWriter', () => {
  it('commits every append of one turn in one store call and gives each its receipt', async () => {
    const envelopes = [
      envelope(topicA, '1'),
      envelope(topicB, '2'),
      envelope(topicA, '3'),
      envelope(topicA, '4'),
    ];
    const w = writer();
    const receipts = await Promise.all(envelopes.map((encoded) => w.append(encoded)));
    expect(batches).toEqual([4]);
    expect(
      receipts.map(({ cid, seq, receivedAt, duplicate }) => ({ cid, seq, receivedAt, duplicate })),
    ).toEqual([
      { cid: envelopes[0]?.cid.toString(), seq: 1, receivedAt: 4242, duplicate: false },
      { cid: envelopes[1]?.cid.toString(), seq: 1, receivedAt: 4242, duplicate: false },
      { cid: envelopes[2]?.cid.toString(), seq: 2, receivedAt: 4242, duplicate: false },
      { cid: envelopes[3]?.cid.toString(), seq: 3, receivedAt: 4242, duplicate: false },
    ]);
    expect(await inner.lastSeq(topicA)).toBe(3);
  });

  it('resolves an append only once its envelope is in the store', async () => {
    const encoded = envelope(topicA, 'stored first');
    const receipt = await writer().append(encoded);
    const [stored] = await inner.listEnvelopes(topicA, receipt.seq - 1, 1);
    expect(stored?.cid).toBe(encoded.cid.toString());
    expect(stored?.bytes).toEqual(encoded.bytes);
  });

  it('commits appends of different turns in separate store calls', async () => {
    const w = writer();
    await w.append(envelope(topicA, '1'));
    await w.append(envelope(topicA, '2'));
    expect(batches).toEqual([1, 1]);
  });

  it('splits a turn’s appends into batches of at most maxBatch', async () => {
    const w = writer({ maxBatch: 2 });
    const receipts = await Promise.all(
      ['1', '2', '3', '4', '5'].map((text) => w.append(envelope(topicA, text))),
    );
    expect(batches).toEqual([2, 2, 1]);
    expect(receipts.map((receipt) => receipt.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('gathers appends made while a commit is running into the next commit', async () => {
    const release = holdCommits();
    const w = writer();
    const first = w.append(envelope(topicA, '1'));
    await nextTurn();
    expect(batches).toEqual([1]);
    const later = [w.append(envelope(topicA, '2')), w.append(envelope(topicA, '3'))];
    await nextTurn();
    gate = undefined;
    release();
    const receipts = await Promise.all([first, ...later]);
    expect(batches).toEqual([1, 2]);
    expect(receipts.map((receipt) => receipt.seq)).toEqual([1, 2, 3]);
  });

  it('publishes each new envelope once, in seq order, with its bytes', async () => {
    const envelopes = ['1', '2', '3'].map((text) => envelope(topicA, text));
    const w = writer();
    await Promise.all(envelopes.map((encoded) => w.append(encoded)));
    await w.append(envelope(topicB, '4'));
    expect(bus.events).toEqual([
      ...envelopes.map((encoded, index) => ({
        topicKey: toBase64Url(topicA),
        seq: index + 1,
        cid: encoded.cid.toString(),
        receivedAt: 4242,
        leafIndex: index,
        bytes: encoded.bytes,
      })),
      expect.objectContaining({ topicKey: toBase64Url(topicB), seq: 1 }),
    ]);
  });

  it('answers a duplicate with the first receipt and publishes nothing for it', async () => {
    const encoded = envelope(topicA, 'once');
    const w = writer();
    const first = await w.append(encoded);
    const [again, alsoAgain, fresh] = await Promise.all([
      w.append(encoded),
      w.append(encoded),
      w.append(envelope(topicA, 'new')),
    ]);
    expect(again).toEqual({ ...first, duplicate: true });
    expect(alsoAgain).toEqual({ ...first, duplicate: true });
    expect(fresh).toMatchObject({ seq: 2, duplicate: false });
    expect(bus.events.map((event) => event.seq)).toEqual([1, 2]);
  });

  it('publishes an envelope appended twice in one turn once', async () => {
    const encoded = envelope(topicA, 'twice');
    const w = writer();
    const [first, second] = await Promise.all([w.append(encoded), w.append(encoded)]);
    expect([first.duplicate, second.duplicate]).toEqual([false, true]);
    expect(bus.events).toHaveLength(1);
  });

  it('rejects every append of a batch whose commit fails, then carries on', async () => {
    failure = new Error('disk on fire');
    const w = writer();
    const outcomes = await Promise.allSettled([
      w.append(envelope(topicA, '1')),
      w.append(envelope(topicB, '2')),
      w.append(envelope(topicA, '3')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes) {
      expect(outcome.status === 'rejected' && outcome.reason).toBe(failure);
    }
    expect(bus.events).toEqual([]);
    failure = undefined;
    const receipt = await w.append(envelope(topicA, '4'));
    expect(receipt.seq).toBe(1);
  });

  it('rejects with RELAY_TOPIC_FULL only the envelopes that do not fit', async () => {
    const w = writer({ maxBytesPerTopic: 1024 });
    const big = (text: string) =>
      createEnvelope({
        topic: topicA,
        payload: new Uint8Array(600).fill(text.charCodeAt(0)),
        createdAt: 1,
      });
    const outcomes = await Promise.allSettled([
      w.append(big('a')),
      w.append(big('b')),
      w.append(envelope(topicB, 'fits elsewhere')),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { seq: 1 } });
    expect(outcomes[1].status).toBe('rejected');
    expect(
      outcomes[1].status === 'rejected' && isRelayError(outcomes[1].reason, 'RELAY_TOPIC_FULL'),
    ).toBe(true);
    expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { seq: 1 } });
    expect(bus.events.map((event) => event.topicKey)).toEqual([
      toBase64Url(topicA),
      toBase64Url(topicB),
    ]);
  });

  it('rejects a post by a key that is not the topic’s with RELAY_WRITE_FORBIDDEN and publishes nothing for it', async () => {
    const w = writer();
    const member = { writer: new Uint8Array(32).fill(1) };
    const stranger = { writer: new Uint8Array(32).fill(2) };
    // In one turn: the first post claims the topic, the stranger's is refused, the member's next one is stored.
    const outcomes = await Promise.allSettled([
      w.append(envelope(topicA, 'claims'), undefined, member),
      w.append(envelope(topicA, 'stranger'), undefined, stranger),
      w.append(envelope(topicA, 'member again'), undefined, member),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { seq: 1 } });
    expect(
      outcomes[1].status === 'rejected' &&
        isRelayError(outcomes[1].reason, 'RELAY_WRITE_FORBIDDEN'),
    ).toBe(true);
    expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { seq: 2 } });
    expect(bus.events.map((event) => event.seq)).toEqual([1, 2]);
  });

  it('drain() waits until every pending append has finished', async () => {
    const release = holdCommits();
    const w = writer();
    let settled = false;
    const pending = w.append(envelope(topicA, '1')).then((receipt) => {
      settled = true;
      return receipt;
    });
    let drained = false;
    const draining = w.drain().then(() => {
      drained = true;
    });
    await nextTurn();
    await nextTurn();
    expect(batches).toEqual([1]);
    expect(drained).toBe(false);
    release();
    await draining;
    expect(settled).toBe(true);
    expect((await pending).seq).toBe(1);
  });

  it('drain() waits for an append queued in the same turn, before its commit started', async () => {
    const w = writer();
    let settled = false;
    void w.append(envelope(topicA, '1')).then(() => {
      settled = true;
    });
    await w.drain();
    expect(settled).toBe(true);
    expect(await inner.lastSeq(topicA)).toBe(1);
  });

  it('drain() resolves at once with nothing pending', async () => {
    await writer().drain();
    expect(batches).toEqual([]);
  });
});
