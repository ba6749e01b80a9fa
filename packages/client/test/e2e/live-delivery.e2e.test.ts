/**
 * Live delivery (docs/spec/relay-api.md §WebSocket): the relay's push carries the whole envelope,
 * so a connected member receives messages without fetching a single envelope page over HTTP; a
 * member who was disconnected fetches what it missed. A proxy in front of the relay counts the
 * member's requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import type { ProxiedRequest } from './support/hostile-proxy.js';
import { closeProxies, proxyFor, waitFor } from './hostile/scenario.js';
import { cleanupClients, fullHistory, openClient, record, texts } from './support/clients.js';
import { messageText } from '../../src/index.js';

afterEach(async () => {
  await cleanupClients();
  await closeProxies();
  await cleanupRelays();
});

/** The GET route that serves pages of a topic's envelopes (chat topics and inboxes alike). */
const ENVELOPE_PAGE = /^\/v1\/topics\/[A-Za-z0-9_-]+\/envelopes$/;

/** The requests, from `from` on, that fetched a page of envelopes. */
function envelopeFetches(requests: readonly ProxiedRequest[], from: number): ProxiedRequest[] {
  return requests
    .slice(from)
    .filter((request) => request.method === 'GET' && ENVELOPE_PAGE.test(request.path));
}

const N = 12;
const BURST = Array.from({ length: N }, (_, index) => `live ${index + 1}`);

describe('a member connected over WebSocket', () => {
  it('receives every message by push without fetching an envelope page, and fetches once disconnected', async () => {
    const relay = await startRelay();
    const proxy = await proxyFor(relay);
    const alice = await openClient({ relayUrl: proxy.url });
    const bob = await openClient({ relayUrl: relay.url });
    const bobChat = await bob.client.chats.openPair(alice.client.accountId);
    await alice.client.sync();
    const aliceChat = await alice.client.chats.get(bobChat.id);
    const arrived = record(alice.client, 'message');
    await alice.client.connect();

    // A first message proves the subscription is live before the counting starts.
    await bobChat.send('warm-up');
    await waitFor(
      'alice received the warm-up by push',
      () => fullHistory(aliceChat),
      (history) => texts(history).includes('warm-up'),
    );
    const mark = proxy.requests.length;

    for (const text of BURST) await bobChat.send(text);
    const history = await waitFor(
      `alice received all ${N} messages`,
      () => fullHistory(aliceChat),
      (rows) => rows.length === N + 1,
    );
    expect(texts(history)).toEqual(['warm-up', ...BURST]);
    expect(history.every((row) => row.status === 'received')).toBe(true);
    expect(arrived.map((event) => messageText(event.message))).toEqual(['warm-up', ...BURST]);
    expect(envelopeFetches(proxy.requests, mark)).toEqual([]);

    // The counter sees fetches: disconnected, alice gets the next message only by pulling it.
    await alice.client.close();
    await bobChat.send('while away');
    const away = proxy.requests.length;
    await alice.client.sync();
    expect(texts(await fullHistory(aliceChat)).at(-1)).toBe('while away');
    expect(envelopeFetches(proxy.requests, away).length).toBeGreaterThan(0);
  });
});
