/**
 * MLS group members for tests: a seeded Parley identity with one device key, its member
 * credential and KeyPackages, an in-memory directory behind the authentication service, and the
 * few ts-mls steps (create, add, send) that the relay tests need as MLSMessage bytes.
 */
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  type CiphersuiteImpl,
  type ClientState,
  type Credential,
  type KeyPackage,
  type PrivateKeyPackage,
} from 'ts-mls';
import {
  createAuthenticationService,
  generateIdentity,
  memberCredential,
  mlsClientConfig,
  type AccountId,
  type CryptoSuite,
  type DeviceLookup,
  type Identity,
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
  readonly credential: Credential;
}

/** A member whose keys all derive from `name` (predictable: tests only). */
export async function unsafeTestMember(suite: CryptoSuite, name: string): Promise<TestMember> {
  const identity = await generateIdentity(suite, unsafeSeededRandom(`identity of ${name}`));
  const deviceSeed = unsafeSeededRandom(`device of ${name}`)(32);
  const device = await suite.ed25519.publicKey(deviceSeed);
  return {
    name,
    identity,
    account: identity.accountId,
    deviceSeed,
    device,
    credential: memberCredential({ account: identity.accountId, device }),
  };
}

/** A KeyPackage and its private keys. */
export interface TestKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
}

/**
 * A fresh KeyPackage of the member's device, signed with the device key, carrying `credential`
 * (the member's own unless a test passes a forged one).
 */
export function generateMemberKeyPackage(
  mls: CiphersuiteImpl,
  member: TestMember,
  credential: Credential = member.credential,
): Promise<TestKeyPackage> {
  return generateKeyPackageWithKey(
    credential,
    defaultCapabilities(),
    defaultLifetime,
    [],
    { signKey: member.deviceSeed, publicKey: member.device },
    mls,
  );
}

/**
 * The MLSMessage bytes of a KeyPackage whose credential claims `claimed` (an account and a device
 * key) but that `signer` signs; `tamper` may edit its signature before it is encoded. For tests
 * that check forged KeyPackages are refused: nothing here checks that the claim is true.
 */
export async function unsafeForgedKeyPackage(
  mls: CiphersuiteImpl,
  claimed: { readonly account: AccountId; readonly device: Uint8Array },
  signer: { readonly seed: Uint8Array; readonly publicKey: Uint8Array },
  tamper: (signature: Uint8Array) => void = () => undefined,
): Promise<Uint8Array> {
  const generated = await generateKeyPackageWithKey(
    memberCredential(claimed),
    defaultCapabilities(),
    defaultLifetime,
    [],
    { signKey: signer.seed, publicKey: signer.publicKey },
    mls,
  );
  tamper(generated.publicPackage.signature);
  return encodeMlsMessage({
    version: 'mls10',
    wireformat: 'mls_key_package',
    keyPackage: generated.publicPackage,
  });
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

/** A group of one: `owner` creates it on `groupId` (epoch 0) with Parley's authentication service. */
export async function startTestGroup(
  mls: CiphersuiteImpl,
  owner: TestMember,
  groupId: Uint8Array,
  directory: TestDirectory,
): Promise<ClientState> {
  const keyPackage = await generateMemberKeyPackage(mls, owner);
  return createGroup(
    groupId,
    keyPackage.publicPackage,
    keyPackage.privatePackage,
    [],
    mls,
    mlsClientConfig(createAuthenticationService(directory.devicesOf)),
  );
}

/** Commits the Add of `keyPackages`; returns the committer's next state and the Commit's bytes. */
export async function commitAdding(
  mls: CiphersuiteImpl,
  state: ClientState,
  keyPackages: readonly KeyPackage[],
): Promise<{ newState: ClientState; commit: Uint8Array }> {
  const result = await createCommit(
    { state, cipherSuite: mls },
    {
      extraProposals: keyPackages.map((keyPackage) => ({
        proposalType: 'add' as const,
        add: { keyPackage },
      })),
      ratchetTreeExtension: true,
    },
  );
  return { newState: result.newState, commit: encodeMlsMessage(result.commit) };
}

/** Encrypts `text` as an application message; returns the sender's next state and the bytes. */
export async function sendApplicationMessage(
  mls: CiphersuiteImpl,
  state: ClientState,
  text: string,
): Promise<{ newState: ClientState; message: Uint8Array }> {
  const sent = await createApplicationMessage(state, new TextEncoder().encode(text), mls);
  return {
    newState: sent.newState,
    message: encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: sent.privateMessage,
    }),
  };
}
