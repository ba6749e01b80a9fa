/**
 * Inbox sync hands every new inbox envelope to the invitation acceptor in seq order, page by
 * page, keeps its cursor, skips (and reports) one that fails, and acknowledges the last one
 * (a fake relay holding the inbox in memory, a fake acceptor, the in-memory store).
 */
import { equalBytes, inboxTopic, type AccountId, type TopicEnvelope } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { InboxSync } from './inbox-sync.js';
import { PAGE_SIZE } from './page.js';

const account = 'inbox-owner' as AccountId;
const inbox = inboxTopic(account);

function fixture(count: number, failing: readonly number[] = []) {
  const envelopes: TopicEnvelope[] = Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    cid: `cid-${i + 1}`,
    receivedAt: 0,
    leafIndex: i,
    bytes: new Uint8Array([i]),
  }));
  const fetches: number[] = [];
  const acks: number[] = [];
  const accepted: number[] = [];
  const reported: unknown[] = [];
  const api = {
    fetchEnvelopes: (topic: Uint8Array, after: number, limit: number) => {
      expect(equalBytes(topic, inbox)).toBe(true);
      fetches.push(after);
      const page = envelopes.filter((e) => e.seq > after).slice(0, limit);
      return Promise.resolve({ envelopes: page, lastSeq: envelopes.length });
    },
    acknowledge: (_topic: Uint8Array, seq: number) => {
      acks.push(seq);
      return Promise.resolve();
    },
  };
  const invitations = {
    accept: (_bytes: Uint8Array, _inbox: Uint8Array, seq: number) => {
      if (failing.includes(seq))
        return Promise.reject(new ClientError('CLIENT_KEY_PACKAGE_INVALID'));
      accepted.push(seq);
      return Promise.resolve();
    },
  };
  const store = openMemoryClientStore();
  const sync = new InboxSync({
    store,
    api,
    account,
    invitations,
    clock: () => 0,
    report: (_chat, error) => reported.push(error),
  });
  return { sync, store, fetches, acks, accepted, reported, envelopes };
}

describe('InboxSync', () => {
  it('hands every inbox envelope to the acceptor in order and acknowledges the last', async () => {
    const { sync, accepted, acks } = fixture(3);
    await sync.sync();
    expect(accepted).toEqual([1, 2, 3]);
    expect(acks).toEqual([3]);
    expect(await sync.lastSeq()).toBe(3);
  });

  it('resumes after the envelopes it already processed', async () => {
    const { sync, accepted, fetches, envelopes } = fixture(2);
    await sync.sync();
    envelopes.push({ seq: 3, cid: 'cid-3', receivedAt: 0, leafIndex: 2, bytes: new Uint8Array() });
    await sync.sync();
    expect(accepted).toEqual([1, 2, 3]);
    expect(fetches).toEqual([0, 2]);
  });

  it('reads the next page when a page is full', async () => {
    const { sync, accepted, fetches } = fixture(PAGE_SIZE + 5);
    await sync.sync();
    expect(accepted).toHaveLength(PAGE_SIZE + 5);
    expect(fetches).toEqual([0, PAGE_SIZE]);
  });

  it('reports an envelope that fails and moves past it', async () => {
    const { sync, accepted, reported } = fixture(3, [2]);
    await sync.sync();
    expect(accepted).toEqual([1, 3]);
    expect(reported).toMatchObject([{ code: 'CLIENT_KEY_PACKAGE_INVALID' }]);
    expect(await sync.lastSeq()).toBe(3);
  });

  it('acknowledges nothing while the inbox is empty', async () => {
    const { sync, acks } = fixture(0);
    await sync.sync();
    expect(acks).toEqual([]);
    expect(await sync.lastSeq()).toBe(0);
  });
});
