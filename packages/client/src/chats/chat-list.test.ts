/**
 * The chat list summarises every chat held, in id order, with its members from its MLS state and
 * its last message (a real group state; the store's message part is a fake that records reads).
 */
import {
  createAuthenticationService,
  createChatGroup,
  createCryptoSuite,
  createMlsContext,
  encodeGroupState,
  generateIdentity,
  generateKeyPackage,
  newSharedTopic,
  type AccountId,
  type MlsContext,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientStore, StoredMessage } from '../store/client-store.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { listChats } from './chat-list.js';
import { chatIdOf, saveChat, type ChatRecord } from './records.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
let mls: MlsContext;
let account: AccountId;
let state: Uint8Array;

beforeAll(async () => {
  const identity = await generateIdentity(suite, unsafeSeededRandom('lister identity'));
  account = identity.accountId;
  const deviceSeed = unsafeSeededRandom('lister device')(32);
  const deviceKey = await suite.ed25519.publicKey(deviceSeed);
  mls = await createMlsContext(createAuthenticationService(() => Promise.resolve([deviceKey])));
  const own = await generateKeyPackage(mls, { account, deviceSeed, deviceKey });
  state = encodeGroupState(
    await createChatGroup(mls, newSharedTopic(unsafeSeededRandom('listed')), own),
  );
});

const chatOn = (label: string, changes: Partial<ChatRecord> = {}): ChatRecord => {
  const topic = newSharedTopic(unsafeSeededRandom(label));
  return {
    id: chatIdOf(topic),
    topic,
    kind: 'group',
    name: label,
    state,
    lastSeq: 0,
    counter: 0,
    prev: null,
    heads: [],
    chains: {},
    status: 'active',
    createdAt: 0,
    ...changes,
  };
};

describe('listChats', () => {
  it('summarises each chat with its members and its last message', async () => {
    const withMessage = chatOn('with message', { kind: 'pair', name: 'bob' });
    const left = chatOn('left', { status: 'left' });
    const inner = openMemoryClientStore();
    const last = { chatId: 'x', id: 3, sentAt: 30 } as StoredMessage;
    const asked: { chatId: string; limit: number }[] = [];
    const store: ClientStore = {
      ...inner,
      messages: (chatId, options) => {
        asked.push({ chatId, limit: options.limit });
        return Promise.resolve(chatId === withMessage.id ? [last] : []);
      },
    };
    await saveChat(store, withMessage);
    await saveChat(store, left);
    const summaries = await listChats(store, mls);
    expect(summaries.map((s) => s.id)).toEqual([withMessage.id, left.id].sort());
    const byId = new Map(summaries.map((s) => [s.id, s]));
    expect(byId.get(withMessage.id)).toEqual({
      id: withMessage.id,
      kind: 'pair',
      name: 'bob',
      status: 'active',
      members: [account],
      lastMessage: last,
    });
    expect(byId.get(left.id)).toMatchObject({ status: 'left', lastMessage: undefined });
    expect(asked.every((a) => a.limit === 1)).toBe(true);
  });

  it('is empty when no chat is held', async () => {
    expect(await listChats(openMemoryClientStore(), mls)).toEqual([]);
  });
});
