/**
 * The chat creator starts a group of one on a fresh topic and adds the invitees in its first
 * Commit; a pair chat with the same peer is reused (finished if it was left half-made) instead
 * of created twice (real MLS and KeyPackages, a fake membership, the in-memory store).
 */
import { checkKeyPackage, commitChanges, encodeGroupState, type MlsContext } from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { beforeAll, describe, expect, it } from 'vitest';
import { mlsFor, testDevice, type TestDevice } from '../../test/support/unit-fixtures.js';
import { KeyPackages } from '../device/key-packages.js';
import { ClientError } from '../errors.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { ChatCreator } from './chat-creator.js';
import { groupStateOf, listChatIds, loadChat, membersOf, saveChat } from './records.js';

let alice: TestDevice;
let bob: TestDevice;
let mls: MlsContext;

beforeAll(async () => {
  alice = await testDevice('alice');
  bob = await testDevice('bob');
  mls = await mlsFor([alice, bob]);
});

function fixture(options: { syncFailure?: Error } = {}) {
  const store = openMemoryClientStore();
  const added: [string, readonly string[]][] = [];
  const followed: number[] = [];
  const synced: string[] = [];
  let flushes = 0;
  const creator = new ChatCreator({
    store,
    mls,
    account: alice.account,
    keyPackages: new KeyPackages({ store, mls, account: alice.account, device: alice.device }),
    membership: {
      add: (id, accounts) => Promise.resolve(void added.push([id, accounts])),
    },
    random: unsafeSeededRandom('topics'),
    clock: () => 50,
    sync: (id) => {
      synced.push(id);
      return options.syncFailure === undefined
        ? Promise.resolve()
        : Promise.reject(options.syncFailure);
    },
    flushOutbox: () => {
      flushes += 1;
      return Promise.resolve();
    },
    follow: (_topic, after) => followed.push(after),
  });
  return { store, creator, added, followed, synced, flushes: () => flushes };
}

/** Adds bob to the pair chat `id` as a won Commit would have. */
async function addBob(store: ReturnType<typeof fixture>['store'], id: string): Promise<void> {
  const chat = await loadChat(store, id);
  if (chat === undefined) throw new Error('no chat');
  const keyPackage = await new KeyPackages({
    store: openMemoryClientStore(),
    mls,
    account: bob.account,
    device: bob.device,
  }).generate();
  const checked = await checkKeyPackage(mls, keyPackage.bytes, bob.account);
  if (!checked.ok) throw new Error(checked.reason);
  const { newState } = await commitChanges(mls, groupStateOf(chat, mls), [
    { kind: 'add', keyPackage: checked.value.keyPackage },
  ]);
  await saveChat(store, { ...chat, state: encodeGroupState(newState) });
}

describe('ChatCreator', () => {
  it('creates a group of one on a fresh topic and adds the invitees but not itself', async () => {
    const t = fixture();
    const id = await t.creator.create('group', 'team', [alice.account, bob.account]);
    const chat = await loadChat(t.store, id);
    expect(chat).toMatchObject({
      kind: 'group',
      name: 'team',
      status: 'active',
      lastSeq: 0,
      createdAt: 50,
    });
    if (chat === undefined) throw new Error('no chat');
    expect(membersOf(groupStateOf(chat, mls)).map((m) => m.account)).toEqual([alice.account]);
    expect(t.followed).toEqual([0]);
    expect(t.added).toEqual([[id, [bob.account]]]);
  });

  it('creates a chat on another topic each time', async () => {
    const t = fixture();
    const first = await t.creator.create('group', 'a', []);
    const second = await t.creator.create('group', 'b', []);
    expect(first).not.toBe(second);
    expect(t.added).toEqual([]);
  });

  it('reuses the pair chat with the same peer, syncing it and sending what it owes', async () => {
    const t = fixture();
    const id = await t.creator.create('pair', bob.account, [bob.account]);
    await addBob(t.store, id);
    expect(await t.creator.create('pair', bob.account, [bob.account])).toBe(id);
    expect(t.synced).toEqual([id]);
    expect(t.flushes()).toBe(1);
    expect(await listChatIds(t.store)).toEqual([id]);
  });

  it('finishes a pair chat whose Commit never added the peer', async () => {
    const t = fixture();
    const id = await t.creator.create('pair', bob.account, [bob.account]);
    expect(await t.creator.create('pair', bob.account, [bob.account])).toBe(id);
    expect(t.added).toEqual([
      [id, [bob.account]],
      [id, [bob.account]],
    ]);
  });

  it('reuses a pair chat even when the relay cannot be reached to sync it', async () => {
    const t = fixture({ syncFailure: new ClientError('CLIENT_RELAY_UNREACHABLE') });
    const id = await t.creator.create('pair', bob.account, [bob.account]);
    await addBob(t.store, id);
    expect(await t.creator.create('pair', bob.account, [bob.account])).toBe(id);
  });

  it('does not reuse a pair chat this account left', async () => {
    const t = fixture();
    const id = await t.creator.create('pair', bob.account, [bob.account]);
    const chat = await loadChat(t.store, id);
    if (chat === undefined) throw new Error('no chat');
    await saveChat(t.store, { ...chat, status: 'left' });
    expect(await t.creator.create('pair', bob.account, [bob.account])).not.toBe(id);
  });
});
