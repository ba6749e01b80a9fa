import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay, type RelayProcess } from '@parley/test-support/relay-process';
import type { Client } from '../../src/index.js';
import { cleanupClients, eventually, openClient, texts } from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

async function newClient(relay: RelayProcess): Promise<Client> {
  return (await openClient({ relayUrl: relay.url })).client;
}

describe('pair chat', () => {
  it('lets alice and bob exchange messages both ways, live', async () => {
    const relay = await startRelay();
    const alice = await newClient(relay);
    const bob = await newClient(relay);
    await alice.connect();
    await bob.connect();
    const chat = await alice.chats.openPair(bob.accountId);
    await chat.send('hello bob');
    const bobChats = await eventually(
      () => bob.chats.list(),
      (list) => list.length === 1,
    );
    expect(bobChats.map((c) => c.kind)).toEqual(['pair']);
    const bobChat = await bob.chats.get(bobChats[0]?.id ?? 'missing');
    expect(
      texts(
        await eventually(
          () => bobChat.history(),
          (h) => h.length === 1,
        ),
      ),
    ).toEqual(['hello bob']);
    await bobChat.send('hi alice');
    expect(
      texts(
        await eventually(
          () => chat.history(),
          (h) => h.length === 2,
        ),
      ),
    ).toEqual(['hello bob', 'hi alice']);
    expect((await chat.history())[0]?.status).toBe('sent');
    expect(new Set(await chat.members())).toEqual(new Set([alice.accountId, bob.accountId]));
  });
});

describe('group chat', () => {
  it('adds carol through the chat, shows her only what follows, and shuts bob out after removal', async () => {
    const relay = await startRelay();
    const alice = await newClient(relay);
    const bob = await newClient(relay);
    const carol = await newClient(relay);
    const group = await alice.chats.createGroup({ name: 'team', members: [bob.accountId] });
    await group.send('before carol');
    await bob.sync();
    const [bobSummary] = await bob.chats.list();
    const bobGroup = await bob.chats.get(bobSummary?.id ?? 'missing');
    expect(texts(await bobGroup.history())).toEqual(['before carol']);

    await bobGroup.addMember(carol.accountId);
    await carol.sync();
    const carolGroup = await carol.chats.get(group.id);
    await alice.sync();
    await group.send('after carol');
    await carol.sync();
    expect(texts(await carolGroup.history())).toEqual(['after carol']);
    expect(new Set(await carolGroup.members())).toEqual(
      new Set([alice.accountId, bob.accountId, carol.accountId]),
    );

    await group.removeMember(bob.accountId);
    await group.send('bob is gone');
    await bob.sync();
    await carol.sync();
    expect((await bobGroup.info()).status).toBe('removed');
    expect(texts(await bobGroup.history())).toEqual(['before carol', 'after carol']);
    expect(texts(await carolGroup.history())).toEqual(['after carol', 'bob is gone']);
    await expect(bobGroup.send('still here?')).rejects.toMatchObject({
      code: 'CLIENT_NOT_A_MEMBER',
    });
  });
});
