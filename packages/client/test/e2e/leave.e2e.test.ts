/**
 * Leaving a group: carol asks to be removed (a signed 'leave' entry), a remaining member commits
 * the removal, and from then on she is no member for anyone and cannot read what follows.
 */
import {
  decodeEnvelope,
  decodeGroupMessage,
  fromBase64Url,
  processGroupMessage,
} from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchAll, login } from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import {
  cleanupClients,
  epochView,
  eventually,
  fullHistory,
  groupState,
  record,
  scenarioMls,
  texts,
  type TestClient,
  groupOfThree,
} from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

async function membersOf(side: TestClient, chatId: string): Promise<string[]> {
  return (await (await side.client.chats.get(chatId)).members()).sort();
}

/** Whether carol's stored MLS state can open the latest envelope of the chat. */
async function canRead(relayUrl: string, carol: TestClient, chatId: string): Promise<boolean> {
  const session = await login(relayUrl, carol.identity);
  const latest = (await fetchAll(relayUrl, session.token, chatId)).envelopes.at(-1);
  if (latest === undefined) throw new Error('empty topic');
  const message = decodeGroupMessage(
    decodeEnvelope(fromBase64Url(latest.envelope)).envelope.payload,
  );
  if (!message.ok) throw new Error('not a private message');
  const state = await groupState(carol.store, chatId);
  try {
    await processGroupMessage(await scenarioMls(), state, message.value);
    return true;
  } catch {
    return false;
  }
}

describe('a member who leaves', () => {
  it('is removed for everyone once the others sync, and reads nothing that follows', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    const [bobGroup, carolGroup] = await Promise.all(
      [bob, carol].map((side) => side.client.chats.get(group.id)),
    );
    if (bobGroup === undefined || carolGroup === undefined) throw new Error('chats');
    await group.send('hello all');
    expect(await canRead(relay.url, carol, group.id), 'a member can read it').toBe(true);
    await carol.client.sync();
    const epochBefore = (await epochView(alice.store, group.id)).epoch;

    await carolGroup.leave();
    expect((await carolGroup.info()).status).toBe('left');
    const changes = record(alice.client, 'members-changed');
    await alice.client.sync();
    await bob.client.sync();

    const remaining = [alice.client.accountId, bob.client.accountId].sort();
    expect(await membersOf(alice, group.id)).toEqual(remaining);
    expect(await membersOf(bob, group.id)).toEqual(remaining);
    expect(changes.map((event) => [...event.members].sort())).toContainEqual(remaining);
    // One removal Commit, applied by both.
    const aliceView = await epochView(alice.store, group.id);
    expect(aliceView.epoch).toBe(epochBefore + 1n);
    expect(await epochView(bob.store, group.id)).toEqual(aliceView);

    await group.send('carol has left');
    await bob.client.sync();
    await carol.client.sync();
    expect(texts(await fullHistory(bobGroup))).toEqual(['hello all', 'carol has left']);
    expect(texts(await fullHistory(carolGroup))).toEqual(['hello all']);
    // Not just unsynced: carol's keys cannot open it.
    expect(await canRead(relay.url, carol, group.id)).toBe(false);
  });

  it('is removed exactly once when both remaining members see the leave live', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    await alice.client.connect();
    await bob.client.connect();
    const errors = [record(alice.client, 'error'), record(bob.client, 'error')];
    const epochBefore = (await epochView(alice.store, group.id)).epoch;

    await (await carol.client.chats.get(group.id)).leave();
    const remaining = [alice.client.accountId, bob.client.accountId].sort();
    for (const side of [alice, bob]) {
      expect(
        await eventually(
          () => membersOf(side, group.id),
          (members) => members.length === 2,
        ),
      ).toEqual(remaining);
    }
    await alice.client.sync();
    await bob.client.sync();
    const aliceView = await epochView(alice.store, group.id);
    expect(aliceView.epoch).toBe(epochBefore + 1n);
    expect(await epochView(bob.store, group.id)).toEqual(aliceView);
    expect(errors.flat()).toEqual([]);
  });

  it('can be invited back and then reads the group again', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    const carolGroup = await carol.client.chats.get(group.id);
    await carolGroup.send('see you');
    await carolGroup.leave();
    await alice.client.sync();
    expect(await membersOf(alice, group.id)).not.toContain(carol.client.accountId);

    await group.addMember(carol.client.accountId);
    await carol.client.sync();
    await bob.client.sync();
    expect((await carolGroup.info()).status).toBe('active');
    await group.send('welcome back');
    await carol.client.sync();
    expect(texts(await fullHistory(carolGroup))).toContain('welcome back');
    expect(await epochView(carol.store, group.id)).toEqual(await epochView(alice.store, group.id));

    // Her counter goes on from before she left: the others must not take her as a replayer.
    await carolGroup.send('glad to be back');
    await alice.client.sync();
    expect(texts(await fullHistory(group)).at(-1)).toBe('glad to be back');
  });
});
