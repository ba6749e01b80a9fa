/** Client costs: MLS (core's ts-mls operations, ciphersuite 1, as the SDK calls them) encrypt/decrypt, commits, joins. */
import {
  accountIdFromPublicKey,
  checkKeyPackage,
  commitChanges,
  createAuthenticationService,
  createChatGroup,
  createMlsContext,
  decodeGroupMessage,
  encryptApplicationMessage,
  equalBytes,
  generateKeyPackage,
  joinChatGroup,
  leavesOf,
  processGroupMessage,
  type AccountId,
  type CheckedKeyPackage,
  type GeneratedKeyPackage,
  type GroupChange,
  type GroupState,
  type MlsContext,
} from '@parley/core';
import { random, suite } from '../generator/session.js';
import { spread, type Spread } from '../stats.js';

/** Figures at one group size, each in ms per operation. */
export interface MlsGroupFigures {
  readonly groupSize: number;
  readonly runs: number;
  /** Building the group (key packages and one Commit adding everyone): setup, not a target. */
  readonly setupSeconds: number;
  readonly addCommitCreateMs: Spread;
  readonly addCommitProcessMs: Spread;
  readonly removeCommitCreateMs: Spread;
  readonly removeCommitProcessMs: Spread;
  readonly joinFromWelcomeMs: Spread;
}

/** All MLS figures. */
export interface MlsFigures {
  readonly messageBytes: number;
  readonly messagesPerRun: number;
  readonly encryptMs: Spread;
  readonly decryptMs: Spread;
  readonly encryptPlusDecryptMs: Spread;
  readonly groups: readonly MlsGroupFigures[];
}

interface Member {
  readonly account: AccountId;
  readonly generated: GeneratedKeyPackage;
  readonly keyPackage: CheckedKeyPackage;
}

interface Context {
  readonly mls: MlsContext;
  readonly devices: Map<string, Uint8Array>;
}

async function newMember(ctx: Context): Promise<Member> {
  const seed = random(32);
  const device = await suite.ed25519.publicKey(seed);
  const account = accountIdFromPublicKey(device);
  ctx.devices.set(account, device);
  const generated = await generateKeyPackage(ctx.mls, {
    account,
    deviceSeed: seed,
    deviceKey: device,
  });
  const checked = await checkKeyPackage(ctx.mls, generated.bytes, account);
  if (!checked.ok) throw new Error(`own KeyPackage refused: ${checked.reason}`);
  return { account, generated, keyPackage: checked.value.keyPackage };
}

/** Processes MLSMessage bytes the way the SDK does (decode, then process). */
async function receive(ctx: Context, state: GroupState, bytes: Uint8Array) {
  const message = decodeGroupMessage(bytes);
  if (!message.ok) throw new Error('expected a PrivateMessage');
  return processGroupMessage(ctx.mls, state, message.value);
}

function leafIndexOf(state: GroupState, account: string): number {
  const leaf = leavesOf(state, account)[0];
  if (leaf === undefined) throw new Error('member not in the tree');
  return leaf.index;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work();
  return [value, performance.now() - start];
}

interface Pair {
  creator: GroupState;
  receiver: GroupState;
  joinMs: number[];
}

/** A group of `size`: the creator adds everyone in one Commit; member 2 joins from the Welcome. */
async function buildGroup(ctx: Context, size: number, joins: number): Promise<Pair> {
  const creator = await newMember(ctx);
  const others: Member[] = [];
  for (let i = 1; i < size; i++) others.push(await newMember(ctx));
  const group = await createChatGroup(ctx.mls, random(32), creator.generated);
  const added = await commitChanges(
    ctx.mls,
    group,
    others.map((m): GroupChange => ({ kind: 'add', keyPackage: m.keyPackage })),
  );
  const joiner = others[0];
  const welcome = added.welcome;
  if (welcome === undefined || joiner === undefined) throw new Error('no Welcome');
  const joinMs: number[] = [];
  let receiver: GroupState | undefined;
  for (let i = 0; i < joins; i++) {
    const [joined, ms] = await timed(() => joinChatGroup(ctx.mls, welcome, joiner.generated));
    if (!joined.ok) throw new Error(joined.reason);
    receiver = joined.value;
    joinMs.push(ms);
  }
  if (receiver === undefined) throw new Error('no join');
  return { creator: added.newState, receiver, joinMs };
}

/** Creator commits `change`; the receiver processes it. Returns both times. */
async function commitRound(
  ctx: Context,
  pair: Pair,
  change: GroupChange,
): Promise<[number, number]> {
  const [created, createMs] = await timed(() => commitChanges(ctx.mls, pair.creator, [change]));
  const [processed, processMs] = await timed(() => receive(ctx, pair.receiver, created.commit));
  pair.creator = created.newState;
  pair.receiver = processed.newState;
  return [createMs, processMs];
}

async function groupFigures(ctx: Context, size: number, runs: number): Promise<MlsGroupFigures> {
  const setupStart = performance.now();
  const pair = await buildGroup(ctx, size, runs);
  const setupSeconds =
    (performance.now() - setupStart) / 1000 - pair.joinMs.reduce((a, b) => a + b, 0) / 1000;
  const add: [number[], number[]] = [[], []];
  const remove: [number[], number[]] = [[], []];
  for (let run = 0; run < runs; run++) {
    const newcomer = await newMember(ctx);
    const [addCreate, addProcess] = await commitRound(ctx, pair, {
      kind: 'add',
      keyPackage: newcomer.keyPackage,
    });
    add[0].push(addCreate);
    add[1].push(addProcess);
    const leaf = leafIndexOf(pair.creator, newcomer.account);
    const [removeCreate, removeProcess] = await commitRound(ctx, pair, { kind: 'remove', leaf });
    remove[0].push(removeCreate);
    remove[1].push(removeProcess);
  }
  return {
    groupSize: size,
    runs,
    setupSeconds,
    addCommitCreateMs: spread(add[0]),
    addCommitProcessMs: spread(add[1]),
    removeCommitCreateMs: spread(remove[0]),
    removeCommitProcessMs: spread(remove[1]),
    joinFromWelcomeMs: spread(pair.joinMs),
  };
}

/** Options of the MLS workload. */
export interface MlsOptions {
  readonly groupSizes: readonly number[];
  readonly messages: number;
  readonly messageBytes: number;
  readonly runs: number;
  /** Runs at group sizes ≥ 1,000 (fewer when the budget requires; stated in the results). */
  readonly runsAtLargest: number;
  readonly onProgress: (line: string) => void;
}

/** Measures every MLS figure. */
export async function runMls(options: MlsOptions): Promise<MlsFigures> {
  const devices = new Map<string, Uint8Array>();
  const ctx: Context = {
    mls: await createMlsContext(
      createAuthenticationService((account) => {
        const device = devices.get(account);
        return Promise.resolve(device === undefined ? undefined : [device]);
      }),
    ),
    devices,
  };
  const pair = await buildGroup(ctx, Math.max(2, options.groupSizes[0] ?? 2), 1);
  const encrypt: number[] = [];
  const decrypt: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    let encryptMs = 0;
    let decryptMs = 0;
    for (let i = 0; i < options.messages; i++) {
      const message = random(options.messageBytes);
      const [sent, e] = await timed(() =>
        encryptApplicationMessage(ctx.mls, pair.creator, message),
      );
      const [received, d] = await timed(() => receive(ctx, pair.receiver, sent.message));
      if (received.kind !== 'application' || !equalBytes(received.data, message)) {
        throw new Error('MLS round trip returned other bytes');
      }
      pair.creator = sent.newState;
      pair.receiver = received.newState;
      encryptMs += e;
      decryptMs += d;
    }
    encrypt.push(encryptMs / options.messages);
    decrypt.push(decryptMs / options.messages);
  }
  options.onProgress(`mls: encrypt/decrypt done`);
  const groups: MlsGroupFigures[] = [];
  for (const size of options.groupSizes) {
    const runs = size >= 1000 ? options.runsAtLargest : options.runs;
    groups.push(await groupFigures(ctx, size, runs));
    options.onProgress(`mls: group of ${size} done`);
  }
  return {
    messageBytes: options.messageBytes,
    messagesPerRun: options.messages,
    encryptMs: spread(encrypt),
    decryptMs: spread(decrypt),
    encryptPlusDecryptMs: spread(encrypt.map((e, i) => e + (decrypt[i] ?? 0))),
    groups,
  };
}
