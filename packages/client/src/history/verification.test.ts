/**
 * Verifying a chat checks every held entry's signature and device, counts the envelopes the log
 * proved, and fails on tampering problems or log evidence but not on rejections the group's
 * rules explain; an unreachable relay leaves the history part checked (real signed entries, fake
 * log monitor, directory lookup and gap resolver, the in-memory store).
 */
import {
  accountIdFromPublicKey,
  createChatEntry,
  createCryptoSuite,
  newSharedTopic,
  type AccountId,
  type DeviceCertificate,
} from '@parley/core';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import { describe, expect, it } from 'vitest';
import { addProblem, putEntry } from '../chats/entries.js';
import { chatIdOf, saveChat, type ChatRecord } from '../chats/records.js';
import { ClientError } from '../errors.js';
import type { StoredEvidence } from '../log/evidence.js';
import type { InclusionStatus } from '../log/inclusions.js';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { verifyChat } from './verification.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const topic = newSharedTopic(unsafeSeededRandom('verified topic'));
const id = chatIdOf(topic);
const author: AccountId = accountIdFromPublicKey(
  await suite.ed25519.publicKey(unsafeSeededRandom('verified author')(32)),
);
const seed = unsafeSeededRandom('verified device')(32);
const device = await suite.ed25519.publicKey(seed);

interface Options {
  readonly status?: ChatRecord['status'];
  readonly certified?: Uint8Array;
  readonly refresh?: () => Promise<undefined>;
  readonly evidence?: StoredEvidence[];
}

/** A chat holding a chain of three signed entries: cid-1 included, cid-2 pending, cid-3 not tracked. */
async function fixture(options: Options = {}) {
  const store = openMemoryClientStore();
  await saveChat(store, {
    id,
    topic,
    kind: 'group',
    name: 'g',
    state: new Uint8Array(),
    lastSeq: 3,
    counter: 0,
    prev: null,
    heads: [],
    chains: {},
    status: options.status ?? 'active',
    createdAt: 0,
  });
  let prev: Uint8Array | null = null;
  for (const n of [1, 2, 3]) {
    const created = await createChatEntry(suite, seed, {
      chat: topic,
      author,
      device,
      n,
      prev,
      heads: [],
      sentAt: n,
      body: { type: 'text', text: `entry ${n}` },
      checkpoint: null,
    });
    prev = created.hash;
    const entry = { bytes: created.bytes, hash: created.hash, author, device, n };
    await putEntry(store, id, { ...entry, cid: `cid-${n}`, seq: n, leafIndex: n - 1, own: false });
  }
  const statuses: Record<string, InclusionStatus> = {
    'cid-1': { state: 'included', leafIndex: 0, size: 5 },
    'cid-2': { state: 'pending', leafIndex: 1 },
  };
  const forced: boolean[] = [];
  const deps = {
    store,
    suite,
    log: {
      refresh: options.refresh ?? (() => Promise.resolve(undefined)),
      inclusion: (cid: string) => Promise.resolve(statuses[cid] ?? ({ state: 'unknown' } as const)),
      evidence: () => Promise.resolve(options.evidence ?? []),
      latest: () => Promise.resolve(undefined),
    },
    lookup: {
      devicesOf: () =>
        Promise.resolve([{ deviceKey: options.certified ?? device } as DeviceCertificate]),
    },
    gaps: {
      resolve: (chat: ChatRecord, force?: boolean) => {
        forced.push(force === true);
        return Promise.resolve(chat);
      },
    },
  };
  return { deps, store, forced };
}

describe('verifyChat', () => {
  it('verifies a chain of signed entries of a certified device and counts their inclusion', async () => {
    const { deps, forced } = await fixture();
    const report = await verifyChat(deps, id);
    expect(report.ok).toBe(true);
    expect(report.history.entries).toBe(3);
    expect(report.log).toMatchObject({ reachable: true, included: 1, pending: 1, notTracked: 1 });
    expect(forced).toEqual([true]);
  });

  it('fails when the device that signed is not certified for its author', async () => {
    const { deps } = await fixture({ certified: new Uint8Array(32).fill(1) });
    const report = await verifyChat(deps, id);
    expect(report.ok).toBe(false);
    expect(report.history.problems.length).toBeGreaterThan(0);
  });

  it('fails on an envelope rejected as tampered, not on one the group’s rules refused', async () => {
    const policy = await fixture();
    await addProblem(
      policy.store,
      id,
      { kind: 'rejected', seq: 4, cid: 'c', reason: 'not-a-member' },
      0,
    );
    expect((await verifyChat(policy.deps, id)).ok).toBe(true);
    const tampered = await fixture();
    await addProblem(
      tampered.store,
      id,
      { kind: 'rejected', seq: 4, cid: 'c', reason: 'bad-signature' },
      0,
    );
    const report = await verifyChat(tampered.deps, id);
    expect(report.ok).toBe(false);
    expect(report.problems).toMatchObject([{ kind: 'rejected', reason: 'bad-signature' }]);
  });

  it('fails when the log monitor holds evidence against the relay', async () => {
    const evidence = [
      { kind: 'rollback', notes: ['a', 'b'], detail: '', id: 1, foundAt: 0 },
    ] as const;
    const { deps } = await fixture({ evidence: [...evidence] });
    const report = await verifyChat(deps, id);
    expect(report.ok).toBe(false);
    expect(report.log.evidence).toHaveLength(1);
  });

  it('checks the history offline when the relay is unreachable', async () => {
    const { deps } = await fixture({
      refresh: () => Promise.reject(new ClientError('CLIENT_RELAY_UNREACHABLE')),
    });
    const report = await verifyChat(deps, id);
    expect(report.log.reachable).toBe(false);
    expect(report.history.entries).toBe(3);
  });

  it('throws what the relay refused, other than being unreachable', async () => {
    const { deps } = await fixture({
      refresh: () => Promise.reject(new ClientError('CLIENT_LOG_CHECKPOINT_INVALID')),
    });
    await expect(verifyChat(deps, id)).rejects.toMatchObject({
      code: 'CLIENT_LOG_CHECKPOINT_INVALID',
    });
  });

  it('does not ask for gaps of a chat this account left', async () => {
    const { deps, forced } = await fixture({ status: 'left' });
    await verifyChat(deps, id);
    expect(forced).toEqual([]);
  });
});
