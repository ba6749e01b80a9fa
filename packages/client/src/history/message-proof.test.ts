/**
 * A message proof checks the held entry's signature again and reports its chain position, its
 * inclusion and the checkpoint held (a real signed entry, a fake log monitor, the in-memory store).
 */
import {
  accountIdFromPublicKey,
  createChatEntry,
  createCryptoSuite,
  newSharedTopic,
  type AccountId,
  type Checkpoint,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { describe, expect, it } from 'vitest';
import { putEntry } from '../chats/entries.js';
import { chatIdOf, saveChat } from '../chats/records.js';
import { ClientError } from '../errors.js';
import type { HeldCheckpoint } from '../log/checkpoints.js';
import type { InclusionStatus } from '../log/inclusions.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { messageProof } from './message-proof.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const topic = newSharedTopic(unsafeSeededRandom('proof topic'));
const id = chatIdOf(topic);
const author: AccountId = accountIdFromPublicKey(
  await suite.ed25519.publicKey(unsafeSeededRandom('author identity')(32)),
);
const seed = unsafeSeededRandom('proof device')(32);
const held: HeldCheckpoint = {
  note: 'signed note',
  checkpoint: { origin: 'o', size: 9, rootHash: new Uint8Array(32).fill(4) } as Checkpoint,
};

async function fixture(options: { tamper?: boolean; latest?: () => Promise<HeldCheckpoint> } = {}) {
  const store = openMemoryClientStore();
  const device = await suite.ed25519.publicKey(seed);
  await saveChat(store, {
    id,
    topic,
    kind: 'group',
    name: 'g',
    state: new Uint8Array(),
    lastSeq: 0,
    counter: 0,
    prev: null,
    heads: [],
    chains: {},
    status: 'active',
    createdAt: 0,
  });
  const created = await createChatEntry(suite, seed, {
    chat: topic,
    author,
    device,
    n: 1,
    prev: null,
    heads: [],
    sentAt: 5,
    body: { type: 'text', text: 'proven' },
    checkpoint: null,
  });
  const bytes = created.bytes.slice();
  if (options.tamper === true) {
    // One letter of the signed text changed: still a well-formed entry, no longer the signed one.
    const at = Buffer.from(bytes).indexOf('proven');
    bytes[at] = 'P'.charCodeAt(0);
  }
  await putEntry(store, id, {
    bytes,
    hash: created.hash,
    author,
    device,
    n: 1,
    cid: 'cid-1',
    seq: 3,
    leafIndex: 2,
    own: false,
  });
  const inclusion: InclusionStatus = { state: 'included', leafIndex: 2, size: 9 };
  const log = {
    latest: options.latest ?? (() => Promise.resolve(held)),
    inclusion: (cid: string) =>
      Promise.resolve(cid === 'cid-1' ? inclusion : ({ state: 'unknown' } as const)),
  };
  return { deps: { store, suite, log }, device, hash: created.hash };
}

describe('messageProof', () => {
  it('proves a held message: signature checked, chain position, inclusion, checkpoint', async () => {
    const { deps, device, hash } = await fixture();
    expect(await messageProof(deps, id, 'cid-1')).toEqual({
      cid: 'cid-1',
      author,
      device,
      n: 1,
      entryHash: hash,
      signature: 'verified',
      inclusion: { state: 'included', leafIndex: 2, size: 9 },
      checkpoint: { size: 9, rootHash: held.checkpoint.rootHash, note: 'signed note' },
    });
  });

  it('says why a held entry’s signature no longer verifies', async () => {
    const { deps } = await fixture({ tamper: true });
    expect((await messageProof(deps, id, 'cid-1'))?.signature).toBe('bad-signature');
  });

  it('reports no checkpoint when the held one cannot be read', async () => {
    const { deps } = await fixture({
      latest: () => Promise.reject(new ClientError('CLIENT_INTERNAL')),
    });
    expect((await messageProof(deps, id, 'cid-1'))?.checkpoint).toBeNull();
  });

  it('has no proof for an envelope whose entry is not held', async () => {
    const { deps } = await fixture();
    expect(await messageProof(deps, id, 'cid-unknown')).toBeUndefined();
  });

  it('throws CLIENT_CHAT_NOT_FOUND for a chat it does not hold', async () => {
    const { deps } = await fixture();
    await expect(messageProof(deps, 'no-such-chat', 'cid-1')).rejects.toMatchObject({
      code: 'CLIENT_CHAT_NOT_FOUND',
    });
  });
});
