/**
 * The envelope processor opens a chat topic's envelopes with real MLS and real entry signatures:
 * a member's message is filed, shown and tracked in the log; a Commit moves the epoch; a leave
 * request is queued; what cannot be opened is rejected and kept for `verify` (alice writes with
 * core's MLS operations, bob's processor reads; a fake log monitor, the in-memory store).
 */
import {
  checkKeyPackage,
  commitChanges,
  createChatEntry,
  createChatGroup,
  createEnvelope,
  encodeCanonical,
  encodeGroupState,
  encryptApplicationMessage,
  epochOf,
  generateKeyPackage,
  joinChatGroup,
  newSharedTopic,
  type GroupState,
  type MessageContent,
  type MlsContext,
  type TopicEnvelope,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { beforeEach, describe, expect, it } from 'vitest';
import { mlsFor, suite, testDevice, type TestDevice } from '../../test/support/unit-fixtures.js';
import { problemsOf } from '../chats/entries.js';
import { chatIdOf, groupStateOf, type ChatRecord } from '../chats/records.js';
import { inviterOf } from '../device/device-keys.js';
import { KeyPackages } from '../device/key-packages.js';
import { pendingCommitKey } from '../groups/committer.js';
import type { ClientEvents } from '../events.js';
import { PendingRemovals } from '../groups/pending-removals.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import type { ClientStore } from '../store/client-store.js';
import { EntryAcceptor } from './entry-acceptor.js';
import { EnvelopeProcessor } from './envelope-processor.js';

const topic = newSharedTopic(unsafeSeededRandom('processor topic'));
const id = chatIdOf(topic);

interface World {
  readonly mls: MlsContext;
  readonly alice: TestDevice;
  readonly bob: TestDevice;
  /** Alice's state, moved on by each message she writes. */
  aliceState: GroupState;
  aliceN: number;
  readonly store: ClientStore;
  chat: ChatRecord;
  readonly processor: EnvelopeProcessor;
  readonly events: { event: keyof ClientEvents; payload: unknown }[];
  readonly tracked: [string, string, number][];
  readonly compared: string[];
  readonly removals: PendingRemovals;
  seq: number;
}

/** Alice's group with bob added at seq 1; bob's processor holds the chat at lastSeq 1. */
async function world(): Promise<World> {
  const alice = await testDevice('alice');
  const bob = await testDevice('bob');
  const mls = await mlsFor([alice, bob]);
  const own = await generateKeyPackage(mls, {
    account: alice.account,
    deviceSeed: alice.device.seed,
    deviceKey: alice.device.publicKey,
  });
  const store = openMemoryClientStore();
  const bobPackage = await new KeyPackages({
    store,
    mls,
    account: bob.account,
    device: bob.device,
  }).generate();
  const checked = await checkKeyPackage(mls, bobPackage.bytes, bob.account);
  if (!checked.ok) throw new Error(checked.reason);
  const added = await commitChanges(mls, await createChatGroup(mls, topic, own), [
    { kind: 'add', keyPackage: checked.value.keyPackage },
  ]);
  const joined = await joinChatGroup(mls, added.welcome ?? new Uint8Array(), bobPackage);
  if (!joined.ok) throw new Error(joined.reason);
  const events: World['events'] = [];
  const tracked: World['tracked'] = [];
  const compared: string[] = [];
  const removals = new PendingRemovals(store);
  const emit = (event: keyof ClientEvents, payload: unknown) => {
    events.push({ event, payload });
  };
  const processor = new EnvelopeProcessor({
    store,
    suite,
    mls,
    self: bob.account,
    inviter: inviterOf({
      device: bob.device,
      account: bob.account,
      suite,
      random: unsafeSeededRandom('bob invites'),
      clock: () => 0,
    }),
    acceptor: new EntryAcceptor({ store, self: bob.account, clock: () => 7, emit }),
    removals,
    log: {
      compare: (note) => Promise.resolve(void compared.push(note)),
      trackDelivery: (chat, cid, leafIndex) =>
        Promise.resolve(void tracked.push([chat, cid, leafIndex])),
    },
    clock: () => 7,
    emit,
    report: () => undefined,
  });
  const chat: ChatRecord = {
    id,
    topic,
    kind: 'group',
    name: 'group',
    state: encodeGroupState(joined.value),
    lastSeq: 1,
    counter: 0,
    prev: null,
    heads: [],
    chains: {},
    status: 'active',
    createdAt: 0,
  };
  return {
    mls,
    alice,
    bob,
    aliceState: added.newState,
    aliceN: 0,
    store,
    chat,
    processor,
    events,
    tracked,
    compared,
    removals,
    seq: 1,
  };
}

/** An envelope of `payload` at the relay's next seq. */
function posted(w: World, payload: Uint8Array): TopicEnvelope {
  w.seq += 1;
  const envelope = createEnvelope({ topic, payload, createdAt: w.seq });
  return {
    seq: w.seq,
    cid: envelope.cid.toString(),
    receivedAt: 0,
    leafIndex: w.seq - 1,
    bytes: envelope.bytes,
  };
}

/** Alice's next entry, encrypted for the group. */
async function aliceWrites(
  w: World,
  body: MessageContent,
  options: { chat?: Uint8Array; checkpoint?: string } = {},
): Promise<TopicEnvelope> {
  w.aliceN += 1;
  const created = await createChatEntry(suite, w.alice.device.seed, {
    chat: options.chat ?? topic,
    author: w.alice.account,
    device: w.alice.device.publicKey,
    n: w.aliceN,
    prev: null,
    heads: [],
    sentAt: w.aliceN,
    body,
    checkpoint: options.checkpoint ?? null,
  });
  const sent = await encryptApplicationMessage(w.mls, w.aliceState, created.bytes);
  w.aliceState = sent.newState;
  return posted(w, sent.message);
}

async function bobReads(w: World, item: TopicEnvelope, resending = false): Promise<void> {
  w.chat = await w.processor.process(w.chat, item, resending);
}

const eventsNamed = (w: World, name: keyof ClientEvents) =>
  w.events.filter((e) => e.event === name).map((e) => e.payload);

describe('EnvelopeProcessor', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('files and shows a member’s message and tracks its leaf in the log', async () => {
    const item = await aliceWrites(w, { type: 'text', text: 'hello' });
    await bobReads(w, item);
    expect(w.chat.lastSeq).toBe(2);
    const [shown] = eventsNamed(w, 'message') as ClientEvents['message'][];
    expect(shown?.message).toMatchObject({ author: w.alice.account, cid: item.cid, seq: 2 });
    expect(w.tracked).toEqual([[id, item.cid, 1]]);
    expect(eventsNamed(w, 'rejected')).toEqual([]);
  });

  it('passes the checkpoint an entry gossips to the log monitor', async () => {
    await bobReads(w, await aliceWrites(w, { type: 'text', text: 'x' }, { checkpoint: 'note' }));
    expect(w.compared).toEqual(['note']);
  });

  it('rejects bytes that are no envelope and keeps the problem', async () => {
    const item: TopicEnvelope = {
      seq: 2,
      cid: 'bafy-bogus',
      receivedAt: 0,
      leafIndex: 1,
      bytes: new Uint8Array([1, 2, 3]),
    };
    await bobReads(w, item);
    expect(w.chat.lastSeq).toBe(2);
    expect(eventsNamed(w, 'rejected')).toEqual([
      { chatId: id, seq: 2, reason: 'malformed-envelope' },
    ]);
    expect(await problemsOf(w.store, id)).toMatchObject([
      { kind: 'rejected', seq: 2, reason: 'malformed-envelope' },
    ]);
  });

  it('is quiet about what it rejects while a range is resent, and keeps the cursor', async () => {
    const item: TopicEnvelope = {
      seq: 2,
      cid: 'bafy-bogus',
      receivedAt: 0,
      leafIndex: 1,
      bytes: new Uint8Array([1]),
    };
    await bobReads(w, item, true);
    expect(w.chat.lastSeq).toBe(1);
    expect(w.events).toEqual([]);
  });

  it('rejects an entry signed for another chat', async () => {
    const other = newSharedTopic(unsafeSeededRandom('another topic'));
    await bobReads(w, await aliceWrites(w, { type: 'text', text: 'x' }, { chat: other }));
    expect(eventsNamed(w, 'rejected')).toMatchObject([{ reason: 'wrong-chat' }]);
    expect(eventsNamed(w, 'message')).toEqual([]);
  });

  it('skips an envelope this device wrote itself', async () => {
    const item = await aliceWrites(w, { type: 'text', text: 'x' });
    await w.store.put(`mine/${item.cid}`, new Uint8Array([1]));
    await bobReads(w, item);
    expect(w.chat.lastSeq).toBe(2);
    expect(w.events).toEqual([]);
  });

  it('queues another member’s leave request for removal instead of showing it', async () => {
    await bobReads(w, await aliceWrites(w, { type: 'leave' }));
    expect(eventsNamed(w, 'message')).toEqual([]);
    expect((await w.removals.of(id)).map((r) => r.account)).toEqual([w.alice.account]);
  });

  it('moves to the next epoch on another member’s Commit', async () => {
    const before = epochOf(groupStateOf(w.chat, w.mls));
    const commit = await commitChanges(w.mls, w.aliceState, []);
    w.aliceState = commit.newState;
    await bobReads(w, posted(w, commit.commit));
    expect(epochOf(groupStateOf(w.chat, w.mls))).toBe(before + 1n);
    expect(eventsNamed(w, 'members-changed')).toMatchObject([{ chatId: id }]);
    expect(w.chat.status).toBe('active');
  });

  it('adopts this device’s own Commit whose receipt was lost once the relay orders it', async () => {
    const mine = await commitChanges(w.mls, groupStateOf(w.chat, w.mls), []);
    const item = posted(w, mine.commit);
    const next = encodeGroupState(mine.newState);
    await w.store.put(pendingCommitKey(id), encodeCanonical({ cid: item.cid, state: next }));
    await bobReads(w, item);
    expect(w.chat.state).toEqual(next);
    expect(w.chat.lastSeq).toBe(2);
    expect(await w.store.get(pendingCommitKey(id))).toBeUndefined();
    expect(eventsNamed(w, 'members-changed')).toMatchObject([{ chatId: id }]);
  });

  it('drops its own pending Commit when another member’s Commit took the epoch', async () => {
    const mine = await commitChanges(w.mls, groupStateOf(w.chat, w.mls), []);
    await w.store.put(
      pendingCommitKey(id),
      encodeCanonical({ cid: 'bafy-mine', state: encodeGroupState(mine.newState) }),
    );
    const theirs = await commitChanges(w.mls, w.aliceState, []);
    w.aliceState = theirs.newState;
    await bobReads(w, posted(w, theirs.commit));
    expect(await w.store.get(pendingCommitKey(id))).toBeUndefined();
    expect(w.chat.state).not.toEqual(encodeGroupState(mine.newState));
  });
});
