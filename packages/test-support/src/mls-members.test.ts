/** MLS test members: forged KeyPackages lie the way they are told to, and groups move by epoch. */
import {
  checkKeyPackage,
  createCryptoSuite,
  epochOf,
  groupMembers,
  readMlsHeader,
  type MlsContext,
} from '@parley/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  claimMemberKeyPackage,
  commitAdding,
  createTestDirectory,
  createTestMlsContext,
  sendApplicationMessage,
  startTestGroup,
  unsafeForgedKeyPackage,
  unsafeTestMember,
  type TestMember,
} from './mls-members.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const groupId = new Uint8Array(32).fill(7);

let mls: MlsContext;
let alice: TestMember;
let bob: TestMember;

beforeAll(async () => {
  const directory = createTestDirectory();
  alice = await unsafeTestMember(suite, 'alice');
  bob = await unsafeTestMember(suite, 'bob');
  directory.certify(alice);
  directory.certify(bob);
  mls = await createTestMlsContext(directory);
});

describe('unsafeForgedKeyPackage', () => {
  it('with an honest claim and no tamper, gives a KeyPackage the check accepts', async () => {
    const own = { account: alice.account, device: alice.device };
    const bytes = await unsafeForgedKeyPackage(mls, own, {
      seed: alice.deviceSeed,
      publicKey: alice.device,
    });
    const checked = await checkKeyPackage(mls, bytes, alice.account);
    expect(checked.ok).toBe(true);
  });

  it('hands tamper the 64-byte signature, whose edit the check sees as bad-signature', async () => {
    const own = { account: alice.account, device: alice.device };
    let seen = 0;
    const bytes = await unsafeForgedKeyPackage(
      mls,
      own,
      { seed: alice.deviceSeed, publicKey: alice.device },
      (signature) => {
        seen = signature.length;
        signature[0] = (signature[0] ?? 0) ^ 0x01;
      },
    );
    expect(seen).toBe(64);
    const checked = await checkKeyPackage(mls, bytes, alice.account);
    expect(checked.ok || checked.reason).toBe('bad-signature');
  });
});

describe('a test group', () => {
  it('starts at epoch 0, adds a claimed KeyPackage in a Commit and sends in the next epoch', async () => {
    const epoch0 = await startTestGroup(mls, alice, groupId);
    expect(epochOf(epoch0)).toBe(0n);
    const added = await commitAdding(mls, epoch0, [await claimMemberKeyPackage(mls, bob)]);
    expect(readMlsHeader(added.commit)).toMatchObject({ epoch: 0n, contentType: 'commit' });
    expect(groupMembers(added.newState).map((member) => member.account)).toEqual([
      alice.account,
      bob.account,
    ]);
    const sent = await sendApplicationMessage(mls, added.newState, 'hi bob');
    expect(readMlsHeader(sent.message)).toMatchObject({ epoch: 1n, contentType: 'application' });
  });
});
