/**
 * Offline stories: a member who was away catches up on everything exactly once; a sender whose
 * relay is down keeps her messages queued and sends each once when it is back; a client that
 * quits finds its history and its chats where it left them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fetchAll, login } from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import {
  cleanupClients,
  closeClient,
  eventually,
  fullHistory,
  openClient,
  record,
  texts,
  groupOfThree,
} from './support/clients.js';
import { messageText } from '../../src/index.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

const TWENTY = Array.from({ length: 20 }, (_, index) => `message ${index + 1}`);

describe('a member who was offline', () => {
  it('gets the 20 messages sent meanwhile exactly once and in order when she syncs', async () => {
    const relay = await startRelay();
    const { alice, carol, group } = await groupOfThree(relay.url);
    const carolChat = await carol.client.chats.get(group.id);
    expect(await fullHistory(carolChat)).toEqual([]);

    for (const text of TWENTY) await group.send(text);
    expect(await fullHistory(carolChat)).toEqual([]);

    const arrived = record(carol.client, 'message');
    await carol.client.sync();
    const history = await fullHistory(carolChat);
    expect(texts(history)).toEqual(TWENTY);
    expect(
      history.every((m) => m.status === 'received' && m.author === alice.client.accountId),
    ).toBe(true);
    expect(arrived.map((event) => messageText(event.message))).toEqual(TWENTY);

    // A second sync finds nothing new and duplicates nothing.
    await carol.client.sync();
    expect(texts(await fullHistory(carolChat))).toEqual(TWENTY);
    expect(arrived).toHaveLength(20);
  });

  it('catches up exactly once when she reopens the app and connects', async () => {
    const relay = await startRelay();
    const { carol, group } = await groupOfThree(relay.url);
    await closeClient(carol);

    for (const text of TWENTY) await group.send(text);

    const back = await openClient({
      relayUrl: relay.url,
      identity: carol.identity,
      path: carol.path,
    });
    const arrived = record(back.client, 'message');
    await back.client.connect();
    const carolChat = await back.client.chats.get(group.id);
    const history = await eventually(
      () => fullHistory(carolChat),
      (h) => h.length >= 20,
    );
    expect(texts(history)).toEqual(TWENTY);

    // Live from now on: the next message is pushed, and nothing earlier comes again.
    await group.send('live again');
    expect(
      texts(
        await eventually(
          () => fullHistory(carolChat),
          (h) => h.length >= 21,
        ),
      ),
    ).toEqual([...TWENTY, 'live again']);
    expect(arrived.map((event) => messageText(event.message))).toEqual([...TWENTY, 'live again']);
  });
});

describe('sending while the relay is down', () => {
  it('queues the messages, sends each once when the relay is back, and bob gets each once', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const group = await alice.client.chats.createGroup({
      name: 'duo',
      members: [bob.client.accountId],
    });
    const first = await group.send('before the outage');
    expect(first.status, 'send() resolves with the status after posting').toBe('sent');
    expect(first.seq).toBeTypeOf('number');
    await relay.stop();

    const offline = ['queued 1', 'queued 2', 'queued 3', 'queued 4', 'queued 5'];
    const sentEvents = record(alice.client, 'sent');
    const results = [];
    for (const text of offline) results.push(await group.send(text));
    expect(results.map((m) => m.status)).toEqual(offline.map(() => 'queued'));
    const queued = await fullHistory(group);
    expect(queued.map((m) => [messageText(m), m.status])).toEqual([
      ['before the outage', 'sent'],
      ...offline.map((text) => [text, 'queued']),
    ]);
    expect(queued.slice(1).every((m) => m.seq === undefined)).toBe(true);

    const restarted = await startRelay({ dataDir: relay.dataDir, flags: { port: relay.port } });
    expect(restarted.url).toBe(relay.url);
    await alice.client.sync();

    const flushed = await fullHistory(group);
    expect(flushed.map((m) => m.status)).toEqual(flushed.map(() => 'sent'));
    expect(sentEvents.map((event) => event.id)).toEqual(queued.slice(1).map((m) => m.id));
    const seqs = flushed.map((m) => m.seq ?? 0);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);

    // The relay holds each message once, and syncing again posts nothing more.
    const session = await login(restarted.url, alice.identity);
    const before = await fetchAll(restarted.url, session.token, group.id);
    for (const message of flushed) {
      expect(before.envelopes.filter((e) => e.cid === message.cid)).toHaveLength(1);
    }
    await alice.client.sync();
    expect((await fetchAll(restarted.url, session.token, group.id)).lastSeq).toBe(before.lastSeq);
    expect(sentEvents).toHaveLength(offline.length);

    await bob.client.sync();
    const bobChat = await bob.client.chats.get(group.id);
    expect(texts(await fullHistory(bobChat))).toEqual(['before the outage', ...offline]);
  });

  it('sends messages queued within one clock tick in the order they were written', async () => {
    // A clock that ticks once a second (coarse clocks exist: privacy modes round Date.now), so
    // every queued message carries the same sentAt.
    const clock = () => Math.floor(Date.now() / 1000) * 1000;
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url, clock });
    const bob = await openClient({ relayUrl: relay.url });
    const group = await alice.client.chats.createGroup({
      name: 'duo',
      members: [bob.client.accountId],
    });
    await bob.client.sync();
    const rejected = record(bob.client, 'rejected');
    await relay.stop();

    const offline = Array.from({ length: 8 }, (_, index) => `tick ${index + 1}`);
    for (const text of offline) expect((await group.send(text)).status).toBe('queued');
    const restarted = await startRelay({ dataDir: relay.dataDir, flags: { port: relay.port } });
    expect(restarted.url).toBe(relay.url);
    await alice.client.sync();

    const flushed = await fullHistory(group);
    expect(flushed.map((m) => m.status)).toEqual(offline.map(() => 'sent'));
    const seqs = flushed.map((m) => m.seq ?? 0);
    expect
      .soft(seqs, 'relay order follows the order of writing')
      .toEqual([...seqs].sort((a, b) => a - b));
    await bob.client.sync();
    const bobChat = await bob.client.chats.get(group.id);
    expect.soft(texts(await fullHistory(bobChat))).toEqual(offline);
    expect(rejected).toEqual([]);
  });
});

describe('a client that quits', () => {
  it('finds its history intact and can keep talking after it reopens its store', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const group = await alice.client.chats.createGroup({
      name: 'duo',
      members: [bob.client.accountId],
    });
    await group.send('one');
    await bob.client.sync();
    const bobChat = await bob.client.chats.get(group.id);
    await bobChat.send('two');
    await alice.client.sync();
    await group.send('three');
    const historyBefore = await fullHistory(group);
    expect(texts(historyBefore)).toEqual(['one', 'two', 'three']);
    await closeClient(alice);

    const reopened = await openClient({
      relayUrl: relay.url,
      identity: alice.identity,
      path: alice.path,
    });
    expect((await reopened.client.chats.list()).map((c) => c.id)).toEqual([group.id]);
    const again = await reopened.client.chats.get(group.id);
    expect(await fullHistory(again)).toEqual(historyBefore);

    // The MLS state came back too: the reopened client still speaks and hears in the group.
    await again.send('four');
    await bob.client.sync();
    await bobChat.send('five');
    await reopened.client.sync();
    expect(texts(await fullHistory(again))).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(texts(await fullHistory(bobChat))).toEqual(['one', 'two', 'three', 'four', 'five']);
  });
});
