/**
 * The committer against a fake relay API: one Commit per epoch, rebuilt when another member's
 * Commit took the epoch, kept aside when the relay's answer was lost, and the invitations a
 * Welcome owes queued once the Commit is ordered. The MLS states are real.
 */
import {
  commitChanges,
  decodeCanonical,
  decodeEnvelope,
  decodeGroupState,
  epochOf,
  leavesOf,
  type GroupState,
  type MlsContext,
  type WriteProof,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { describe, expect, it } from 'vitest';
import { owedOf, type Invitee } from '../chats/invitations.js';
import { encodeState, groupStateOf, loadChat, requireChat, saveChat } from '../chats/records.js';
import { inviterOf } from '../device/device-keys.js';
import { ClientError } from '../errors.js';
import type { Receipt } from '../relay/relay-api.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import type { ClientStore } from '../store/client-store.js';
import { decodeOutboxItem } from '../send/outbox.js';
import {
  checkedKeyPackageOf,
  fakeClock,
  mlsFor,
  receiptFor,
  recordingEmit,
  refusal,
  saveTestChat,
  suite,
  testDevice,
  type TestDevice,
} from '../../test/support/unit-fixtures.js';
import { COMMIT_ATTEMPTS, Committer, pendingCommitKey } from './committer.js';

const PROOF: WriteProof = { writer: new Uint8Array(32), sig: new Uint8Array(64) };

/** A committer of `alice` on a fake relay that answers each post with `answer(n)` (n from 1). */
function committerOf(
  alice: TestDevice,
  store: ClientStore,
  mls: MlsContext,
  answer: (attempt: number, bytes: Uint8Array) => Promise<Receipt>,
  catchUp: (chatId: string) => Promise<void> = () => Promise.resolve(),
) {
  const posts: { bytes: Uint8Array; proof: WriteProof | undefined }[] = [];
  const proofs: { state: GroupState; next: GroupState | undefined }[] = [];
  const receipts: { chatId: string; receipt: Receipt }[] = [];
  let flushes = 0;
  const { emit, events } = recordingEmit();
  const clock = fakeClock();
  const committer = new Committer({
    store,
    mls,
    api: {
      postEnvelope: (bytes, _now, proof) => {
        posts.push({ bytes, proof });
        return answer(posts.length, bytes);
      },
    },
    writeKeys: {
      proof: (_topic, _cid, state, next) => {
        proofs.push({ state, next });
        return Promise.resolve(PROOF);
      },
    },
    inviter: inviterOf({
      device: alice.device,
      account: alice.account,
      suite,
      random: unsafeSeededRandom('inviter'),
      clock,
    }),
    clock,
    catchUp,
    flushOutbox: () => {
      flushes += 1;
      return Promise.resolve();
    },
    trackReceipt: (chatId, receipt) => {
      receipts.push({ chatId, receipt });
      return Promise.resolve();
    },
    emit,
  });
  return { committer, posts, proofs, receipts, events, flushes: () => flushes };
}

/** The CID of posted envelope bytes. */
const cidOf = (bytes: Uint8Array) => decodeEnvelope(bytes).cid.toString();

/** An answer that takes every post. */
const accept = (n: number, bytes: Uint8Array) => Promise.resolve(receiptFor(cidOf(bytes), n + 1));

async function setUp(others: string[] = ['bob']) {
  const alice = await testDevice('alice');
  const rest = await Promise.all(others.map((name) => testDevice(name)));
  const mls = await mlsFor([alice, ...rest]);
  const store = openMemoryClientStore();
  const chat = await saveTestChat(store, mls, alice, rest);
  return { alice, rest, mls, store, chat };
}

async function epochIn(store: ClientStore, mls: MlsContext, id: string): Promise<bigint> {
  return epochOf(groupStateOf(await requireChat(store, id), mls));
}

describe('Committer.commit', () => {
  it('posts the Commit with a proof naming the next epoch, then saves the new state and says so', async () => {
    const { alice, rest, mls, store, chat } = await setUp();
    const bob = rest[0] as TestDevice;
    const { committer, posts, proofs, receipts, events } = committerOf(alice, store, mls, accept);
    const epoch = epochOf(chat.state);
    await committer.commit(chat.record.id, removing(bob));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.proof).toBe(PROOF);
    expect(proofs.map((p) => [epochOf(p.state), p.next && epochOf(p.next)])).toEqual([
      [epoch, epoch + 1n],
    ]);
    expect(await epochIn(store, mls, chat.record.id)).toBe(epoch + 1n);
    expect(receipts.map((r) => r.chatId)).toEqual([chat.record.id]);
    expect(events).toEqual([
      { event: 'members-changed', payload: { chatId: chat.record.id, members: [alice.account] } },
    ]);
    expect(await store.get(`mine/${cidOf(posts[0]?.bytes ?? new Uint8Array())}`)).toBeDefined();
  });

  it('retries a commit that lost the epoch race with a fresh proposal built on the winner', async () => {
    const { alice, rest, mls, store, chat } = await setUp();
    const id = chat.record.id;
    const epoch = epochOf(chat.state);
    let raced = false;
    // Another member's Commit takes the epoch: catching up adopts it.
    const catchUp = async () => {
      if (!raced) return;
      raced = false;
      const current = await requireChat(store, id);
      const winner = await commitChanges(mls, groupStateOf(current, mls), []);
      await saveChat(store, { ...current, state: encodeState(winner.newState) });
    };
    const { committer, posts } = committerOf(
      alice,
      store,
      mls,
      (n, bytes) => {
        if (n > 1) return accept(n, bytes);
        raced = true;
        return Promise.reject(refusal('RELAY_COMMIT_CONFLICT', 409));
      },
      catchUp,
    );
    const builtOn: bigint[] = [];
    await committer.commit(id, (state) => {
      builtOn.push(epochOf(state));
      return removing(rest[0] as TestDevice)(state);
    });
    expect(builtOn).toEqual([epoch, epoch + 1n]);
    expect(posts).toHaveLength(2);
    expect(await epochIn(store, mls, id)).toBe(epoch + 2n);
    // The losing Commit is no longer marked as this device's.
    expect(await store.get(`mine/${cidOf(posts[0]?.bytes ?? new Uint8Array())}`)).toBeUndefined();
  });

  it(`gives up with CLIENT_COMMIT_CONFLICT after ${COMMIT_ATTEMPTS} lost races`, async () => {
    const { alice, rest, mls, store, chat } = await setUp();
    const { committer, posts } = committerOf(alice, store, mls, () =>
      Promise.reject(refusal('RELAY_WRITE_FORBIDDEN', 403)),
    );
    await expect(
      committer.commit(chat.record.id, removing(rest[0] as TestDevice)),
    ).rejects.toMatchObject({
      code: 'CLIENT_COMMIT_CONFLICT',
    });
    expect(posts).toHaveLength(COMMIT_ATTEMPTS);
    expect(await epochIn(store, mls, chat.record.id)).toBe(epochOf(chat.state));
  });

  it('posts nothing when the changes are none', async () => {
    const { alice, mls, store, chat } = await setUp();
    const { committer, posts } = committerOf(alice, store, mls, accept);
    await committer.commit(chat.record.id, () => Promise.resolve([]));
    expect(posts).toHaveLength(0);
    expect(await epochIn(store, mls, chat.record.id)).toBe(epochOf(chat.state));
  });

  it('refuses a chat this device is no longer a member of (CLIENT_NOT_A_MEMBER)', async () => {
    const { alice, rest, mls, store, chat } = await setUp();
    await saveChat(store, { ...chat.record, status: 'removed' });
    const { committer, posts } = committerOf(alice, store, mls, accept);
    await expect(
      committer.commit(chat.record.id, removing(rest[0] as TestDevice)),
    ).rejects.toMatchObject({
      code: 'CLIENT_NOT_A_MEMBER',
    });
    expect(posts).toHaveLength(0);
  });

  it('keeps the state a Commit leads to beside the chat when the relay’s answer was lost', async () => {
    const { alice, rest, mls, store, chat } = await setUp();
    const { committer, posts } = committerOf(alice, store, mls, () =>
      Promise.reject(new ClientError('CLIENT_RELAY_UNREACHABLE')),
    );
    await expect(
      committer.commit(chat.record.id, removing(rest[0] as TestDevice)),
    ).rejects.toMatchObject({
      code: 'CLIENT_RELAY_UNREACHABLE',
    });
    const pending = await store.get(pendingCommitKey(chat.record.id));
    if (pending === undefined) throw new Error('no pending Commit kept');
    const { cid, state } = decodeCanonical(pending) as { cid: string; state: Uint8Array };
    expect(cid).toBe(cidOf(posts[0]?.bytes ?? new Uint8Array()));
    expect(epochOf(decodeGroupState(state, mls))).toBe(epochOf(chat.state) + 1n);
    expect(await epochIn(store, mls, chat.record.id)).toBe(epochOf(chat.state));
  });

  it('queues the invitations the Welcome owes once the Commit is ordered, then flushes', async () => {
    const alice = await testDevice('alice');
    const bob = await testDevice('bob');
    const mls = await mlsFor([alice, bob]);
    const store = openMemoryClientStore();
    const chat = await saveTestChat(store, mls, alice);
    const { generated, checked } = await checkedKeyPackageOf(mls, bob);
    const { committer, flushes, events } = committerOf(alice, store, mls, accept);
    const invitee: Invitee = {
      account: bob.account,
      keyPackageHash: generated.hash,
      hpkeKey: bob.device.hpkePublicKey,
    };
    await committer.commit(
      chat.record.id,
      () => Promise.resolve([{ kind: 'add', keyPackage: checked }]),
      () => [invitee],
    );
    const items = [];
    for (const key of await store.keys('outbox/')) {
      const bytes = await store.get(key);
      if (bytes !== undefined) items.push(decodeOutboxItem(bytes));
    }
    expect(items.map((item) => [item.chat, item.invitation, item.message])).toEqual([
      [chat.record.id, true, 0],
    ]);
    expect(await owedOf(store, chat.record.id)).toBeUndefined();
    expect(flushes()).toBe(1);
    expect(events.at(-1)).toMatchObject({ payload: { members: [alice.account, bob.account] } });
    expect((await loadChat(store, chat.record.id))?.status).toBe('active');
  });
});

/** Changes that remove `member`'s leaf from whatever state they are built on. */
function removing(member: TestDevice) {
  return (state: GroupState) => {
    const leaf = leavesOf(state, member.account)[0];
    if (leaf === undefined) throw new Error(`${member.name} has no leaf`);
    return Promise.resolve([{ kind: 'remove' as const, leaf: leaf.index }]);
  };
}
