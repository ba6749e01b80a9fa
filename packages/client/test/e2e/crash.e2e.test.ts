/**
 * A relay crash mid-conversation: the relay is killed with SIGKILL while alice and bob are both
 * sending, and restarted on the same data and port. Whatever either side was told is sent or
 * queued must arrive, once, and both sides must see the conversation in the same order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import { type StoredMessage, messageText } from '../../src/index.js';
import { cleanupClients, fullHistory, openClient, record, texts } from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

const EACH = 15;

/** The messages in relay order (by seq); every one must have a seq. */
function bySeq(messages: readonly StoredMessage[]): [number, string][] {
  return messages
    .map((m): [number, string] => [m.seq ?? Number.NaN, messageText(m) ?? ''])
    .sort((a, b) => a[0] - b[0]);
}

describe('kill -9 of the relay while two clients send', () => {
  it('loses and duplicates nothing, and both sides agree on the order', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const aliceChat = await alice.client.chats.openPair(bob.client.accountId);
    await bob.client.sync();
    const bobChat = await bob.client.chats.get(aliceChat.id);
    await alice.client.connect();
    await bob.client.connect();
    const rejected = [record(alice.client, 'rejected'), record(bob.client, 'rejected')];
    // The relay dies the moment alice hears her fifth receipt: both clients are mid-send.
    let killed: Promise<unknown> | undefined;
    let aliceReceipts = 0;
    alice.client.on('sent', () => {
      aliceReceipts += 1;
      if (aliceReceipts === 5) killed = relay.kill9();
    });

    const aliceTexts = Array.from({ length: EACH }, (_, i) => `alice ${i + 1}`);
    const bobTexts = Array.from({ length: EACH }, (_, i) => `bob ${i + 1}`);
    // Each client runs its sends one after another (as the SDK does); both clients at once.
    const aliceSends = Promise.allSettled(aliceTexts.map((text) => aliceChat.send(text)));
    const bobSends = Promise.allSettled(bobTexts.map((text) => bobChat.send(text)));
    const outcomes = [...(await aliceSends), ...(await bobSends)];
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const resolved = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const statuses = new Set(resolved.map((m) => m.status));
    expect(statuses.has('sent'), 'some sends resolved as sent before the crash').toBe(true);
    expect(statuses.has('queued'), 'some sends were caught by the crash').toBe(true);
    expect(killed).toBeDefined();
    await killed;

    const restarted = await startRelay({ dataDir: relay.dataDir, flags: { port: relay.port } });
    expect(restarted.url).toBe(relay.url);
    // Two rounds: the first sends each side's outbox, the second receives the other's.
    for (let round = 0; round < 2; round++) {
      await alice.client.sync();
      await bob.client.sync();
    }

    const everything = [...aliceTexts, ...bobTexts].sort();
    const aliceHistory = await fullHistory(aliceChat);
    const bobHistory = await fullHistory(bobChat);
    expect(texts(aliceHistory).sort()).toEqual(everything);
    expect(texts(bobHistory).sort()).toEqual(everything);
    expect(aliceHistory.filter((m) => m.own).every((m) => m.status === 'sent')).toBe(true);
    expect(bobHistory.filter((m) => m.own).every((m) => m.status === 'sent')).toBe(true);

    // One order for both: the relay's. Each side's received messages follow it, and each
    // author's messages keep the order they were written in.
    expect(bySeq(aliceHistory)).toEqual(bySeq(bobHistory));
    for (const [history, peer] of [
      [aliceHistory, bob.client.accountId],
      [bobHistory, alice.client.accountId],
    ] as const) {
      const received = history.filter((m) => m.author === peer).map((m) => m.seq ?? 0);
      expect(received).toEqual([...received].sort((a, b) => a - b));
    }
    const relayOrder = bySeq(aliceHistory).map(([, text]) => text);
    expect(relayOrder.filter((t) => t.startsWith('alice'))).toEqual(aliceTexts);
    expect(relayOrder.filter((t) => t.startsWith('bob'))).toEqual(bobTexts);
    expect(rejected.flat()).toEqual([]);
  });
});
