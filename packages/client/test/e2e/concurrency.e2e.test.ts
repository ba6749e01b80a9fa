/**
 * Concurrent membership changes: the relay takes one Commit per epoch, so when two members change
 * the group at once one Commit wins and the SDK retries the other on top of it. Afterwards every
 * member is in the same epoch, with the same epoch authenticator and the same member list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import type { Chat } from '../../src/index.js';
import {
  cleanupClients,
  epochView,
  fullHistory,
  openClient,
  texts,
  type TestClient,
} from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

/** A fetch that records the relay's answers to envelope posts and can hold back the next one. */
interface Tap {
  readonly fetch: typeof fetch;
  /** The relay's error codes for refused envelope posts, in order. */
  readonly refusals: string[];
  /** Holds the next envelope post until `until` settles. */
  holdNextPost(until: Promise<unknown>): void;
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

function tap(): Tap {
  const refusals: string[] = [];
  let hold: Promise<unknown> | undefined;
  return {
    refusals,
    holdNextPost(until) {
      hold = until;
    },
    async fetch(input, init) {
      const isPost = init?.method === 'POST' && urlOf(input).endsWith('/v1/envelopes');
      if (isPost && hold !== undefined) {
        const until = hold;
        hold = undefined;
        await until.catch(() => undefined);
      }
      const response = await fetch(input, init);
      if (isPost && !response.ok) {
        const body = (await response.clone().json()) as { error?: { code?: string } };
        refusals.push(body.error?.code ?? String(response.status));
      }
      return response;
    },
  };
}

async function syncAll(clients: readonly TestClient[]): Promise<void> {
  for (const { client } of clients) await client.sync();
}

/** Checks that every client sees the same epoch, authenticator and members in `chatId`. */
async function expectOneView(clients: readonly TestClient[], chatId: string): Promise<void> {
  const views = await Promise.all(clients.map(({ store }) => epochView(store, chatId)));
  const first = views[0];
  expect(first).toBeDefined();
  for (const view of views) expect(view).toEqual(first);
  const everyone = clients.map(({ client }) => client.accountId).sort();
  for (const { client } of clients) {
    const chat = await client.chats.get(chatId);
    expect((await chat.members()).sort()).toEqual(everyone);
  }
}

describe('two members adding people at the same moment', () => {
  it('applies both adds (the loser retried on top of the winner) and everyone converges', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bobTap = tap();
    const bob = await openClient({ relayUrl: relay.url, fetch: bobTap.fetch });
    const carol = await openClient({ relayUrl: relay.url });
    const dave = await openClient({ relayUrl: relay.url });
    const erin = await openClient({ relayUrl: relay.url });
    const aliceGroup = await alice.client.chats.createGroup({
      name: 'team',
      members: [bob.client.accountId, carol.client.accountId],
    });
    await syncAll([bob, carol]);
    const bobGroup = await bob.client.chats.get(aliceGroup.id);
    const epochBefore = (await epochView(alice.store, aliceGroup.id)).epoch;

    // Both build their Commit on the same epoch; bob's reaches the relay just after alice's.
    const aliceAdds = aliceGroup.addMember(dave.client.accountId);
    bobTap.holdNextPost(aliceAdds);
    await Promise.all([aliceAdds, bobGroup.addMember(erin.client.accountId)]);
    expect(bobTap.refusals).toEqual(['RELAY_COMMIT_CONFLICT']);

    const everyone = [alice, bob, carol, dave, erin];
    await syncAll([dave, erin, alice, bob, carol]);
    expect((await epochView(alice.store, aliceGroup.id)).epoch).toBe(epochBefore + 2n);
    await expectOneView(everyone, aliceGroup.id);

    // And the converged group works: what the last joiner says reaches everyone.
    const erinGroup = await erin.client.chats.get(aliceGroup.id);
    await erinGroup.send('hello from erin');
    await syncAll(everyone);
    for (const { client } of everyone) {
      const chat: Chat = await client.chats.get(aliceGroup.id);
      expect(texts(await fullHistory(chat))).toEqual(['hello from erin']);
    }
  });

  it('converges when three members each add someone at once, without any pacing', async () => {
    const relay = await startRelay();
    const [alice, bob, carol, dave, erin, frank] = await Promise.all(
      Array.from({ length: 6 }, () => openClient({ relayUrl: relay.url })),
    );
    if (!alice || !bob || !carol || !dave || !erin || !frank) throw new Error('six clients');
    const group = await alice.client.chats.createGroup({
      name: 'team',
      members: [bob.client.accountId, carol.client.accountId],
    });
    await syncAll([bob, carol]);
    const adders: [TestClient, TestClient][] = [
      [alice, dave],
      [bob, erin],
      [carol, frank],
    ];
    await Promise.all(
      adders.map(async ([adder, added]) =>
        (await adder.client.chats.get(group.id)).addMember(added.client.accountId),
      ),
    );

    const everyone = [alice, bob, carol, dave, erin, frank];
    // Joiners first (they join at different epochs), then everyone catches up.
    await syncAll([dave, erin, frank]);
    await syncAll(everyone);
    await expectOneView(everyone, group.id);
  });

  it('adds a person both members invite at once only once; the later one is told', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bobTap = tap();
    const bob = await openClient({ relayUrl: relay.url, fetch: bobTap.fetch });
    const dave = await openClient({ relayUrl: relay.url });
    const aliceGroup = await alice.client.chats.createGroup({
      name: 'team',
      members: [bob.client.accountId],
    });
    await bob.client.sync();
    const bobGroup = await bob.client.chats.get(aliceGroup.id);

    const aliceAdds = aliceGroup.addMember(dave.client.accountId);
    bobTap.holdNextPost(aliceAdds);
    const [aliceOutcome, bobOutcome] = await Promise.allSettled([
      aliceAdds,
      bobGroup.addMember(dave.client.accountId),
    ]);
    expect(aliceOutcome.status).toBe('fulfilled');
    expect(bobOutcome).toMatchObject({
      status: 'rejected',
      reason: { code: 'CLIENT_ALREADY_MEMBER' },
    });

    await syncAll([dave, alice, bob]);
    expect((await dave.client.chats.list()).map((c) => c.id)).toEqual([aliceGroup.id]);
    await expectOneView([alice, bob, dave], aliceGroup.id);
  });
});
