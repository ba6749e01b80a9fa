/**
 * A transcript export lists the held entries in causal order, the authors' directory entries,
 * where each chain begins, and an inclusion proof for each entry the held checkpoint covers
 * (real signed entries, a fake log monitor and relay, the in-memory store).
 */
import {
  accountIdFromPublicKey,
  createChatEntry,
  createCryptoSuite,
  createEnvelope,
  decodeTranscript,
  newSharedTopic,
  toHex,
  utf8,
  type AccountId,
  type Checkpoint,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { describe, expect, it } from 'vitest';
import { putEntry } from '../chats/entries.js';
import { chatIdOf, saveChat } from '../chats/records.js';
import type { HeldCheckpoint } from '../log/checkpoints.js';
import type { InclusionStatus } from '../log/inclusions.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { exportTranscript } from './transcript-export.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const topic = newSharedTopic(unsafeSeededRandom('exported topic'));
const id = chatIdOf(topic);

async function writer(name: string) {
  const seed = unsafeSeededRandom(`device of ${name}`)(32);
  const device = await suite.ed25519.publicKey(seed);
  const account: AccountId = accountIdFromPublicKey(
    await suite.ed25519.publicKey(unsafeSeededRandom(`identity of ${name}`)(32)),
  );
  return { seed, device, account };
}

/** Two writers; `later` (whose chain sorts first in the store) answers `earlier`'s entry. */
const [one, two] = [await writer('one'), await writer('two')];
const [later, earlier] = one.account < two.account ? [one, two] : [two, one];
const held: HeldCheckpoint = {
  note: 'signed note',
  checkpoint: { origin: 'log.example', size: 2, rootHash: new Uint8Array(32) } as Checkpoint,
};
/** A real CID, as an envelope of this chat would have. */
const cidOf = (label: string): string =>
  createEnvelope({ topic, payload: utf8(label), createdAt: 0 }).cid.toString();
const CID_FIRST = cidOf('first');
const CID_REPLY = cidOf('reply');
const relay = { relayId: 'relay', publicKey: new Uint8Array(32).fill(8), origin: 'log.example' };

async function fixture(checkpoint: HeldCheckpoint | undefined) {
  const store = openMemoryClientStore();
  const first = await createChatEntry(suite, earlier.seed, {
    chat: topic,
    author: earlier.account,
    device: earlier.device,
    n: 3,
    prev: new Uint8Array(32).fill(2),
    heads: [],
    sentAt: 10,
    body: { type: 'text', text: 'first' },
    checkpoint: null,
  });
  const reply = await createChatEntry(suite, later.seed, {
    chat: topic,
    author: later.account,
    device: later.device,
    n: 1,
    prev: null,
    heads: [first.hash],
    sentAt: 5,
    body: { type: 'text', text: 'second' },
    checkpoint: null,
  });
  const chains = {
    [`${earlier.account}/${toHex(earlier.device)}`]: { first: 3, last: 3 },
    [`${later.account}/${toHex(later.device)}`]: { first: 1, last: 1 },
  };
  await saveChat(store, {
    id,
    topic,
    kind: 'group',
    name: 'g',
    state: new Uint8Array(),
    lastSeq: 2,
    counter: 0,
    prev: null,
    heads: [],
    chains,
    status: 'active',
    createdAt: 0,
  });
  const rows = [
    { w: earlier, created: first, n: 3, cid: CID_FIRST, leaf: 0 },
    { w: later, created: reply, n: 1, cid: CID_REPLY, leaf: 5 },
  ];
  for (const { w, created, n, cid, leaf } of rows) {
    await putEntry(store, id, {
      bytes: created.bytes,
      hash: created.hash,
      author: w.account,
      device: w.device,
      n,
      cid,
      seq: leaf + 1,
      leafIndex: leaf,
      own: false,
    });
  }
  // The reply's envelope is beyond the checkpoint: no proof can be given for it yet.
  const statuses: Record<string, InclusionStatus> = {
    [CID_FIRST]: { state: 'included', leafIndex: 0, size: 2 },
    [CID_REPLY]: { state: 'included', leafIndex: 5, size: 6 },
  };
  const proofs: [number, number][] = [];
  const deps = {
    store,
    clock: () => 1234,
    log: {
      refresh: () => Promise.resolve(checkpoint),
      relay: () => Promise.resolve(relay),
      inclusion: (cid: string) => Promise.resolve(statuses[cid] ?? ({ state: 'unknown' } as const)),
    },
    api: {
      getDirectory: (account: string) =>
        Promise.resolve(
          account === earlier.account
            ? { entry: new Uint8Array([7]), availableKeyPackages: 0, leafIndex: 3 }
            : undefined,
        ),
      inclusionProof: (index: number, size: number) => {
        proofs.push([index, size]);
        return Promise.resolve({
          index,
          size,
          leafHash: new Uint8Array(32),
          proof: [new Uint8Array(32).fill(index)],
        });
      },
    },
  };
  return { deps, first, reply, proofs };
}

describe('exportTranscript', () => {
  it('lists the entries in causal order, not in the order the store keeps them', async () => {
    const { deps, first, reply } = await fixture(held);
    const transcript = decodeTranscript(await exportTranscript(deps, id));
    expect(transcript.entries).toEqual([first.bytes, reply.bytes]);
    expect(transcript.exportedAt).toBe(1234);
    expect(transcript.chat).toEqual(topic);
  });

  it('carries the directory entries the relay serves and where each chain begins', async () => {
    const { deps } = await fixture(held);
    const transcript = decodeTranscript(await exportTranscript(deps, id));
    expect(transcript.directory).toEqual([new Uint8Array([7])]);
    expect(new Set(transcript.firstHeld.map((f) => `${f.account}:${f.n}`))).toEqual(
      new Set([`${earlier.account}:3`, `${later.account}:1`]),
    );
  });

  it('proves inclusion of the entries the held checkpoint covers, and only those', async () => {
    const { deps, first, proofs } = await fixture(held);
    const transcript = decodeTranscript(await exportTranscript(deps, id));
    expect(transcript.log).toMatchObject({
      origin: 'log.example',
      checkpoint: 'signed note',
      inclusions: [{ entry: first.hash, cid: CID_FIRST, index: 0 }],
    });
    expect(proofs).toEqual([[0, 2]]);
  });

  it('has no log part while no checkpoint is held', async () => {
    const { deps, proofs } = await fixture(undefined);
    expect(decodeTranscript(await exportTranscript(deps, id)).log).toBeNull();
    expect(proofs).toEqual([]);
  });

  it('throws CLIENT_CHAT_NOT_FOUND for a chat it does not hold', async () => {
    const { deps } = await fixture(held);
    await expect(exportTranscript(deps, 'no-such-chat')).rejects.toMatchObject({
      code: 'CLIENT_CHAT_NOT_FOUND',
    });
  });
});
