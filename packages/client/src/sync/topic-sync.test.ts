/**
 * Topic sync pulls a chat's envelopes after its cursor, takes a pushed envelope directly when it
 * is the next seq (pulling otherwise), acknowledges with a pseudonymous cursor, and acts on
 * pending leave requests (a fake relay and processor, a real MLS group state, the in-memory store
 * and the real pending-removals list).
 */
import {
  createAuthenticationService,
  createChatGroup,
  createCryptoSuite,
  createMlsContext,
  encodeGroupState,
  equalBytes,
  generateIdentity,
  generateKeyPackage,
  type MlsContext,
  type TopicEnvelope,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatIdOf, loadChat, saveChat, type ChatRecord } from '../chats/records.js';
import { ClientError } from '../errors.js';
import { PendingRemovals } from '../groups/pending-removals.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { PAGE_SIZE } from './page.js';
import { TopicSync } from './topic-sync.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const topic = new Uint8Array(32).fill(3);
const id = chatIdOf(topic);
const cursor = { reader: new Uint8Array(32), writer: new Uint8Array(32), sig: new Uint8Array(64) };
let mls: MlsContext;
let state: Uint8Array;

beforeAll(async () => {
  const identity = await generateIdentity(suite, unsafeSeededRandom('topic-sync owner'));
  const deviceSeed = unsafeSeededRandom('topic-sync device')(32);
  const deviceKey = await suite.ed25519.publicKey(deviceSeed);
  mls = await createMlsContext(createAuthenticationService(() => Promise.resolve([deviceKey])));
  const own = await generateKeyPackage(mls, { account: identity.accountId, deviceSeed, deviceKey });
  state = encodeGroupState(await createChatGroup(mls, topic, own));
});

const envelope = (seq: number): TopicEnvelope => ({
  seq,
  cid: `cid-${seq}`,
  receivedAt: 0,
  leafIndex: seq - 1,
  bytes: new Uint8Array([seq]),
});

async function fixture(
  options: { lastSeq?: number; relayHolds?: number; status?: ChatRecord['status'] } = {},
) {
  const store = openMemoryClientStore();
  const chat: ChatRecord = {
    id,
    topic,
    kind: 'group',
    name: 'g',
    state,
    lastSeq: options.lastSeq ?? 0,
    counter: 0,
    prev: null,
    heads: [],
    chains: {},
    status: options.status ?? 'active',
    createdAt: 0,
  };
  await saveChat(store, chat);
  const relay = Array.from({ length: options.relayHolds ?? 0 }, (_, i) => envelope(i + 1));
  const fetches: number[] = [];
  const acks: { seq: number; cursor: unknown }[] = [];
  const processed: number[] = [];
  const resolved: number[] = [];
  const removeCalls: { account: string; strict: boolean; leaves: string[] }[] = [];
  const reported: unknown[] = [];
  let removeFailure: Error | undefined;
  let removeOn: number | undefined;
  const removals = new PendingRemovals(store);
  const sync = new TopicSync({
    store,
    mls,
    api: {
      fetchEnvelopes: (t, after, limit) => {
        expect(equalBytes(t, topic)).toBe(true);
        fetches.push(after);
        return Promise.resolve({
          envelopes: relay.filter((e) => e.seq > after).slice(0, limit),
          lastSeq: relay.length,
        });
      },
      acknowledge: (_t, seq, _now, proof) => {
        acks.push({ seq, cursor: proof });
        return Promise.resolve();
      },
    },
    writeKeys: { cursor: () => Promise.resolve(cursor) },
    processor: {
      process: (current, item) => {
        processed.push(item.seq);
        const status = item.seq === removeOn ? 'removed' : current.status;
        return Promise.resolve({ ...current, lastSeq: item.seq, status });
      },
    },
    gaps: {
      resolve: (current) => {
        resolved.push(current.lastSeq);
        return Promise.resolve(current);
      },
    },
    removals,
    remove: (_id, account, { strict, onlyLeaves }) => {
      removeCalls.push({ account, strict, leaves: [...(onlyLeaves ?? [])] });
      return removeFailure === undefined ? Promise.resolve() : Promise.reject(removeFailure);
    },
    clock: () => 0,
    report: (_chat, error) => reported.push(error),
  });
  return {
    sync,
    store,
    relay,
    fetches,
    acks,
    processed,
    resolved,
    removals,
    removeCalls,
    reported,
    failRemovals: (error: Error) => {
      removeFailure = error;
    },
    removeOnSeq: (seq: number) => {
      removeOn = seq;
    },
  };
}

describe('TopicSync.catchUp', () => {
  it('processes every envelope after the cursor, resolves gaps and acknowledges', async () => {
    const t = await fixture({ lastSeq: 2, relayHolds: 5 });
    await t.sync.catchUp(id);
    expect(t.processed).toEqual([3, 4, 5]);
    expect((await loadChat(t.store, id))?.lastSeq).toBe(5);
    expect(t.resolved).toEqual([5]);
    expect(t.acks).toEqual([{ seq: 5, cursor }]);
  });

  it('reads page after page while pages are full', async () => {
    const t = await fixture({ relayHolds: PAGE_SIZE + 1 });
    await t.sync.catchUp(id);
    expect(t.fetches).toEqual([0, PAGE_SIZE]);
    expect(t.processed).toHaveLength(PAGE_SIZE + 1);
  });

  it('leaves a chat this account left alone', async () => {
    const t = await fixture({ relayHolds: 3, status: 'left' });
    await t.sync.catchUp(id);
    expect(t.fetches).toEqual([]);
  });

  it('stops at the envelope that removed this account and acknowledges nothing', async () => {
    const t = await fixture({ relayHolds: 5 });
    t.removeOnSeq(3);
    await t.sync.catchUp(id);
    expect(t.processed).toEqual([1, 2, 3]);
    expect((await loadChat(t.store, id))?.status).toBe('removed');
    expect(t.acks).toEqual([]);
  });

  it('throws CLIENT_CHAT_NOT_FOUND for a chat it does not hold', async () => {
    const t = await fixture();
    await expect(t.sync.catchUp('unknown')).rejects.toMatchObject({
      code: 'CLIENT_CHAT_NOT_FOUND',
    });
  });
});

describe('TopicSync.pushed', () => {
  it('processes the next seq directly, without asking the relay', async () => {
    const t = await fixture({ lastSeq: 4, relayHolds: 5 });
    await t.sync.pushed(topic, envelope(5));
    expect(t.processed).toEqual([5]);
    expect(t.fetches).toEqual([]);
    expect(t.acks.map((a) => a.seq)).toEqual([5]);
  });

  it('pulls the chat when a pushed envelope skips a seq', async () => {
    const t = await fixture({ lastSeq: 2, relayHolds: 5 });
    await t.sync.pushed(topic, envelope(5));
    expect(t.fetches).toEqual([2]);
    expect(t.processed).toEqual([3, 4, 5]);
  });

  it('ignores an envelope already processed and a topic that is no chat', async () => {
    const t = await fixture({ lastSeq: 4, relayHolds: 5 });
    await t.sync.pushed(topic, envelope(3));
    await t.sync.pushed(new Uint8Array(32).fill(9), envelope(5));
    expect(t.processed).toEqual([]);
    expect(t.fetches).toEqual([]);
  });
});

describe('TopicSync.sync', () => {
  it('acts on a pending leave request and forgets it once done', async () => {
    const t = await fixture();
    await t.removals.add(id, 'bob', ['aa', 'bb']);
    await t.sync.sync(id);
    expect(t.removeCalls).toEqual([{ account: 'bob', strict: false, leaves: ['aa', 'bb'] }]);
    expect(await t.removals.of(id)).toEqual([]);
  });

  it('keeps a leave request whose removal failed for now', async () => {
    const t = await fixture();
    await t.removals.add(id, 'bob', ['aa']);
    t.failRemovals(new ClientError('CLIENT_RELAY_UNREACHABLE'));
    await t.sync.sync(id);
    expect(t.reported).toMatchObject([{ code: 'CLIENT_RELAY_UNREACHABLE' }]);
    expect(await t.removals.of(id)).toHaveLength(1);
  });

  it('drops a leave request whose removal was refused for good', async () => {
    const t = await fixture();
    await t.removals.add(id, 'bob', ['aa']);
    t.failRemovals(new ClientError('CLIENT_NOT_A_MEMBER'));
    await t.sync.sync(id);
    expect(t.reported).toMatchObject([{ code: 'CLIENT_NOT_A_MEMBER' }]);
    expect(await t.removals.of(id)).toEqual([]);
  });
});
