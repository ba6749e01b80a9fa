/**
 * The invitation acceptor joins only what its inviter proved: sealed to this device, signed by a
 * device the inviter's directory entry certifies, for the group the Welcome joins; anything else
 * is dropped with an `invitation-rejected` event (real MLS, real sealing and signatures, a fake
 * directory lookup, the in-memory store).
 */
import {
  checkKeyPackage,
  commitChanges,
  createChatGroup,
  createEnvelope,
  generateKeyPackage,
  inboxTopic,
  newSharedTopic,
  sealInvitation,
  type DeviceCertificate,
  type Invitation,
  type MlsContext,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { beforeAll, describe, expect, it } from 'vitest';
import { mlsFor, suite, testDevice, type TestDevice } from '../../test/support/unit-fixtures.js';
import { chatIdOf, loadChat, saveChat } from '../chats/records.js';
import { KeyPackages } from '../device/key-packages.js';
import type { ClientEvents } from '../events.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { InvitationAcceptor } from './invitation-acceptor.js';

const topic = newSharedTopic(unsafeSeededRandom('invited topic'));
const id = chatIdOf(topic);

let alice: TestDevice;
let bob: TestDevice;
let mls: MlsContext;

beforeAll(async () => {
  alice = await testDevice('alice');
  bob = await testDevice('bob');
  mls = await mlsFor([alice, bob]);
});

/** Bob's acceptor, and an invitation from alice to the group she adds bob to. */
async function fixture(options: { certifiedInviterKey?: Uint8Array } = {}) {
  const store = openMemoryClientStore();
  const keyPackages = new KeyPackages({ store, mls, account: bob.account, device: bob.device });
  const bobPackage = await keyPackages.generate();
  const checked = await checkKeyPackage(mls, bobPackage.bytes, bob.account);
  if (!checked.ok) throw new Error(checked.reason);
  const own = await generateKeyPackage(mls, {
    account: alice.account,
    deviceSeed: alice.device.seed,
    deviceKey: alice.device.publicKey,
  });
  const added = await commitChanges(mls, await createChatGroup(mls, topic, own), [
    { kind: 'add', keyPackage: checked.value.keyPackage },
  ]);
  const events: { event: keyof ClientEvents; payload: unknown }[] = [];
  const joined: [string, number][] = [];
  const inviterKey = options.certifiedInviterKey ?? alice.device.publicKey;
  const acceptor = new InvitationAcceptor({
    store,
    suite,
    mls,
    account: bob.account,
    device: bob.device,
    keyPackages,
    lookup: {
      devicesOf: (who) =>
        Promise.resolve(
          who === alice.account ? [{ deviceKey: inviterKey } as DeviceCertificate] : undefined,
        ),
    },
    clock: () => 99,
    emit: (event, payload) => events.push({ event, payload }),
    joined: (chatId, _topic, since) => Promise.resolve(void joined.push([chatId, since])),
  });
  const invitation: Invitation = {
    chat: topic,
    kind: 'group',
    name: 'the group',
    inviter: alice.account,
    inviterDevice: alice.device.publicKey,
    invitee: bob.account,
    keyPackageHash: bobPackage.hash,
    welcome: added.welcome ?? new Uint8Array(),
    since: 4,
    sentAt: 1,
  };
  const inbox = inboxTopic(bob.account);
  /** The inbox envelope of `changes` applied to the invitation, sealed to `hpkeKey`. */
  const sealed = async (changes: Partial<Invitation> = {}, hpkeKey = bob.device.hpkePublicKey) => {
    const payload = await sealInvitation(
      suite,
      { ...invitation, ...changes },
      alice.device.seed,
      hpkeKey,
      inbox,
      unsafeSeededRandom('seal'),
    );
    return createEnvelope({ topic: inbox, payload, createdAt: 1 }).bytes;
  };
  const rejections = () =>
    events.filter((e) => e.event === 'invitation-rejected').map((e) => e.payload);
  return { store, acceptor, events, joined, sealed, inbox, rejections };
}

describe('InvitationAcceptor', () => {
  it('joins the group a certified inviter invited this device to', async () => {
    const t = await fixture();
    await t.acceptor.accept(await t.sealed(), t.inbox, 1);
    const chat = await loadChat(t.store, id);
    expect(chat).toMatchObject({ kind: 'group', name: 'the group', status: 'active', lastSeq: 4 });
    expect(t.events).toEqual([
      {
        event: 'invited',
        payload: { chatId: id, name: 'the group', inviter: alice.account, kind: 'group' },
      },
    ]);
    expect(t.joined).toEqual([[id, 4]]);
  });

  it('drops an invitation signed by a device the inviter does not certify', async () => {
    const t = await fixture({ certifiedInviterKey: new Uint8Array(32).fill(1) });
    await t.acceptor.accept(await t.sealed(), t.inbox, 1);
    expect(t.rejections()).toEqual([{ seq: 1, reason: 'inviter-not-certified' }]);
    expect(await loadChat(t.store, id)).toBeUndefined();
    expect(t.joined).toEqual([]);
  });

  it('fails with CORE_HPKE_OPEN_FAILED for an invitation sealed to another device', async () => {
    const t = await fixture();
    const bytes = await t.sealed({}, alice.device.hpkePublicKey);
    await expect(t.acceptor.accept(bytes, t.inbox, 2)).rejects.toMatchObject({
      code: 'CORE_HPKE_OPEN_FAILED',
    });
    expect(await loadChat(t.store, id)).toBeUndefined();
    expect(t.joined).toEqual([]);
  });

  it('drops an invitation whose Welcome joins another group than the chat it names', async () => {
    const t = await fixture();
    const other = newSharedTopic(unsafeSeededRandom('another chat'));
    await t.acceptor.accept(await t.sealed({ chat: other }), t.inbox, 3);
    expect(t.rejections()).toEqual([{ seq: 3, reason: 'wrong-group' }]);
    expect(await loadChat(t.store, chatIdOf(other))).toBeUndefined();
  });

  it('names a pair chat after its inviter, not after the name the invitation carries', async () => {
    const t = await fixture();
    await t.acceptor.accept(await t.sealed({ kind: 'pair', name: 'chosen by alice' }), t.inbox, 1);
    expect(t.rejections()).toEqual([]);
    expect(await loadChat(t.store, id)).toMatchObject({ kind: 'pair', name: alice.account });
  });

  it('throws CLIENT_KEY_PACKAGE_INVALID for a KeyPackage this device never made', async () => {
    const t = await fixture();
    const bytes = await t.sealed({ keyPackageHash: new Uint8Array(32).fill(5) });
    await expect(t.acceptor.accept(bytes, t.inbox, 1)).rejects.toMatchObject({
      code: 'CLIENT_KEY_PACKAGE_INVALID',
    });
  });

  it('ignores an invitation to a chat it is active in', async () => {
    const t = await fixture();
    await t.acceptor.accept(await t.sealed(), t.inbox, 1);
    await t.acceptor.accept(await t.sealed({ since: 9 }), t.inbox, 2);
    expect(t.joined).toEqual([[id, 4]]);
    expect((await loadChat(t.store, id))?.lastSeq).toBe(4);
  });

  it('keeps counting where this device stopped when it is invited back', async () => {
    const t = await fixture();
    await t.acceptor.accept(await t.sealed(), t.inbox, 1);
    const left = await loadChat(t.store, id);
    if (left === undefined) throw new Error('not joined');
    await saveChat(t.store, { ...left, status: 'left', counter: 6 });
    await t.acceptor.accept(await t.sealed({ since: 12 }), t.inbox, 2);
    expect(await loadChat(t.store, id)).toMatchObject({
      status: 'active',
      counter: 6,
      lastSeq: 12,
    });
  });
});
