/** The log store contract: the roots and proofs of core's MerkleTree, leaves committed with what they log, checkpoints and witness state. */
import { MerkleTree, cidForBytes, logLeafHash } from '@parley/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshStores } from './store-fixtures.js';
import type { RelayStores } from '../relay-stores.js';
import type { AppendOutcome, StoredReceipt } from '../topic-store.js';

const NO_LIMIT = 2 ** 40;
const topicA = new Uint8Array(32).fill(0xa);
const topicB = new Uint8Array(32).fill(0xb);

function cidOf(label: string): string {
  return cidForBytes(new TextEncoder().encode(label)).toString();
}

function envelope(topic: Uint8Array, label: string) {
  return { topic, cid: cidOf(label), bytes: new TextEncoder().encode(label) };
}

function receipt(outcome: AppendOutcome | undefined): StoredReceipt {
  if (outcome === undefined || 'refused' in outcome) throw new Error('expected a receipt');
  return outcome;
}

function entry(updatedAt: number) {
  return {
    bytes: new TextEncoder().encode(`entry ${updatedAt}`),
    cid: cidOf(`entry ${updatedAt}`),
    updatedAt,
    lastResort: new Uint8Array([1]),
    devices: [new Uint8Array(32)],
  };
}

/** Runs the log store rules against fresh, empty stores from `open`. */
export function describeLogStoreContract(name: string, open: () => RelayStores): void {
  describe(name, () => {
    const current = freshStores(open);

    describe('the SQLite Merkle levels', () => {
      it('give the roots and every inclusion and consistency proof of MerkleTree, for random appends', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }),
            fc.integer({ min: 0, max: 10_000 }),
            async (batches, salt) => {
              const local = open();
              const tree = new MerkleTree();
              let n = 0;
              try {
                for (const [b, count] of batches.entries()) {
                  const items = Array.from({ length: count }, () => {
                    n += 1;
                    return envelope(n % 3 === 0 ? topicA : topicB, `${salt}/${n}`);
                  });
                  const outcomes = await local.topics.appendEnvelopes(items, b, NO_LIMIT);
                  for (const [i, item] of items.entries()) {
                    expect(receipt(outcomes[i]).leafIndex).toBe(tree.append(logLeafHash(item.cid)));
                  }
                }
                expect(await local.log.logSize()).toBe(tree.size);
                for (let size = 0; size <= tree.size; size++) {
                  expect(await local.log.logRoot(size)).toEqual(tree.root(size));
                }
                for (let size = 1; size <= tree.size; size++) {
                  for (let index = 0; index < size; index++) {
                    expect(await local.log.logInclusionProof(index, size)).toEqual(
                      tree.inclusionProof(index, size),
                    );
                  }
                  for (let from = 1; from <= size; from++) {
                    expect(await local.log.logConsistencyProof(from, size)).toEqual(
                      tree.consistencyProof(from, size),
                    );
                  }
                }
              } finally {
                await local.close();
              }
            },
          ),
          { numRuns: 6 },
        );
      });

      it('answers for large sizes with O(log n) stored nodes (4,100 leaves)', async () => {
        const tree = new MerkleTree();
        for (let start = 0; start < 4100; start += 1000) {
          const items = Array.from({ length: Math.min(1000, 4100 - start) }, (_, i) =>
            envelope(topicA, `big ${start + i}`),
          );
          await current().topics.appendEnvelopes(items, start, NO_LIMIT);
          for (const item of items) tree.append(logLeafHash(item.cid));
        }
        for (const size of [1, 2, 3, 1023, 1024, 1025, 2048, 4095, 4096, 4100]) {
          expect(await current().log.logRoot(size)).toEqual(tree.root(size));
          expect(await current().log.logInclusionProof(size - 1, size)).toEqual(
            tree.inclusionProof(size - 1, size),
          );
          expect(await current().log.logConsistencyProof(Math.ceil(size / 3), size)).toEqual(
            tree.consistencyProof(Math.ceil(size / 3), size),
          );
        }
      });

      it('refuses sizes beyond the log with RangeError', async () => {
        await current().topics.appendEnvelopes([envelope(topicA, 'one')], 1, NO_LIMIT);
        await expect(current().log.logRoot(2)).rejects.toThrow(RangeError);
        await expect(current().log.logInclusionProof(1, 1)).rejects.toThrow(RangeError);
        await expect(current().log.logConsistencyProof(1, 2)).rejects.toThrow(RangeError);
        await expect(current().log.logConsistencyProof(0, 1)).rejects.toThrow(RangeError);
      });
    });

    describe('leaves and what they log', () => {
      it('gives envelopes and directory entries leaves in commit order, with their CIDs', async () => {
        const [a] = await current().topics.appendEnvelopes([envelope(topicA, 'a')], 1, NO_LIMIT);
        await current().directory.putDirectoryEntry('alice', entry(5), [], 10, 5);
        const [b] = await current().topics.appendEnvelopes([envelope(topicB, 'b')], 2, NO_LIMIT);
        expect([receipt(a).leafIndex, receipt(b).leafIndex]).toEqual([0, 2]);
        expect(await current().log.leafRange(0, 10)).toEqual([
          { index: 0, cid: cidOf('a'), hash: logLeafHash(cidOf('a')) },
          { index: 1, cid: cidOf('entry 5'), hash: logLeafHash(cidOf('entry 5')) },
          { index: 2, cid: cidOf('b'), hash: logLeafHash(cidOf('b')) },
        ]);
        expect(await current().log.leafIndexOfCid(cidOf('entry 5'))).toBe(1);
        expect(await current().log.leafIndexOfCid(cidOf('never'))).toBeUndefined();
        expect(await current().log.leafIndexOfHash(logLeafHash(cidOf('entry 5')))).toBe(1);
        expect(await current().log.leafIndexOfHash(new Uint8Array(32))).toBeUndefined();
        expect((await current().topics.listEnvelopes(topicB, 0, 10))[0]?.leafIndex).toBe(2);
      });

      it('answers a duplicate with its original leaf index and adds no leaf', async () => {
        const [first] = await current().topics.appendEnvelopes(
          [envelope(topicA, 'dup')],
          1,
          NO_LIMIT,
        );
        await current().topics.appendEnvelopes([envelope(topicA, 'other')], 2, NO_LIMIT);
        const [again, alsoAgain] = await current().topics.appendEnvelopes(
          [envelope(topicA, 'dup'), envelope(topicA, 'dup')],
          3,
          NO_LIMIT,
        );
        expect(receipt(again)).toEqual({ ...receipt(first), duplicate: true });
        expect(receipt(alsoAgain).leafIndex).toBe(0);
        expect(await current().log.logSize()).toBe(2);
      });

      it('keeps every leaf when retention removes envelopes, and gives a re-sent one its first leaf', async () => {
        await current().topics.appendEnvelopes(
          [envelope(topicA, 'old'), envelope(topicA, 'new')],
          1000,
          NO_LIMIT,
        );
        const root = await current().log.logRoot(2);
        expect(
          await current().topics.sweep({ now: 5000, maxAgeMs: 3000, maxBytesPerTopic: NO_LIMIT }),
        ).toBe(2);
        expect(await current().log.logSize()).toBe(2);
        expect(await current().log.logRoot(2)).toEqual(root);
        const [again] = await current().topics.appendEnvelopes(
          [envelope(topicA, 'old')],
          6000,
          NO_LIMIT,
        );
        expect(receipt(again)).toMatchObject({ seq: 3, leafIndex: 0, duplicate: false });
        expect(await current().log.logSize()).toBe(2);
      });

      it('leaves no orphan leaf or node when the transaction that logged it rolls back', async () => {
        await current().topics.appendEnvelopes([envelope(topicA, 'kept')], 1, NO_LIMIT);
        // The second item's CID is not a CID: the whole group commit fails, its first item too.
        await expect(
          current().topics.appendEnvelopes(
            [
              envelope(topicA, 'lost'),
              { topic: topicA, cid: 'not-a-cid', bytes: new Uint8Array(1) },
            ],
            2,
            NO_LIMIT,
          ),
        ).rejects.toThrow();
        expect(await current().log.logSize()).toBe(1);
        expect(await current().topics.lastSeq(topicA)).toBe(1);
        // A directory entry refused for too many KeyPackages is rolled back with its leaf.
        const keyPackages = [1, 2, 3].map((n) => ({
          hash: new Uint8Array(32).fill(n),
          bytes: new Uint8Array([n]),
          device: new Uint8Array(32),
        }));
        expect(
          await current().directory.putDirectoryEntry('bob', entry(7), keyPackages, 2, 7),
        ).toBe('too-many-key-packages');
        expect(await current().log.logSize()).toBe(1);
        // The next leaf takes index 1, and the tree is the one of the committed leaves.
        const [next] = await current().topics.appendEnvelopes(
          [envelope(topicA, 'next')],
          3,
          NO_LIMIT,
        );
        expect(receipt(next).leafIndex).toBe(1);
        const tree = new MerkleTree([logLeafHash(cidOf('kept')), logLeafHash(cidOf('next'))]);
        expect(await current().log.logRoot(2)).toEqual(tree.root());
      });
    });

    describe('checkpoints, batches and witness state', () => {
      it('stores checkpoints with their batch files and witness sizes, and finds the latest', async () => {
        expect(await current().log.latestCheckpoint()).toBeUndefined();
        const zero = { size: 0, note: 'zero', createdAt: 1, batchCid: null };
        await current().log.putCheckpoint(zero, null, new Map());
        const three = { size: 3, note: 'three', createdAt: 2, batchCid: 'batch-cid' };
        const bytes = new Uint8Array([1, 2, 3]);
        await current().log.putCheckpoint(
          three,
          { cid: 'batch-cid', start: 0, end: 3, bytes },
          new Map([['w', 3]]),
        );
        expect(await current().log.latestCheckpoint()).toEqual(three);
        expect(await current().log.getCheckpoint(0)).toEqual(zero);
        expect(await current().log.getCheckpoint(2)).toBeUndefined();
        expect(await current().log.getBatch('batch-cid')).toEqual(bytes);
        expect(await current().log.witnessSizes()).toEqual(new Map([['w', 3]]));
        await expect(current().log.putCheckpoint(three, null, new Map())).rejects.toThrow();
      });

      it('replaces a cosigned state only from the state the caller read', async () => {
        const first = { size: 5, rootHash: new Uint8Array(32).fill(5) };
        const second = { size: 8, rootHash: new Uint8Array(32).fill(8) };
        expect(await current().log.replaceCosignedState('log', first, second)).toBe(false);
        expect(await current().log.replaceCosignedState('log', undefined, first)).toBe(true);
        expect(await current().log.replaceCosignedState('log', undefined, second)).toBe(false);
        expect(await current().log.replaceCosignedState('log', second, second)).toBe(false);
        expect(await current().log.replaceCosignedState('log', first, second)).toBe(true);
        expect(await current().log.getCosignedState('log')).toEqual(second);
        expect(await current().log.getCosignedState('other')).toBeUndefined();
      });
    });
  });
}
