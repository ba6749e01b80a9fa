import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay, type RelayProcess } from '@parley/test-support/relay-process';
import { type Client, messageText } from '../../src/index.js';
import { cleanupClients, openClient } from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

async function newClient(relay: RelayProcess): Promise<Client> {
  return (await openClient({ relayUrl: relay.url })).client;
}

async function chatOf(client: Client, id: string) {
  await client.sync();
  return client.chats.get(id);
}

describe('a group that grows past the sizes ts-mls 1.6.4 mishandled', () => {
  it('lets members join a 10-member group after removals reshaped its tree', async () => {
    const relay = await startRelay();
    const members: Client[] = [];
    for (let i = 0; i < 10; i++) members.push(await newClient(relay));
    const [owner] = members as [Client, ...Client[]];
    const group = await owner.chats.createGroup({ name: 'big', members: [] });
    // Adds come from different members, so UpdatePaths and unmerged leaves interleave.
    for (let i = 1; i < members.length; i++) {
      const adder = i % 2 === 1 ? owner : (members[i - 1] as Client);
      const chat = await chatOf(adder, group.id);
      await chat.addMember((members[i] as Client).accountId);
      await (members[i] as Client).sync();
      expect((await (members[i] as Client).chats.list()).map((c) => c.id)).toEqual([group.id]);
    }
    const removedA = members[3] as Client;
    const removedB = members[7] as Client;
    await (await chatOf(owner, group.id)).removeMember(removedA.accountId);
    await (await chatOf(members[5] as Client, group.id)).removeMember(removedB.accountId);
    const late = [await newClient(relay), await newClient(relay)];
    await (await chatOf(members[2] as Client, group.id)).addMember((late[0] as Client).accountId);
    await (await chatOf(members[8] as Client, group.id)).addMember((late[1] as Client).accountId);

    const everyone = [...members.filter((m) => m !== removedA && m !== removedB), ...late];
    const expected = new Set(everyone.map((m) => m.accountId));
    for (const member of everyone) {
      const chat = await chatOf(member, group.id);
      expect(new Set(await chat.members())).toEqual(expected);
    }
    await (await chatOf(late[1] as Client, group.id)).send('hello, ten of you');
    for (const member of everyone) {
      const history = await (await chatOf(member, group.id)).history();
      expect(history.map((m) => messageText(m))).toContain('hello, ten of you');
    }
  });
});
