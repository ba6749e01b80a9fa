/**
 * Membership changes as Commit changes (a fake committer runs them against a real MLS state):
 * adds claim one KeyPackage per account, once; removes name the account's leaves.
 */
import {
  leavesOf,
  sha256,
  toHex,
  type DeviceCertificate,
  type GroupChange,
  type GroupState,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { Invitee } from '../chats/invitations.js';
import type { ClaimedKeyPackage } from '../directory/claims.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import {
  checkedKeyPackageOf,
  mlsFor,
  saveTestChat,
  testDevice,
} from '../../test/support/unit-fixtures.js';
import type { ChangesFor } from './committer.js';
import { Membership } from './membership.js';

/** A committer that builds the changes twice (as after a lost race) and records both builds. */
function fakeCommitter(state: GroupState) {
  const built: GroupChange[][] = [];
  let invitees: Invitee[] | undefined;
  return {
    built,
    invitees: () => invitees,
    committer: {
      commit: async (_id: string, changesFor: ChangesFor, inviteesOf?: () => Invitee[]) => {
        built.push(await changesFor(state));
        built.push(await changesFor(state));
        invitees = inviteesOf?.();
      },
    },
  };
}

const CERTIFIED: DeviceCertificate[] = [
  {
    deviceKey: new Uint8Array(32),
    hpkeKey: new Uint8Array(32),
    createdAt: 0,
    signature: new Uint8Array(64),
  },
];

async function setUp() {
  const alice = await testDevice('alice');
  const bob = await testDevice('bob');
  const carol = await testDevice('carol');
  const mls = await mlsFor([alice, bob, carol]);
  const chat = await saveTestChat(openMemoryClientStore(), mls, alice, [bob]);
  const carolPackage = await checkedKeyPackageOf(mls, carol);
  const claimed: ClaimedKeyPackage = {
    keyPackage: carolPackage.checked,
    bytes: carolPackage.generated.bytes,
    hpkeKey: carol.device.hpkePublicKey,
  };
  return { alice, bob, carol, chat, claimed };
}

describe('Membership.add', () => {
  it('claims one KeyPackage per account once, however often the Commit is rebuilt', async () => {
    const { carol, chat, claimed } = await setUp();
    const fake = fakeCommitter(chat.state);
    const claims: string[] = [];
    const membership = new Membership({
      committer: fake.committer,
      lookup: { devicesOf: () => Promise.resolve(CERTIFIED) },
      claim: (account) => {
        claims.push(account);
        return Promise.resolve(claimed);
      },
    });
    await membership.add(chat.record.id, [carol.account]);
    expect(claims).toEqual([carol.account]);
    expect(fake.built).toEqual([
      [{ kind: 'add', keyPackage: claimed.keyPackage }],
      [{ kind: 'add', keyPackage: claimed.keyPackage }],
    ]);
    expect(fake.invitees()).toEqual([
      { account: carol.account, keyPackageHash: sha256(claimed.bytes), hpkeKey: claimed.hpkeKey },
    ]);
  });

  it('refuses an account without a directory entry before committing (CLIENT_NOT_REGISTERED)', async () => {
    const { carol, chat, claimed } = await setUp();
    const fake = fakeCommitter(chat.state);
    const membership = new Membership({
      committer: fake.committer,
      lookup: { devicesOf: () => Promise.resolve(undefined) },
      claim: () => Promise.resolve(claimed),
    });
    await expect(membership.add(chat.record.id, [carol.account])).rejects.toMatchObject({
      code: 'CLIENT_NOT_REGISTERED',
    });
    expect(fake.built).toEqual([]);
  });

  it('refuses an account already in the group without claiming (CLIENT_ALREADY_MEMBER)', async () => {
    const { bob, chat, claimed } = await setUp();
    const claims: string[] = [];
    const membership = new Membership({
      committer: fakeCommitter(chat.state).committer,
      lookup: { devicesOf: () => Promise.resolve(CERTIFIED) },
      claim: (account) => {
        claims.push(account);
        return Promise.resolve(claimed);
      },
    });
    await expect(membership.add(chat.record.id, [bob.account])).rejects.toMatchObject({
      code: 'CLIENT_ALREADY_MEMBER',
    });
    expect(claims).toEqual([]);
  });
});

describe('Membership.remove', () => {
  it('removes every leaf of the account', async () => {
    const { bob, chat } = await setUp();
    const fake = fakeCommitter(chat.state);
    const membership = new Membership({
      committer: fake.committer,
      lookup: { devicesOf: () => Promise.resolve(CERTIFIED) },
      claim: () => Promise.reject(new Error('no claim on remove')),
    });
    await membership.remove(chat.record.id, bob.account, { strict: true });
    expect(fake.built[0]).toEqual([{ kind: 'remove', leaf: 1 }]);
  });

  it('removes only the listed leaves of a leave request, and nothing if none is left', async () => {
    const { bob, chat } = await setUp();
    const fake = fakeCommitter(chat.state);
    const membership = new Membership({
      committer: fake.committer,
      lookup: { devicesOf: () => Promise.resolve(CERTIFIED) },
      claim: () => Promise.reject(new Error('no claim on remove')),
    });
    const [bobsLeaf] = leavesOf(chat.state, bob.account);
    if (bobsLeaf === undefined) throw new Error('bob has no leaf');
    await membership.remove(chat.record.id, bob.account, {
      strict: false,
      onlyLeaves: new Set([toHex(bobsLeaf.hpkeKey)]),
    });
    // A leaf replaced since the request (another HPKE key) is not the one that asked.
    await membership.remove(chat.record.id, bob.account, {
      strict: false,
      onlyLeaves: new Set(['00'.repeat(32)]),
    });
    expect(fake.built).toEqual([
      [{ kind: 'remove', leaf: bobsLeaf.index }],
      [{ kind: 'remove', leaf: bobsLeaf.index }],
      [],
      [],
    ]);
  });

  it('is an error for an account with no leaf only when strict (CLIENT_MEMBER_NOT_FOUND)', async () => {
    const { carol, chat } = await setUp();
    const membership = new Membership({
      committer: fakeCommitter(chat.state).committer,
      lookup: { devicesOf: () => Promise.resolve(CERTIFIED) },
      claim: () => Promise.reject(new Error('no claim on remove')),
    });
    await expect(
      membership.remove(chat.record.id, carol.account, { strict: true }),
    ).rejects.toMatchObject({ code: 'CLIENT_MEMBER_NOT_FOUND' });
    await expect(
      membership.remove(chat.record.id, carol.account, { strict: false }),
    ).resolves.toBeUndefined();
  });
});
