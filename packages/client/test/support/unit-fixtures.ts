/**
 * What the SDK's unit tests build their services from: a fake clock, seeded devices with real
 * keys, an MLS context whose authentication service knows those devices, real MLS chats saved in
 * an in-memory ClientStore, relay receipts and the relay's refusals as ClientErrors.
 */
import {
  checkKeyPackage,
  commitChanges,
  createAuthenticationService,
  createChatGroup,
  createCryptoSuite,
  createMlsContext,
  generateIdentity,
  generateKeyPackage,
  joinChatGroup,
  newSharedTopic,
  type AccountId,
  type GroupState,
  type Identity,
  type MlsContext,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { chatIdOf, encodeState, saveChat, type ChatRecord } from '../../src/chats/records.js';
import { loadDeviceKeys, type DeviceKeys } from '../../src/device/device-keys.js';
import { ClientError } from '../../src/errors.js';
import type { ClientEvents, Emit } from '../../src/events.js';
import type { Receipt } from '../../src/relay/relay-api.js';
import type { ClientStore } from '../../src/store/client-store.js';
import { openMemoryClientStore } from '../../src/store/memory-client-store.js';

/** The crypto suite of the unit tests (Node's WebCrypto). */
export const suite = createCryptoSuite(globalThis.crypto.subtle);

/** A clock that moves only when told. */
export interface FakeClock {
  (): number;
  advance(ms: number): void;
}

/** A fake clock starting at `start` (ms since the epoch). */
export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  const clock = (() => now) as FakeClock;
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

/** One account with one device, all keys derived from its name. */
export interface TestDevice {
  readonly name: string;
  readonly identity: Identity;
  readonly account: AccountId;
  readonly device: DeviceKeys;
}

/** A device whose identity and keys derive from `name` (predictable: tests only). */
export async function testDevice(name: string): Promise<TestDevice> {
  const identity = await generateIdentity(suite, unsafeSeededRandom(`identity of ${name}`));
  const device = await loadDeviceKeys(
    openMemoryClientStore(),
    suite,
    unsafeSeededRandom(`device of ${name}`),
  );
  return { name, identity, account: identity.accountId, device };
}

/** An MLS context whose authentication service certifies exactly the given devices. */
export function mlsFor(devices: readonly TestDevice[]): Promise<MlsContext> {
  return createMlsContext(
    createAuthenticationService((account) => {
      const keys = devices.filter((d) => d.account === account).map((d) => d.device.publicKey);
      return Promise.resolve(keys.length === 0 ? undefined : keys);
    }),
  );
}

/** A KeyPackage of `member`'s device, checked as a claim would be. */
export async function checkedKeyPackageOf(mls: MlsContext, member: TestDevice) {
  const generated = await generateKeyPackage(mls, {
    account: member.account,
    deviceSeed: member.device.seed,
    deviceKey: member.device.publicKey,
  });
  const checked = await checkKeyPackage(mls, generated.bytes, member.account);
  if (!checked.ok) throw new Error(`own KeyPackage refused: ${checked.reason}`);
  return { generated, checked: checked.value.keyPackage };
}

/** A real MLS chat of `owner` with `others` added, and the others' joined states. */
export interface TestChat {
  readonly record: ChatRecord;
  readonly state: GroupState;
  readonly joined: ReadonlyMap<string, GroupState>;
}

/**
 * Creates `owner`'s group chat with `others` in its first Commit and saves it, active, in `store`
 * (as if the Commit had been ordered: seq 1). The others join through the Welcome.
 */
export async function saveTestChat(
  store: ClientStore,
  mls: MlsContext,
  owner: TestDevice,
  others: readonly TestDevice[] = [],
  seed = `topic of ${owner.name}`,
): Promise<TestChat> {
  const topic = newSharedTopic(unsafeSeededRandom(seed));
  const own = await checkedKeyPackageOf(mls, owner);
  let state = await createChatGroup(mls, topic, own.generated);
  const joined = new Map<string, GroupState>();
  if (others.length > 0) {
    const packages = await Promise.all(others.map((other) => checkedKeyPackageOf(mls, other)));
    const commit = await commitChanges(
      mls,
      state,
      packages.map((p) => ({ kind: 'add' as const, keyPackage: p.checked })),
    );
    state = commit.newState;
    if (commit.welcome === undefined) throw new Error('no Welcome');
    for (const [index, other] of others.entries()) {
      const package_ = packages[index];
      if (package_ === undefined) continue;
      const join = await joinChatGroup(mls, commit.welcome, package_.generated);
      if (!join.ok) throw new Error(`join refused: ${join.reason}`);
      joined.set(other.account, join.value);
    }
  }
  const record: ChatRecord = {
    id: chatIdOf(topic),
    topic,
    kind: 'group',
    name: 'test chat',
    state: encodeState(state),
    lastSeq: others.length > 0 ? 1 : 0,
    counter: 0,
    prev: null,
    heads: [],
    chains: {},
    status: 'active',
    createdAt: 1_700_000_000_000,
  };
  await saveChat(store, record);
  return { record, state, joined };
}

/** A receipt as the relay would sign it for `cid` at `seq` (the signature is not checked here). */
export function receiptFor(cid: string, seq: number, topic = 'topic'): Receipt {
  return {
    cid,
    topic,
    seq,
    receivedAt: 1_700_000_000_000 + seq,
    leafIndex: seq - 1,
    mergeBy: 1_700_000_060_000,
    signature: 'sig',
    duplicate: false,
  };
}

/** The ClientError the relay API throws when the relay refuses with `relayCode` and `status`. */
export function refusal(relayCode: string, status: number): ClientError {
  return new ClientError('CLIENT_RELAY_REFUSED', `(${relayCode})`, { relayCode, status });
}

/** A recorded event. */
export type Recorded = {
  [K in keyof ClientEvents]: { event: K; payload: ClientEvents[K] };
}[keyof ClientEvents];

/** An `Emit` that records every event, in order. */
export function recordingEmit(): { emit: Emit; events: Recorded[] } {
  const events: Recorded[] = [];
  const emit: Emit = (event, payload) => {
    events.push({ event, payload } as Recorded);
  };
  return { emit, events };
}
