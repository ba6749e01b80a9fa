/**
 * A member who re-wraps another member's authentic entry (docs/spec/chats.md §Entries): the entry
 * is Bob's, signed by his device, but the MLS message carrying it is Carol's. Nobody may show it,
 * least of all a late joiner who never saw Bob's original.
 */
import { createEnvelope, encryptApplicationMessage, groupIdOf } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { login } from '@parley/test-support/relay-api';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import { allEntries } from '../../src/chats/entries.js';
import {
  cleanupClients,
  fullHistory,
  groupOfThree,
  groupState,
  openClient,
  publishAsMember,
  record,
  scenarioMls,
  texts,
} from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

describe('an entry re-wrapped by another member', () => {
  it('is refused as sender-mismatch by every member and never shown to a late joiner', async () => {
    const relay = await startRelay();
    const { alice, bob, carol, group } = await groupOfThree(relay.url);
    const bobGroup = await bob.client.chats.get(group.id);
    const original = await bobGroup.send('bob said this once');
    await carol.client.sync();
    await alice.client.sync();

    // Dave joins after bob's message: he never saw the original.
    const dave = await openClient({ relayUrl: relay.url });
    await group.addMember(dave.client.accountId);
    await dave.client.sync();
    await carol.client.sync();
    await bob.client.sync();

    // Carol takes bob's signed entry as she holds it and sends it in an MLS message of her own.
    const bobsEntry = (await allEntries(carol.store, group.id)).find(
      (entry) => entry.cid === original.cid,
    );
    if (bobsEntry === undefined) throw new Error('carol does not hold bob’s entry');
    const state = await groupState(carol.store, group.id);
    const wrapped = await encryptApplicationMessage(await scenarioMls(), state, bobsEntry.bytes);
    const envelope = createEnvelope({
      topic: groupIdOf(state),
      payload: wrapped.message,
      createdAt: Date.now(),
    });
    const receipt = await publishAsMember(
      relay.url,
      (await login(relay.url, carol.identity)).token,
      envelope.bytes,
      state,
    );

    const daveChat = await dave.client.chats.get(group.id);
    for (const [side, chat, shown] of [
      [dave, daveChat, []],
      [alice, group, ['bob said this once']],
      [bob, bobGroup, ['bob said this once']],
    ] as const) {
      const rejected = record(side.client, 'rejected');
      await side.client.sync();
      expect(rejected).toEqual([{ chatId: group.id, seq: receipt.seq, reason: 'sender-mismatch' }]);
      expect(texts(await fullHistory(chat))).toEqual(shown);
    }
    const verification = await daveChat.verify();
    expect(verification.problems.map((problem) => problem.kind)).toEqual(['rejected']);
    expect(verification.ok).toBe(false);
  });
});
