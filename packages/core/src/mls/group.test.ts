/**
 * A chat group's story through core's MLS operations (RFC 9420): alice creates the group, adds
 * bob from a checked KeyPackage, bob joins from the Welcome, they exchange application messages
 * that name their sender, and alice removes bob, who learns he was removed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { equalBytes, utf8 } from '../bytes.js';
import { createCryptoSuite } from '../crypto/suite.js';
import { newSharedTopic } from '../envelope/inbox.js';
import {
  createTestDirectory,
  unsafeTestMember,
  type TestMember,
} from '@parley/test-support/mls-members';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { decodeGroupMessage, processGroupMessage } from './group-message.js';
import {
  decodeGroupState,
  encodeGroupState,
  epochOf,
  groupIdOf,
  groupMembers,
  leavesOf,
  type GroupState,
} from './group-state.js';
import {
  commitChanges,
  createChatGroup,
  encryptApplicationMessage,
  joinChatGroup,
} from './group.js';
import { checkKeyPackage, generateKeyPackage, type GeneratedKeyPackage } from './key-package.js';
import { createAuthenticationService } from './member-credential.js';
import { createMlsContext, type MlsContext } from './mls-suite.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const topic = newSharedTopic(unsafeSeededRandom('group story topic'));

let mls: MlsContext;
let alice: TestMember;
let bob: TestMember;
let mallory: TestMember;

const deviceOf = (member: TestMember) => ({
  account: member.account,
  deviceSeed: member.deviceSeed,
  deviceKey: member.device,
});

beforeAll(async () => {
  alice = await unsafeTestMember(suite, 'alice');
  bob = await unsafeTestMember(suite, 'bob');
  mallory = await unsafeTestMember(suite, 'mallory');
  const directory = createTestDirectory();
  directory.certify(alice);
  directory.certify(bob);
  mls = await createMlsContext(createAuthenticationService(directory.devicesOf));
});

/** The data of an application message `to` receives, or the kind it got instead. */
async function receive(state: GroupState, message: Uint8Array) {
  const decoded = decodeGroupMessage(message);
  if (!decoded.ok) throw new Error(decoded.reason);
  return processGroupMessage(mls, state, decoded.value);
}

describe('a chat group through core', () => {
  let bobPackage: GeneratedKeyPackage;
  let aliceState: GroupState;
  let bobState: GroupState;

  it('creates a group of one on the chat topic at epoch 0', async () => {
    aliceState = await createChatGroup(mls, topic, await generateKeyPackage(mls, deviceOf(alice)));
    expect(equalBytes(groupIdOf(aliceState), topic)).toBe(true);
    expect(epochOf(aliceState)).toBe(0n);
    expect(groupMembers(aliceState).map((m) => m.account)).toEqual([alice.account]);
  });

  it('refuses a KeyPackage claimed for another account', async () => {
    const other = await generateKeyPackage(mls, deviceOf(mallory));
    expect(await checkKeyPackage(mls, other.bytes, bob.account)).toMatchObject({
      ok: false,
      reason: 'wrong-account',
    });
    expect(await checkKeyPackage(mls, utf8('not mls'), bob.account)).toMatchObject({
      ok: false,
      reason: 'not-a-key-package',
    });
  });

  it('adds bob in a Commit whose Welcome bob joins', async () => {
    bobPackage = await generateKeyPackage(mls, deviceOf(bob));
    const checked = await checkKeyPackage(mls, bobPackage.bytes, bob.account);
    if (!checked.ok) throw new Error(checked.reason);
    expect(equalBytes(checked.value.device, bob.device)).toBe(true);
    const commit = await commitChanges(mls, aliceState, [
      { kind: 'add', keyPackage: checked.value.keyPackage },
    ]);
    expect(commit.welcome).toBeDefined();
    aliceState = commit.newState;
    const joined = await joinChatGroup(mls, commit.welcome ?? new Uint8Array(), bobPackage);
    if (!joined.ok) throw new Error(joined.reason);
    bobState = joined.value;
    expect(epochOf(bobState)).toBe(1n);
    expect(
      groupMembers(bobState)
        .map((m) => m.account)
        .sort(),
    ).toEqual([alice.account, bob.account].sort());
  });

  it('refuses to join from bytes that are not a Welcome', async () => {
    expect(await joinChatGroup(mls, bobPackage.bytes, bobPackage)).toMatchObject({
      ok: false,
      reason: 'not-a-welcome',
    });
  });

  it('delivers an application message with the leaf that sent it', async () => {
    const sent = await encryptApplicationMessage(mls, aliceState, utf8('hello bob'));
    aliceState = sent.newState;
    const received = await receive(bobState, sent.message);
    if (received.kind !== 'application') throw new Error(received.kind);
    bobState = received.newState;
    expect(received.data).toEqual(utf8('hello bob'));
    expect(received.sender?.account).toBe(alice.account);
    expect(equalBytes(received.sender?.device ?? new Uint8Array(), alice.device)).toBe(true);
  });

  it('keeps working after the state is stored and read back', async () => {
    bobState = decodeGroupState(encodeGroupState(bobState), mls);
    const sent = await encryptApplicationMessage(mls, bobState, utf8('hi alice'));
    bobState = sent.newState;
    const received = await receive(aliceState, sent.message);
    expect(received.kind === 'application' && received.sender?.account).toBe(bob.account);
    if (received.kind === 'application') aliceState = received.newState;
  });

  it('removes bob, who processes the Commit as his removal', async () => {
    const [leaf] = leavesOf(aliceState, bob.account);
    expect(leaf).toBeDefined();
    const commit = await commitChanges(mls, aliceState, [
      { kind: 'remove', leaf: leaf?.index ?? -1 },
    ]);
    expect(commit.welcome).toBeUndefined();
    expect(groupMembers(commit.newState).map((m) => m.account)).toEqual([alice.account]);
    const received = await receive(bobState, commit.commit);
    expect(received).toMatchObject({ kind: 'handshake', removed: true });
  });

  it('reads a KeyPackage as not a PrivateMessage', () => {
    expect(decodeGroupMessage(bobPackage.bytes)).toMatchObject({
      ok: false,
      reason: 'not-private',
    });
  });
});
