/** Client costs: MLS (ts-mls, ciphersuite 1, as the SDK uses it) encrypt/decrypt, commits, joins. */
import {
  accountIdFromPublicKey,
  createAuthenticationService,
  equalBytes,
  loadMlsCipherSuite,
  memberCredential,
  mlsClientConfig,
  type AccountId,
} from '@parley/core';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackageWithKey,
  joinGroup,
  processPrivateMessage,
  type CiphersuiteImpl,
  type ClientConfig,
  type ClientState,
  type KeyPackage,
  type MLSMessage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';
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
  readonly device: Uint8Array;
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
}

interface Context {
  readonly cs: CiphersuiteImpl;
  readonly config: ClientConfig;
  readonly devices: Map<string, Uint8Array>;
}

async function newMember(ctx: Context): Promise<Member> {
  const seed = random(32);
  const device = await suite.ed25519.publicKey(seed);
  const account = accountIdFromPublicKey(device);
  ctx.devices.set(account, device);
  const generated = await generateKeyPackageWithKey(
    memberCredential({ account, device }),
    defaultCapabilities(),
    defaultLifetime,
    [],
    { signKey: seed, publicKey: device },
    ctx.cs,
  );
  return { account, device, ...generated };
}

function privateMessageOf(message: MLSMessage): Parameters<typeof processPrivateMessage>[1] {
  if (message.wireformat !== 'mls_private_message') throw new Error('expected a PrivateMessage');
  return message.privateMessage;
}

function leafIndexOf(state: ClientState, device: Uint8Array): number {
  const node = state.ratchetTree.findIndex(
    (n) => n?.nodeType === 'leaf' && equalBytes(n.leaf.signaturePublicKey, device),
  );
  if (node < 0) throw new Error('member not in the tree');
  return node / 2;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work();
  return [value, performance.now() - start];
}

interface Pair {
  creator: ClientState;
  receiver: ClientState;
  joinMs: number[];
}

/** A group of `size`: the creator adds everyone in one Commit; member 2 joins from the Welcome. */
async function buildGroup(ctx: Context, size: number, joins: number): Promise<Pair> {
  const creator = await newMember(ctx);
  const others: Member[] = [];
  for (let i = 1; i < size; i++) others.push(await newMember(ctx));
  const group = await createGroup(
    random(32),
    creator.publicPackage,
    creator.privatePackage,
    [],
    ctx.cs,
    ctx.config,
  );
  const proposals: Proposal[] = others.map((m) => ({
    proposalType: 'add',
    add: { keyPackage: m.publicPackage },
  }));
  const added = await createCommit(
    { state: group, cipherSuite: ctx.cs },
    { extraProposals: proposals, ratchetTreeExtension: true },
  );
  const joiner = others[0];
  if (added.welcome === undefined || joiner === undefined) throw new Error('no Welcome');
  const joinMs: number[] = [];
  let receiver: ClientState | undefined;
  for (let i = 0; i < joins; i++) {
    const [state, ms] = await timed(() =>
      joinGroup(
        added.welcome as NonNullable<typeof added.welcome>,
        joiner.publicPackage,
        joiner.privatePackage,
        emptyPskIndex,
        ctx.cs,
        undefined,
        undefined,
        ctx.config,
      ),
    );
    receiver = state;
    joinMs.push(ms);
  }
  if (receiver === undefined) throw new Error('no join');
  return { creator: added.newState, receiver, joinMs };
}

/** Creator commits `proposal`; the receiver processes it. Returns both times. */
async function commitRound(
  ctx: Context,
  pair: Pair,
  proposal: Proposal,
): Promise<[number, number]> {
  const [created, createMs] = await timed(() =>
    createCommit(
      { state: pair.creator, cipherSuite: ctx.cs },
      { extraProposals: [proposal], ratchetTreeExtension: true },
    ),
  );
  const [processed, processMs] = await timed(() =>
    processPrivateMessage(pair.receiver, privateMessageOf(created.commit), emptyPskIndex, ctx.cs),
  );
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
      proposalType: 'add',
      add: { keyPackage: newcomer.publicPackage },
    });
    add[0].push(addCreate);
    add[1].push(addProcess);
    const removed = leafIndexOf(pair.creator, newcomer.device);
    const [removeCreate, removeProcess] = await commitRound(ctx, pair, {
      proposalType: 'remove',
      remove: { removed },
    });
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
    cs: await loadMlsCipherSuite(),
    config: mlsClientConfig(
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
      const [sent, e] = await timed(() => createApplicationMessage(pair.creator, message, ctx.cs));
      const [received, d] = await timed(() =>
        processPrivateMessage(pair.receiver, sent.privateMessage, emptyPskIndex, ctx.cs),
      );
      if (received.kind !== 'applicationMessage' || !equalBytes(received.message, message)) {
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
