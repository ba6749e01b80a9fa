/**
 * Topics over real sockets (docs/spec/relay-api.md §Envelopes and topics, §WebSocket): live
 * pushes, catching up by WebSocket and by HTTP paging, resuming from the acknowledged seq, and
 * retention by age and by size.
 */
import { inboxTopic } from '@parley/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WsClient,
  ack,
  bodyOf,
  bytesText,
  errorCode,
  fetchAll,
  fetchEnvelopes,
  frameOf,
  login,
  makeEnvelope,
  newSession,
  postEnvelope,
  publish,
  randomTopic,
  sleep,
  topicText,
  type EnvelopeFrame,
  type EnvelopePage,
  type Frame,
  type Receipt,
  type Session,
  publishFrame,
} from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay, type RelayProcess } from '@parley/test-support/relay-process';

afterAll(cleanupRelays);

const FAST: Readonly<Record<string, number>> = {
  'publish-per-second': 100_000,
  'publish-burst': 100_000,
};

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

function seqsOf(frames: readonly { seq: number }[]): number[] {
  return frames.map((frame) => frame.seq);
}

/** Subscribes and returns the backlog frames and the `subscribed` frame, checking their order. */
async function subscribe(
  client: WsClient,
  topic: string,
  after?: number,
): Promise<{ backlog: EnvelopeFrame[]; subscribed: Frame }> {
  client.send({ type: 'subscribe', topic, ...(after === undefined ? {} : { after }) });
  const backlog: EnvelopeFrame[] = [];
  for (;;) {
    const frame = await client.next(
      (candidate) =>
        candidate.topic === topic &&
        (candidate.type === 'envelope' || candidate.type === 'subscribed'),
    );
    if (frame.type === 'subscribed') return { backlog, subscribed: frame };
    backlog.push(frame as EnvelopeFrame);
  }
}

describe('delivery on one relay', () => {
  let relay: RelayProcess;
  let publisher: Session;
  /** A topic with 25 stored envelopes, for the catch-up tests. */
  const history = randomTopic();
  const historyText = topicText(history);
  const historyReceipts: Receipt[] = [];

  beforeAll(async () => {
    relay = await startRelay({ flags: { ...FAST, 'max-page-size': 100 } });
    publisher = await newSession(relay.url);
    for (let index = 0; index < 25; index += 1) {
      historyReceipts.push(await publish(relay.url, publisher.token, makeEnvelope(history).bytes));
    }
  });

  it('pushes each new envelope once to two live subscribers', async () => {
    const topic = randomTopic();
    const text = topicText(topic);
    const openSubscriber = async (): Promise<WsClient> =>
      WsClient.authenticated(relay.wsUrl, (await newSession(relay.url)).token);
    const [first, second] = await Promise.all([openSubscriber(), openSubscriber()]);
    for (const client of [first, second]) {
      const { backlog, subscribed } = await subscribe(client, text);
      expect(backlog).toEqual([]);
      expect(subscribed.lastSeq).toBe(0);
    }

    const item = makeEnvelope(topic);
    const receipt = await publish(relay.url, publisher.token, item.bytes);
    // Published again over the WebSocket: a duplicate, which must not be pushed again.
    const socket = await WsClient.authenticated(relay.wsUrl, publisher.token);
    socket.send(await publishFrame('again', item.bytes));
    const duplicate = await socket.next(frameOf('receipt', { ref: 'again' }));
    expect(duplicate).toMatchObject({ ...receipt, duplicate: true });
    const next = makeEnvelope(topic);
    socket.send(await publishFrame('next', next.bytes));
    const nextReceipt = await socket.next(frameOf('receipt', { ref: 'next' }));
    expect(nextReceipt).toMatchObject({ seq: 2, cid: next.cid.toString(), duplicate: false });

    for (const client of [first, second]) {
      const frames = await client.envelopes(text, 2);
      expect(frames[0]).toEqual({
        type: 'envelope',
        topic: text,
        seq: 1,
        cid: receipt.cid,
        receivedAt: receipt.receivedAt,
        leafIndex: receipt.leafIndex,
        envelope: bytesText(item.bytes),
      });
      expect(frames[1]).toMatchObject({
        seq: 2,
        cid: next.cid.toString(),
        leafIndex: nextReceipt.leafIndex,
      });
    }
    await Promise.all([first.close(), second.close(), socket.close()]);
  });

  it('sends an offline subscriber the backlog after `after`, in order, before `subscribed`', async () => {
    const reader = await newSession(relay.url);
    const client = await WsClient.authenticated(relay.wsUrl, reader.token);
    const all = await subscribe(client, historyText, 0);
    expect(seqsOf(all.backlog)).toEqual(range(1, 25));
    expect(all.backlog.map((frame) => frame.cid)).toEqual(historyReceipts.map((r) => r.cid));
    expect(all.subscribed.lastSeq).toBe(25);
    await client.close();

    const other = await WsClient.authenticated(relay.wsUrl, reader.token);
    const tail = await subscribe(other, historyText, 10);
    expect(seqsOf(tail.backlog)).toEqual(range(11, 25));
    await other.close();
  });

  it('pages a topic over HTTP with after and limit, without gaps or duplicates', async () => {
    const reader = await newSession(relay.url);
    const paged = await fetchAll(relay.url, reader.token, history, 7);
    expect(paged.pageSizes).toEqual([7, 7, 7, 4]);
    expect(seqsOf(paged.envelopes)).toEqual(range(1, 25));
    expect(paged.envelopes.map((item) => item.cid)).toEqual(historyReceipts.map((r) => r.cid));
    expect(paged.lastSeq).toBe(25);

    const tail = bodyOf<EnvelopePage>(
      await fetchEnvelopes(relay.url, reader.token, history, { after: 20 }),
      200,
    );
    expect(seqsOf(tail.envelopes)).toEqual(range(21, 25));
    const whole = bodyOf<EnvelopePage>(await fetchEnvelopes(relay.url, reader.token, history), 200);
    expect(whole.envelopes).toHaveLength(25);
    const beyond = bodyOf<EnvelopePage>(
      await fetchEnvelopes(relay.url, reader.token, history, { after: 25 }),
      200,
    );
    expect(beyond).toEqual({ envelopes: [], lastSeq: 25 });
  });

  it('pushes a new envelope once to a connection that subscribed to its topic twice', async () => {
    const topic = randomTopic();
    const text = topicText(topic);
    const reader = await newSession(relay.url);
    const client = await WsClient.authenticated(relay.wsUrl, reader.token);
    await subscribe(client, text);
    // The spec leaves open whether a second subscribe is refused or replaces the first.
    client.send({ type: 'subscribe', topic: text });
    await client.next(
      (frame) => frame.type === 'error' || (frame.type === 'subscribed' && frame.topic === text),
    );
    const receipt = await publish(relay.url, publisher.token, makeEnvelope(topic).bytes);
    const [frame] = await client.envelopes(text, 1);
    expect(frame?.cid).toBe(receipt.cid);
    // A later envelope arrives next: nothing was pushed twice in between.
    const later = await publish(relay.url, publisher.token, makeEnvelope(topic).bytes);
    const [next] = await client.envelopes(text, 1);
    expect(next?.cid).toBe(later.cid);
    await client.close();
  });

  it('pushes new envelopes live to a subscription whose after is beyond the last seq', async () => {
    const topic = randomTopic();
    const text = topicText(topic);
    for (let index = 0; index < 3; index += 1) {
      await publish(relay.url, publisher.token, makeEnvelope(topic).bytes);
    }
    const reader = await newSession(relay.url);
    const client = await WsClient.authenticated(relay.wsUrl, reader.token);
    const { backlog } = await subscribe(client, text, 50);
    expect(backlog).toEqual([]);
    const receipt = await publish(relay.url, publisher.token, makeEnvelope(topic).bytes);
    expect(receipt.seq).toBe(4);
    // "then pushes new ones live": seq 4 is new, whatever `after` said.
    const [pushed] = await client.envelopes(text, 1, 2_000);
    expect(pushed?.seq).toBe(4);
    await client.close();
  });

  it("reports the topic's last seq in subscribed, as GET does, not the client's after", async () => {
    const topic = randomTopic();
    await publish(relay.url, publisher.token, makeEnvelope(topic).bytes);
    const reader = await newSession(relay.url);
    const client = await WsClient.authenticated(relay.wsUrl, reader.token);
    const { subscribed } = await subscribe(client, topicText(topic), 50);
    const page = bodyOf<EnvelopePage>(await fetchEnvelopes(relay.url, reader.token, topic), 200);
    expect(page.lastSeq).toBe(1);
    expect(subscribed.lastSeq).toBe(page.lastSeq);
    await client.close();
  });

  it('does not let an ack beyond the last seq hide envelopes that arrive later', async () => {
    const topic = randomTopic();
    for (let index = 0; index < 3; index += 1) {
      await publish(relay.url, publisher.token, makeEnvelope(topic).bytes);
    }
    const reader = await newSession(relay.url);
    // Refused (400) or recorded as 3: either way seq 4 is not acknowledged in advance.
    const acked = await ack(relay.url, reader.token, topic, 1_000);
    expect([204, 400], acked.text).toContain(acked.status);
    const later = await publish(relay.url, publisher.token, makeEnvelope(topic).bytes);
    const client = await WsClient.authenticated(relay.wsUrl, reader.token);
    const { backlog } = await subscribe(client, topicText(topic));
    expect(seqsOf(backlog)).toContain(later.seq);
    await client.close();
  });

  it('joins the backlog and live pushes without a gap or a duplicate', async () => {
    const topic = randomTopic();
    const text = topicText(topic);
    for (let index = 0; index < 60; index += 1) {
      await publish(relay.url, publisher.token, makeEnvelope(topic).bytes);
    }
    const reader = await newSession(relay.url);
    const client = await WsClient.authenticated(relay.wsUrl, reader.token);
    const posting = (async () => {
      for (let index = 0; index < 60; index += 1) {
        await publish(relay.url, publisher.token, makeEnvelope(topic).bytes);
      }
    })();
    client.send({ type: 'subscribe', topic: text, after: 0 });
    const frames = await client.envelopes(text, 120, 10_000);
    await posting;
    expect(seqsOf(frames)).toEqual(range(1, 120));
    await sleep(200);
    expect(client.take(frameOf('envelope', { topic: text }))).toEqual([]);
    await client.close();
  });

  it('lets anyone post to an inbox and only its account read or subscribe to it', async () => {
    const owner = await newSession(relay.url);
    const inbox = inboxTopic(owner.accountId);
    const item = makeEnvelope(inbox);
    const receipt = await publish(relay.url, publisher.token, item.bytes);
    expect(receipt.seq).toBe(1);

    const read = bodyOf<EnvelopePage>(await fetchEnvelopes(relay.url, owner.token, inbox), 200);
    expect(read.envelopes.map((stored) => stored.envelope)).toEqual([bytesText(item.bytes)]);
    const refused = await fetchEnvelopes(relay.url, publisher.token, inbox);
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('RELAY_FORBIDDEN');

    const ownerSocket = await WsClient.authenticated(relay.wsUrl, owner.token);
    expect(seqsOf((await subscribe(ownerSocket, topicText(inbox))).backlog)).toEqual([1]);
    const strangerSocket = await WsClient.authenticated(relay.wsUrl, publisher.token);
    strangerSocket.send({ type: 'subscribe', topic: topicText(inbox) });
    expect(await strangerSocket.next(frameOf('error'))).toMatchObject({ code: 'RELAY_FORBIDDEN' });
    await Promise.all([ownerSocket.close(), strangerSocket.close()]);
  });

  it("resumes an inbox from its owner's acknowledged seq when subscribe has no after", async () => {
    const owner = await newSession(relay.url);
    const publisher = await newSession(relay.url);
    const inbox = inboxTopic(owner.accountId);
    for (let i = 0; i < 5; i++)
      await publish(relay.url, publisher.token, makeEnvelope(inbox).bytes);
    const acked = await ack(relay.url, owner.token, inbox, 3);
    expect(acked.status, acked.text).toBe(204);

    const client = await WsClient.authenticated(relay.wsUrl, owner.token);
    expect(seqsOf((await subscribe(client, topicText(inbox))).backlog)).toEqual([4, 5]);

    // An ack over the WebSocket counts the same.
    client.send({ type: 'ack', topic: topicText(inbox), seq: 4 });
    const resumeBacklog = async (): Promise<EnvelopeFrame[]> => {
      const probe = await WsClient.authenticated(relay.wsUrl, owner.token);
      const { backlog } = await subscribe(probe, topicText(inbox));
      await probe.close();
      return backlog;
    };
    // The ack frame has no answer: poll until a new subscription sees it.
    const deadline = Date.now() + 3_000;
    let backlog = await resumeBacklog();
    while (backlog[0]?.seq !== 5 && Date.now() < deadline) {
      await sleep(100);
      backlog = await resumeBacklog();
    }
    expect(seqsOf(backlog)).toEqual([5]);
    await client.close();
  });

  it('starts a chat subscription without after at the beginning: a chat cursor is a pseudonym', async () => {
    const reader = await newSession(relay.url);
    const acked = await ack(relay.url, reader.token, history, 12);
    expect(acked.status, acked.text).toBe(204);
    const client = await WsClient.authenticated(relay.wsUrl, reader.token);
    expect(seqsOf((await subscribe(client, historyText)).backlog)).toEqual(range(1, 25));
    await client.close();

    // Another account's acknowledgements are its own.
    const stranger = await newSession(relay.url);
    const fresh = await WsClient.authenticated(relay.wsUrl, stranger.token);
    expect(seqsOf((await subscribe(fresh, historyText)).backlog)).toEqual(range(1, 25));
    await fresh.close();
  });
});

describe('retention by age', () => {
  it('removes envelopes older than maxAgeMs at a sweep, and never reuses their seqs, even after kill -9', async () => {
    const relayFlags = {
      ...FAST,
      'retention-max-age-seconds': 2,
      'retention-sweep-interval-seconds': 1,
    };
    const relay = await startRelay({ flags: relayFlags });
    const session = await newSession(relay.url);
    const topic = randomTopic();
    const postedAt = Date.now();
    for (let index = 0; index < 3; index += 1) {
      await publish(relay.url, session.token, makeEnvelope(topic).bytes);
    }
    await sleep(Math.max(0, postedAt + 1_000 - Date.now()));
    // Younger than 2 s: still there.
    expect((await fetchAll(relay.url, session.token, topic)).envelopes).toHaveLength(3);

    let remaining = 3;
    const deadline = postedAt + 6_000;
    while (remaining > 0 && Date.now() < deadline) {
      await sleep(250);
      remaining = (await fetchAll(relay.url, session.token, topic)).envelopes.length;
    }
    expect(remaining, 'envelopes older than 2 s still stored after 6 s').toBe(0);
    expect(Date.now() - postedAt).toBeGreaterThanOrEqual(2_000);

    // The topic's seq survives its envelopes, also across a crash.
    await relay.kill9();
    const restarted = await startRelay({ dataDir: relay.dataDir, flags: relayFlags });
    const again = await login(restarted.url, session.identity);
    const later = await publish(restarted.url, again.token, makeEnvelope(topic).bytes);
    expect(later.seq).toBe(4);
    const after = await fetchAll(restarted.url, again.token, topic);
    expect(seqsOf(after.envelopes)).toEqual([4]);
    expect(after.lastSeq).toBe(4);
  });
});

describe('retention by size', () => {
  const maxBytes = 1_200;
  let relay: RelayProcess;
  let publisher: Session;
  let subscriber: Session;
  let subscriberSocket: WsClient;
  let laggard: Session;
  let laggardSocket: WsClient;
  /** Envelopes of exactly 200 bytes: six fill a topic to its limit. */
  const envelopeBytes = 200;

  function sized(topic: Uint8Array): Uint8Array {
    // 72 bytes of envelope around a payload of 0..23 bytes, 73 for 24..255: 127 + 73 = 200.
    const bytes = makeEnvelope(topic, 127).bytes;
    expect(bytes).toHaveLength(envelopeBytes);
    return bytes;
  }

  beforeAll(async () => {
    relay = await startRelay({
      flags: {
        ...FAST,
        'retention-max-bytes-per-topic': maxBytes,
        // A topic's size limit may not be below the envelope size limit.
        'max-envelope-bytes': 1_024,
        'retention-sweep-interval-seconds': 1,
      },
    });
    [publisher, subscriber, laggard] = await Promise.all([
      newSession(relay.url),
      newSession(relay.url),
      newSession(relay.url),
    ]);
    subscriberSocket = await WsClient.authenticated(relay.wsUrl, subscriber.token);
    laggardSocket = await WsClient.authenticated(relay.wsUrl, laggard.token);
  });

  it('evicts the oldest envelopes every subscriber acknowledged, only those, when a topic is over its size', async () => {
    const topic = randomTopic();
    await subscribe(subscriberSocket, topicText(topic));
    await subscribe(laggardSocket, topicText(topic));
    for (let index = 0; index < maxBytes / envelopeBytes; index += 1) {
      await publish(relay.url, publisher.token, sized(topic));
    }
    // Only seq 1 is acknowledged by both subscribers.
    expect((await ack(relay.url, subscriber.token, topic, 3)).status).toBe(204);
    expect((await ack(relay.url, laggard.token, topic, 1)).status).toBe(204);
    const over = await postEnvelope(relay.url, publisher.token, sized(topic));
    expect(over.status, over.text).toBe(201);

    let seqs: number[] = [];
    const deadline = Date.now() + 4_000;
    do {
      await sleep(200);
      seqs = seqsOf((await fetchAll(relay.url, subscriber.token, topic)).envelopes);
    } while (seqs[0] === 1 && Date.now() < deadline);
    // Seq 1 went; 2 and 3, acknowledged by one subscriber only, stay, as do 4..7.
    expect(seqs).toEqual(range(2, 7));
  });

  it('answers 507 RELAY_TOPIC_FULL when a full topic has nothing acknowledged, and accepts again after an ack', async () => {
    const topic = randomTopic();
    await subscribe(subscriberSocket, topicText(topic));
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof postEnvelope>> | undefined;
    for (let index = 0; index < 10 && refused === undefined; index += 1) {
      const answer = await postEnvelope(relay.url, publisher.token, sized(topic));
      statuses.push(answer.status);
      if (answer.status !== 201) refused = answer;
    }
    const accepted = statuses.filter((status) => status === 201).length;
    // At least what fits (6 × 200 bytes), at most one envelope beyond.
    expect(accepted).toBeGreaterThanOrEqual(maxBytes / envelopeBytes);
    expect(accepted).toBeLessThanOrEqual(maxBytes / envelopeBytes + 1);
    expect(refused?.status, refused?.text).toBe(507);
    if (refused !== undefined) expect(errorCode(refused)).toBe('RELAY_TOPIC_FULL');
    // Nothing was stored by the refused post, and nothing unacknowledged was evicted.
    await sleep(1_200);
    const stored = await fetchAll(relay.url, subscriber.token, topic);
    expect(seqsOf(stored.envelopes)).toEqual(range(1, accepted));

    expect((await ack(relay.url, subscriber.token, topic, accepted)).status).toBe(204);
    const answer = await postEnvelope(relay.url, publisher.token, sized(topic));
    expect(answer.status, answer.text).toBe(201);
  });
});
