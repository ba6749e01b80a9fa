/**
 * MLS group members for tests: a seeded Parley identity with one device key, its KeyPackages, an
 * in-memory directory behind the authentication service, and the few group steps (create, add,
 * send) that the relay tests need as MLSMessage bytes — all through @parley/core's MLS functions.
 */
import {
  checkKeyPackage,
  commitChanges,
  createAuthenticationService,
  createChatGroup,
  createMlsContext,
  decodeMls,
  encryptApplicationMessage,
  equalBytes,
  generateIdentity,
  generateKeyPackage,
  unsafeForgeKeyPackage,
  utf8,
  type AccountId,
  type CheckedKeyPackage,
  type CryptoSuite,
  type DeviceLookup,
  type GeneratedKeyPackage,
  type GroupState,
  type Identity,
  type MemberIdentity,
  type MlsContext,
} from '@parley/core';
import { unsafeSeededRandom } from './seeded-random.js';

/** A person with an account (identity) and one device whose key signs MLS and chat entries. */
export interface TestMember {
  readonly name: string;
  readonly identity: Identity;
  readonly account: AccountId;
  /** The device's Ed25519 seed: the MLS signature private key and the chat-entry signing key. */
  readonly deviceSeed: Uint8Array;
  readonly device: Uint8Array;
}

/** A member whose keys all derive from `name` (predictable: tests only). */
export async function unsafeTestMember(suite: CryptoSuite, name: string): Promise<TestMember> {
  const identity = await generateIdentity(suite, unsafeSeededRandom(`identity of ${name}`));
  const deviceSeed = unsafeSeededRandom(`device of ${name}`)(32);
  const device = await suite.ed25519.publicKey(deviceSeed);
  return { name, identity, account: identity.accountId, deviceSeed, device };
}

/** A fresh KeyPackage of the member's device, signed with the device key (core's `generateKeyPackage`). */
export function generateMemberKeyPackage(
  mls: MlsContext,
  member: TestMember,
): Promise<GeneratedKeyPackage> {
  return generateKeyPackage(mls, {
    account: member.account,
    deviceSeed: member.deviceSeed,
    deviceKey: member.device,
  });
}

/**
 * A fresh KeyPackage of the member's device, checked as a committer checks one it claimed from
 * the directory: what `commitAdding` adds.
 * @throws Error if core's `checkKeyPackage` refuses it (it never does for a test member)
 */
export async function claimMemberKeyPackage(
  mls: MlsContext,
  member: TestMember,
): Promise<CheckedKeyPackage> {
  const generated = await generateMemberKeyPackage(mls, member);
  const checked = await checkKeyPackage(mls, generated.bytes, member.account);
  if (!checked.ok) throw new Error(`${member.name}'s KeyPackage refused: ${checked.reason}`);
  return checked.value.keyPackage;
}

/** An Ed25519 key pair that signs a KeyPackage: the seed and its public key. */
export interface KeyPackageSigner {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * The MLSMessage bytes of a KeyPackage whose credential claims `claimed` (an account and a device
 * key) but that `signer` signs; `tamper` may edit its signature before it is returned. For tests
 * that check forged KeyPackages are refused: nothing here checks that the claim is true.
 * @throws Error if the encoding does not end in the KeyPackage's signature (it always does)
 */
export async function unsafeForgedKeyPackage(
  mls: MlsContext,
  claimed: MemberIdentity,
  signer: KeyPackageSigner,
  tamper: (signature: Uint8Array) => void = () => undefined,
): Promise<Uint8Array> {
  const { bytes } = await unsafeForgeKeyPackage(mls, claimed, signer);
  // A KeyPackage MLSMessage ends with the KeyPackage's signature (RFC 9420 §6, §10), of fixed
  // length: editing those bytes in place is editing the signature field.
  const message = decodeMls(bytes);
  if (message.wireformat !== 'mls_key_package') throw new Error('expected a KeyPackage');
  const signature = bytes.subarray(bytes.length - message.keyPackage.signature.length);
  if (!equalBytes(signature, message.keyPackage.signature)) {
    throw new Error('a KeyPackage MLSMessage must end with its signature');
  }
  tamper(signature);
  return bytes;
}

/** An in-memory directory: which device keys each account certifies. */
export interface TestDirectory {
  readonly devicesOf: DeviceLookup;
  /** Records the member's device under its account. */
  certify(member: TestMember): void;
  /** Accounts looked up so far, in order. */
  readonly lookups: AccountId[];
}

/** A directory that starts empty. */
export function createTestDirectory(): TestDirectory {
  const devices = new Map<AccountId, Uint8Array[]>();
  const lookups: AccountId[] = [];
  return {
    devicesOf(account) {
      lookups.push(account);
      return Promise.resolve(devices.get(account));
    },
    certify(member) {
      devices.set(member.account, [...(devices.get(member.account) ?? []), member.device]);
    },
    lookups,
  };
}

/** The MLS context of a member whose authentication service asks `directory` (ciphersuite 1). */
export function createTestMlsContext(directory: TestDirectory): Promise<MlsContext> {
  return createMlsContext(createAuthenticationService(directory.devicesOf));
}

/** A group of one: `owner` creates it on `groupId` (epoch 0) with a fresh KeyPackage. */
export async function startTestGroup(
  mls: MlsContext,
  owner: TestMember,
  groupId: Uint8Array,
): Promise<GroupState> {
  return createChatGroup(mls, groupId, await generateMemberKeyPackage(mls, owner));
}

/** Commits the Add of `keyPackages`; returns the committer's next state and the Commit's bytes. */
export async function commitAdding(
  mls: MlsContext,
  state: GroupState,
  keyPackages: readonly CheckedKeyPackage[],
): Promise<{ newState: GroupState; commit: Uint8Array }> {
  const result = await commitChanges(
    mls,
    state,
    keyPackages.map((keyPackage) => ({ kind: 'add' as const, keyPackage })),
  );
  return { newState: result.newState, commit: result.commit };
}

/** Encrypts `text` as an application message; returns the sender's next state and the bytes. */
export function sendApplicationMessage(
  mls: MlsContext,
  state: GroupState,
  text: string,
): Promise<{ readonly newState: GroupState; readonly message: Uint8Array }> {
  return encryptApplicationMessage(mls, state, utf8(text));
}
