/**
 * Invitations a Commit owes are kept until they are sealed into the outbox, one per invitee,
 * each opening for its invitee only; a joined group is checked against what its invitation says
 * (real MLS group states, real sealing and signatures, the in-memory store).
 */
import {
  checkKeyPackage,
  commitChanges,
  createChatGroup,
  decodeEnvelope,
  encodeGroupState,
  generateKeyPackage,
  inboxTopic,
  newSharedTopic,
  openInvitation,
  type GroupState,
  type Invitation,
  type MlsContext,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { beforeAll, describe, expect, it } from 'vitest';
import { mlsFor, suite, testDevice, type TestDevice } from '../../test/support/unit-fixtures.js';
import { inviterOf } from '../device/device-keys.js';
import { KeyPackages } from '../device/key-packages.js';
import { decodeOutboxItem } from '../send/outbox.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import {
  checkJoinedGroup,
  forgetOwed,
  isPairOf,
  keepOwed,
  owedOf,
  queueOwed,
  type OwedInvitations,
} from './invitations.js';
import { chatIdOf, type ChatRecord } from './records.js';

const topic = newSharedTopic(unsafeSeededRandom('invitation topic'));

let alice: TestDevice;
let bob: TestDevice;
let mls: MlsContext;
/** Alice alone, and alice with bob added. */
let solo: GroupState;
let pair: GroupState;
let owed: OwedInvitations;

beforeAll(async () => {
  alice = await testDevice('alice');
  bob = await testDevice('bob');
  mls = await mlsFor([alice, bob]);
  const own = await generateKeyPackage(mls, {
    account: alice.account,
    deviceSeed: alice.device.seed,
    deviceKey: alice.device.publicKey,
  });
  solo = await createChatGroup(mls, topic, own);
  const bobPackage = await new KeyPackages({
    store: openMemoryClientStore(),
    mls,
    account: bob.account,
    device: bob.device,
  }).generate();
  const checked = await checkKeyPackage(mls, bobPackage.bytes, bob.account);
  if (!checked.ok) throw new Error(checked.reason);
  const added = await commitChanges(mls, solo, [
    { kind: 'add', keyPackage: checked.value.keyPackage },
  ]);
  pair = added.newState;
  owed = {
    commit: 'bafy-commit',
    welcome: added.welcome ?? new Uint8Array(),
    invitees: [
      { account: bob.account, keyPackageHash: bobPackage.hash, hpkeKey: bob.device.hpkePublicKey },
    ],
  };
});

const chatOf = (kind: 'pair' | 'group'): ChatRecord => ({
  id: chatIdOf(topic),
  topic,
  kind,
  name: 'the group',
  state: encodeGroupState(pair),
  lastSeq: 3,
  counter: 0,
  prev: null,
  heads: [],
  chains: {},
  status: 'active',
  createdAt: 0,
});

const invitation = (changes: Partial<Invitation> = {}): Invitation => ({
  chat: topic,
  kind: 'group',
  name: 'the group',
  inviter: alice.account,
  inviterDevice: alice.device.publicKey,
  invitee: bob.account,
  keyPackageHash: new Uint8Array(32),
  welcome: new Uint8Array(),
  since: 3,
  sentAt: 0,
  ...changes,
});

describe('owed invitations', () => {
  it('are kept per chat until forgotten', async () => {
    const store = openMemoryClientStore();
    await keepOwed(store, 'chat', owed);
    expect(await owedOf(store, 'chat')).toEqual(owed);
    expect(await owedOf(store, 'other')).toBeUndefined();
    await forgetOwed(store, 'chat');
    expect(await owedOf(store, 'chat')).toBeUndefined();
  });

  it('are sealed into the outbox, each opening for its invitee with the Commit’s seq', async () => {
    const store = openMemoryClientStore();
    const chat = chatOf('pair');
    await keepOwed(store, chat.id, owed);
    const inviter = inviterOf({
      device: alice.device,
      account: alice.account,
      suite,
      random: unsafeSeededRandom('sealing'),
      clock: () => 77,
    });
    let alsoRan = false;
    await queueOwed(store, inviter, chat, owed, 9, () => {
      alsoRan = true;
      return Promise.resolve();
    });
    expect(alsoRan).toBe(true);
    expect(await owedOf(store, chat.id)).toBeUndefined();
    const keys = await store.keys('outbox/');
    expect(keys).toHaveLength(1);
    const item = decodeOutboxItem((await store.get(keys[0] ?? '')) ?? new Uint8Array());
    expect(item).toMatchObject({ chat: chat.id, message: 0, invitation: true });
    const inbox = inboxTopic(bob.account);
    const { envelope } = decodeEnvelope(item.envelope);
    const opened = await openInvitation(
      suite,
      envelope.payload,
      bob.device.hpkePrivateKey,
      inbox,
      bob.account,
    );
    if (!opened.ok) throw new Error(opened.reason);
    // A pair is named after its inviter on the invitee's side.
    expect(opened.value).toMatchObject({
      since: 9,
      inviter: alice.account,
      name: alice.account,
      kind: 'pair',
    });
  });
});

describe('checkJoinedGroup', () => {
  it('accepts a group that is the chat and holds the inviter’s signing device', () => {
    expect(checkJoinedGroup(pair, invitation(), bob.account)).toBeUndefined();
    expect(checkJoinedGroup(pair, invitation({ kind: 'pair' }), bob.account)).toBeUndefined();
  });

  it('refuses a group that is not the chat the invitation names', () => {
    const other = newSharedTopic(unsafeSeededRandom('elsewhere'));
    expect(checkJoinedGroup(pair, invitation({ chat: other }), bob.account)).toBe('wrong-group');
  });

  it('refuses a group in which the inviter’s signing device has no leaf', () => {
    const wrongDevice = invitation({ inviterDevice: bob.device.publicKey });
    expect(checkJoinedGroup(pair, wrongDevice, bob.account)).toBe('inviter-not-in-group');
  });

  it('refuses a pair that is not exactly the inviter and this account', () => {
    expect(checkJoinedGroup(solo, invitation({ kind: 'pair' }), bob.account)).toBe('not-a-pair');
    expect(checkJoinedGroup(solo, invitation(), bob.account)).toBeUndefined();
  });
});

describe('isPairOf', () => {
  it('is true only for a group of exactly the two accounts', () => {
    expect(isPairOf(pair, bob.account, alice.account)).toBe(true);
    expect(isPairOf(pair, alice.account, 'someone-else')).toBe(false);
    expect(isPairOf(solo, alice.account, bob.account)).toBe(false);
  });
});
