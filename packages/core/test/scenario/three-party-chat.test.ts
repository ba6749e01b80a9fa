/**
 * A three-party chat told as a protocol story, with ts-mls and Parley's pieces only (no relay):
 * alice creates a group on a shared topic, invites bob (his Welcome sealed to his inbox), bob
 * adds carol, they exchange signed chat entries inside MLS application messages, a device the
 * directory does not certify is refused, and alice removes bob.
 *
 * The steps share state and run in order; each one names what it shows.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  defaultAuthenticationService,
  emptyPskIndex,
  encodeMlsMessage,
  joinGroup,
  processPrivateMessage,
  type CiphersuiteImpl,
  type ClientConfig,
  type ClientState,
  type PrivateMessage,
} from 'ts-mls';
import { CryptoError, UsageError, ValidationError } from 'ts-mls/mlsError.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { equalBytes, utf8 } from '../../src/bytes.js';
import { createCryptoSuite } from '../../src/crypto/suite.js';
import { inboxTopic, newSharedTopic } from '../../src/envelope/inbox.js';
import type { AccountId } from '../../src/identity/account-id.js';
import {
  createChatEntry,
  entryHash,
  openChatEntry,
  type ChatEntry,
} from '../../src/mls/chat-entry.js';
import { openInvitation, sealInvitation } from '../../src/mls/invitation.js';
import { readMemberCredential, type MemberIdentity } from '../../src/mls/member-credential.js';
import { decodeMls, readMlsHeader } from '../../src/mls/mls-header.js';
import { mlsClientConfig, type MlsContext } from '../../src/mls/mls-suite.js';
import {
  createTestDirectory,
  createTestMlsContext,
  generateMemberKeyPackage,
  unsafeForgedKeyPackage,
  unsafeTestMember,
  type TestDirectory,
  type TestMember,
} from '@parley/test-support/mls-members';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { keyPackageOf } from '../support/key-package.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const random = unsafeSeededRandom('three-party chat');
const chat = newSharedTopic(random);
const SENT_AT = 1_767_225_600_000;

/** Each member's MLS context: ciphersuite 1 and the authentication service over `directory`. */
let context: MlsContext;
let mls: CiphersuiteImpl;
let directory: TestDirectory;
let config: ClientConfig;
let alice: TestMember;
let bob: TestMember;
let carol: TestMember;
/** Not in the directory. */
let mallory: TestMember;

// Each member's current group state, as the story goes on.
let a: ClientState;
let b: ClientState;
let c: ClientState;
/** Bob's state from just before he processed his removal. */
let bobBeforeRemoval: ClientState;
/** Bob's state after processing his removal. */
let bobRemoved: ClientState;

beforeAll(async () => {
  directory = createTestDirectory();
  context = await createTestMlsContext(directory);
  ({ cipherSuite: mls, config } = context);
  alice = await unsafeTestMember(suite, 'alice');
  bob = await unsafeTestMember(suite, 'bob');
  carol = await unsafeTestMember(suite, 'carol');
  mallory = await unsafeTestMember(suite, 'mallory');
  for (const member of [alice, bob, carol]) directory.certify(member);
});

/** Who the leaves of the member's current ratchet tree are. */
function membersOf(state: ClientState): MemberIdentity[] {
  const members: MemberIdentity[] = [];
  for (const node of state.ratchetTree) {
    if (node?.nodeType === 'leaf') members.push(readMemberCredential(node.leaf.credential));
  }
  return members;
}

/** The accounts of the current members, in leaf order. */
function accountsOf(state: ClientState): AccountId[] {
  return membersOf(state).map((member) => member.account);
}

/** The leaf index of `member` in `state`'s tree. */
function leafIndexOf(state: ClientState, member: TestMember): number {
  const index = state.ratchetTree.findIndex(
    (node) =>
      node?.nodeType === 'leaf' &&
      readMemberCredential(node.leaf.credential).account === member.account,
  );
  if (index < 0) throw new Error(`${member.name} is not a member`);
  return index / 2;
}

/** The PrivateMessage in MLSMessage bytes; throws for any other wire format. */
function privateMessageOf(bytes: Uint8Array): PrivateMessage {
  const message = decodeMls(bytes);
  if (message.wireformat !== 'mls_private_message') {
    throw new Error(`expected a PrivateMessage, got ${message.wireformat}`);
  }
  return message.privateMessage;
}

/** The hash of each device's last signed entry (by member name), for the next entry's `prev`. */
const lastEntryOf = new Map<string, Uint8Array>();

/** Signs a chat entry with the sender's device and sends it as an application message. */
async function send(
  state: ClientState,
  sender: TestMember,
  n: number,
  text: string,
  author: AccountId = sender.account,
): Promise<{ newState: ClientState; wire: Uint8Array }> {
  // A later entry whose predecessor this story never signed links to a stand-in hash.
  const prev = n === 1 ? null : (lastEntryOf.get(sender.name) ?? entryHash(utf8('not sent')));
  const { bytes, hash } = await createChatEntry(suite, sender.deviceSeed, {
    chat,
    author,
    device: sender.device,
    n,
    prev,
    heads: [],
    sentAt: SENT_AT + n,
    body: { type: 'text', text },
    checkpoint: null,
  });
  lastEntryOf.set(sender.name, hash);
  const sent = await createApplicationMessage(state, bytes, mls);
  return {
    newState: sent.newState,
    wire: encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: sent.privateMessage,
    }),
  };
}

/** What a receiver makes of an application message. */
type Received =
  | { readonly newState: ClientState; readonly entry: ChatEntry }
  | { readonly newState: ClientState; readonly refused: string };

/**
 * Decrypts an application message, opens the chat entry in it and accepts it only if its
 * (author, device) pair is a leaf of the receiver's current tree.
 */
async function receive(state: ClientState, wire: Uint8Array): Promise<Received> {
  const processed = await processPrivateMessage(state, privateMessageOf(wire), emptyPskIndex, mls);
  if (processed.kind !== 'applicationMessage') throw new Error('expected an application message');
  const opened = await openChatEntry(suite, processed.message, chat);
  if (!opened.ok) return { newState: processed.newState, refused: opened.reason };
  const entry = opened.value;
  const isMember = membersOf(processed.newState).some(
    (member) => member.account === entry.author && equalBytes(member.device, entry.device),
  );
  return isMember
    ? { newState: processed.newState, entry }
    : { newState: processed.newState, refused: 'not-a-member' };
}

/**
 * Expects the authentication service's refusal. ts-mls errors carry no codes, so the message is
 * the only thing that tells this check from the others that throw a ValidationError.
 */
async function expectCredentialRefused(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as Error).message).toBe('Could not validate credential');
}

/** The text of an accepted entry; throws if it was refused. */
function textOf(received: Received): string {
  if (!('entry' in received)) throw new Error(`refused: ${received.refused}`);
  return received.entry.body.type === 'text' ? received.entry.body.text : '';
}

describe('a three-party chat over MLS with Parley credentials', () => {
  it('alice creates the chat: an MLS group whose id is a fresh shared topic, at epoch 0', async () => {
    const kp = await generateMemberKeyPackage(context, alice);
    a = await createGroup(chat, keyPackageOf(kp.bytes), kp.secrets, [], mls, config);
    expect(a.groupContext.groupId).toEqual(chat);
    expect(chat[0]).toBe(0x00);
    expect(a.groupContext.epoch).toBe(0n);
    expect(membersOf(a)).toEqual([{ account: alice.account, device: alice.device }]);
  });

  it('alice adds bob from his published KeyPackage and he joins from the Welcome sealed to his inbox', async () => {
    // The MLSMessage bytes of bob's KeyPackage, as he publishes them in the directory.
    const bobKp = await generateMemberKeyPackage(context, bob);
    const published = bobKp.bytes;
    directory.lookups.length = 0;

    // Alice fetches bob's KeyPackage, commits his Add and keeps the Welcome's ratchet tree.
    const fetched = decodeMls(published);
    if (fetched.wireformat !== 'mls_key_package') throw new Error('expected a KeyPackage');
    const add = await createCommit(
      { state: a, cipherSuite: mls },
      {
        extraProposals: [{ proposalType: 'add', add: { keyPackage: fetched.keyPackage } }],
        ratchetTreeExtension: true,
      },
    );
    expect(directory.lookups).toEqual([bob.account]);
    expect(readMlsHeader(encodeMlsMessage(add.commit))).toEqual({
      wireformat: 'mls_private_message',
      groupId: chat,
      epoch: 0n,
      contentType: 'commit',
    });
    if (add.welcome === undefined) throw new Error('an Add must give a Welcome');
    a = add.newState;

    const inbox = inboxTopic(bob.account);
    const sealed = await sealInvitation(
      suite,
      {
        chat,
        kind: 'group',
        name: 'Lunch',
        inviter: alice.account,
        inviterDevice: alice.device,
        invitee: bob.account,
        keyPackageHash: sha256(published),
        welcome: encodeMlsMessage({
          version: 'mls10',
          wireformat: 'mls_welcome',
          welcome: add.welcome,
        }),
        since: 1,
        sentAt: SENT_AT,
      },
      alice.deviceSeed,
      bob.identity.hpkePublicKey,
      inbox,
      random,
    );

    // Bob opens what arrived in his inbox (signed by alice's device) and joins with the
    // KeyPackage it names.
    const opened = await openInvitation(
      suite,
      sealed,
      bob.identity.secrets.hpkePrivateKey,
      inbox,
      bob.account,
    );
    if (!opened.ok) throw new Error(`invitation refused: ${opened.reason}`);
    const invitation = opened.value;
    expect(invitation.inviter).toBe(alice.account);
    expect(invitation.inviterDevice).toEqual(alice.device);
    expect(invitation.keyPackageHash).toEqual(sha256(published));
    const welcome = decodeMls(invitation.welcome);
    if (welcome.wireformat !== 'mls_welcome') throw new Error('expected a Welcome');
    directory.lookups.length = 0;
    b = await joinGroup(
      welcome.welcome,
      keyPackageOf(bobKp.bytes),
      bobKp.secrets,
      emptyPskIndex,
      mls,
      undefined,
      undefined,
      config,
    );
    // Joining checks every leaf of the tree it received (and the GroupInfo's signer).
    expect(new Set(directory.lookups)).toEqual(new Set([alice.account, bob.account]));

    expect(b.groupContext.groupId).toEqual(chat);
    expect(b.groupContext.epoch).toBe(1n);
    expect(a.groupContext.epoch).toBe(1n);
    expect(b.keySchedule.epochAuthenticator).toEqual(a.keySchedule.epochAuthenticator);
    expect(accountsOf(b)).toEqual([alice.account, bob.account]);
  });

  it('bob adds carol; alice processes his Commit and carol joins, all three at epoch 2', async () => {
    const carolKp = await generateMemberKeyPackage(context, carol);
    const add = await createCommit(
      { state: b, cipherSuite: mls },
      {
        extraProposals: [{ proposalType: 'add', add: { keyPackage: keyPackageOf(carolKp.bytes) } }],
        ratchetTreeExtension: true,
      },
    );
    if (add.welcome === undefined) throw new Error('an Add must give a Welcome');
    b = add.newState;
    const commitWire = encodeMlsMessage(add.commit);
    expect(readMlsHeader(commitWire)).toMatchObject({ epoch: 1n, contentType: 'commit' });

    const processed = await processPrivateMessage(
      a,
      privateMessageOf(commitWire),
      emptyPskIndex,
      mls,
    );
    expect(processed.kind).toBe('newState');
    a = processed.newState;
    c = await joinGroup(
      add.welcome,
      keyPackageOf(carolKp.bytes),
      carolKp.secrets,
      emptyPskIndex,
      mls,
      undefined,
      undefined,
      config,
    );

    for (const state of [a, b, c]) {
      expect(state.groupContext.epoch).toBe(2n);
      expect(state.keySchedule.epochAuthenticator).toEqual(a.keySchedule.epochAuthenticator);
      expect(accountsOf(state)).toEqual([alice.account, bob.account, carol.account]);
    }
  });

  it('entries sent as application messages are opened by the others and attributed to their author’s device', async () => {
    const fromAlice = await send(a, alice, 1, 'hi both');
    a = fromAlice.newState;
    expect(readMlsHeader(fromAlice.wire)).toMatchObject({ epoch: 2n, contentType: 'application' });

    const atBob = await receive(b, fromAlice.wire);
    b = atBob.newState;
    const atCarol = await receive(c, fromAlice.wire);
    c = atCarol.newState;
    expect(textOf(atBob)).toBe('hi both');
    expect(textOf(atCarol)).toBe('hi both');
    expect('entry' in atCarol && [atCarol.entry.author, atCarol.entry.device]).toEqual([
      alice.account,
      alice.device,
    ]);

    const fromCarol = await send(c, carol, 1, 'hello!');
    c = fromCarol.newState;
    const carolAtAlice = await receive(a, fromCarol.wire);
    a = carolAtAlice.newState;
    const carolAtBob = await receive(b, fromCarol.wire);
    b = carolAtBob.newState;
    expect([textOf(carolAtAlice), textOf(carolAtBob)]).toEqual(['hello!', 'hello!']);
  });

  it('refuses an entry carol signs with her own device but attributes to alice: no leaf pairs them', async () => {
    const forged = await send(c, carol, 2, 'alice here, honest', alice.account);
    c = forged.newState;
    const atBob = await receive(b, forged.wire);
    b = atBob.newState;
    expect(atBob).toMatchObject({ refused: 'not-a-member' });
  });

  it('refuses to add a device the directory does not certify: createCommit throws and the state stays usable', async () => {
    const uncertified = (await generateMemberKeyPackage(context, mallory)).bytes;
    const malloryKey = { seed: mallory.deviceSeed, publicKey: mallory.device };
    // Mallory's device under bob's account: bob's directory entry does not list it.
    const claimsBob = await unsafeForgedKeyPackage(
      context,
      { account: bob.account, device: mallory.device },
      malloryKey,
    );
    // Bob's credential, word for word, on a KeyPackage signed by mallory's key.
    const stolenCredential = await unsafeForgedKeyPackage(
      context,
      { account: bob.account, device: bob.device },
      malloryKey,
    );

    for (const bytes of [uncertified, claimsBob, stolenCredential]) {
      const keyPackage = keyPackageOf(bytes);
      await expectCredentialRefused(
        createCommit(
          { state: a, cipherSuite: mls },
          { extraProposals: [{ proposalType: 'add', add: { keyPackage } }] },
        ),
      );
    }
    expect(a.groupContext.epoch).toBe(2n);
    expect(accountsOf(a)).toEqual([alice.account, bob.account, carol.account]);
  });

  it('refuses, as a receiver, a Commit whose committer skipped the directory check', async () => {
    const uncertified = keyPackageOf((await generateMemberKeyPackage(context, mallory)).bytes);
    const lax: ClientState = { ...a, clientConfig: mlsClientConfig(defaultAuthenticationService) };
    const sneaky = await createCommit(
      { state: lax, cipherSuite: mls },
      { extraProposals: [{ proposalType: 'add', add: { keyPackage: uncertified } }] },
    );
    await expectCredentialRefused(
      processPrivateMessage(
        c,
        privateMessageOf(encodeMlsMessage(sneaky.commit)),
        emptyPskIndex,
        mls,
      ),
    );
    expect(c.groupContext.epoch).toBe(2n);
  });

  it('alice removes bob: carol follows, bob sees he was removed and can neither read nor send', async () => {
    const remove = await createCommit(
      { state: a, cipherSuite: mls },
      { extraProposals: [{ proposalType: 'remove', remove: { removed: leafIndexOf(a, bob) } }] },
    );
    expect(remove.welcome).toBeUndefined();
    a = remove.newState;
    const commit = privateMessageOf(encodeMlsMessage(remove.commit));

    const atCarol = await processPrivateMessage(c, commit, emptyPskIndex, mls);
    c = atCarol.newState;
    bobBeforeRemoval = b;
    bobRemoved = (await processPrivateMessage(b, commit, emptyPskIndex, mls)).newState;
    expect(bobRemoved.groupActiveState).toEqual({ kind: 'removedFromGroup' });
    expect(bobRemoved.groupContext.epoch).toBe(2n);
    expect(accountsOf(a)).toEqual([alice.account, carol.account]);
    expect(accountsOf(c)).toEqual([alice.account, carol.account]);

    const next = await send(a, alice, 2, 'bob is gone');
    a = next.newState;
    const nextAtCarol = await receive(c, next.wire);
    c = nextAtCarol.newState;
    expect(textOf(nextAtCarol)).toBe('bob is gone');
    await expect(receive(bobRemoved, next.wire)).rejects.toBeInstanceOf(CryptoError);
    await expect(receive(bobBeforeRemoval, next.wire)).rejects.toBeInstanceOf(CryptoError);
    await expect(send(bobRemoved, bob, 2, 'still here?')).rejects.toBeInstanceOf(UsageError);
  });

  it('refuses an entry bob sends from his pre-removal state: it still decrypts, but bob is no longer a leaf', async () => {
    // Carol keeps the previous epochs' receiver keys (retainKeysForEpochs), so MLS alone lets
    // this late epoch-2 message through; the membership check on the current tree stops it.
    const late = await send(bobBeforeRemoval, bob, 2, 'I was never removed');
    expect(readMlsHeader(late.wire)).toMatchObject({ epoch: 2n, contentType: 'application' });
    const atCarol = await receive(c, late.wire);
    c = atCarol.newState;
    expect(atCarol).toMatchObject({ refused: 'not-a-member' });
  });

  it('leaves alice and carol at the same epoch, epoch authenticator and members', () => {
    expect(a.groupContext.epoch).toBe(3n);
    expect(c.groupContext.epoch).toBe(3n);
    expect(c.keySchedule.epochAuthenticator).toEqual(a.keySchedule.epochAuthenticator);
    expect(c.groupContext.treeHash).toEqual(a.groupContext.treeHash);
    expect(membersOf(c)).toEqual(membersOf(a));
    expect(bobRemoved.keySchedule.epochAuthenticator).not.toEqual(a.keySchedule.epochAuthenticator);
  });
});
