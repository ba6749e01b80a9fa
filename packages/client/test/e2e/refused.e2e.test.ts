import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import { cleanupClients, openClient, record } from './support/clients.js';
import { messageText } from '../../src/index.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

describe('a message the relay refuses for good', () => {
  it('is marked failed, reported once, and does not block later messages', async () => {
    const relay = await startRelay({ flags: { 'max-envelope-bytes': 2048 } });
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const chat = await alice.client.chats.openPair(bob.client.accountId);
    const errors = record(alice.client, 'error');

    const tooBig = await chat.send('x'.repeat(4000));
    expect(tooBig.status).toBe('failed');
    expect(errors.map((error) => error.code)).toEqual(['CLIENT_RELAY_REFUSED']);
    const fine = await chat.send('small enough');
    expect(fine.status).toBe('sent');

    await bob.client.sync();
    const [bobChat] = await bob.client.chats.list();
    const history = await (await bob.client.chats.get(bobChat?.id ?? 'missing')).history();
    expect(history.map((message) => messageText(message))).toEqual(['small enough']);
    // A later sync does not try the refused message again.
    await alice.client.sync();
    expect(errors).toHaveLength(1);
  });
});
