/** The topic store contract: seqs per topic, duplicates, pages, cursors and retention. */

import { describe, expect, it } from 'vitest';
import type { RelayStores } from '../relay-stores.js';
import {
  freshStores,
  item,
  labelCid,
  NO_LIMIT,
  reader,
  receipt,
  seqsOf,
  topicA,
  topicB,
} from './store-fixtures.js';

/** Runs the topic store rules against fresh, empty stores from `open`. */
export function describeTopicStoreContract(name: string, open: () => RelayStores): void {
  describe(name, () => {
    const current = freshStores(open);

    describe('appendEnvelopes', () => {
      it('numbers each topic’s envelopes 1, 2, 3, … without gaps, per topic', async () => {
        const first = await current().topics.appendEnvelopes(
          [item(topicA, 'a1'), item(topicB, 'b1'), item(topicA, 'a2'), item(topicA, 'a3')],
          1000,
          NO_LIMIT,
        );
        expect(first.map((outcome) => receipt(outcome).seq)).toEqual([1, 1, 2, 3]);
        const second = await current().topics.appendEnvelopes(
          [item(topicB, 'b2'), item(topicA, 'a4')],
          2000,
          NO_LIMIT,
        );
        expect(second.map((outcome) => receipt(outcome).seq)).toEqual([2, 4]);
        expect(await seqsOf(current().topics, topicA)).toEqual([1, 2, 3, 4]);
        expect(await seqsOf(current().topics, topicB)).toEqual([1, 2]);
        expect(await current().topics.lastSeq(topicA)).toBe(4);
        expect(await current().topics.lastSeq(new Uint8Array(32))).toBe(0);
      });

      it('returns receipts with the CID, topic, time and duplicate: false', async () => {
        const [outcome] = await current().topics.appendEnvelopes(
          [item(topicA, 'a1')],
          1234,
          NO_LIMIT,
        );
        expect(receipt(outcome)).toEqual({
          cid: labelCid('10-a1'),
          topic: topicA,
          seq: 1,
          receivedAt: 1234,
          leafIndex: 0,
          duplicate: false,
        });
      });

      it('answers a duplicate CID with the first receipt, marked duplicate, and stores it once', async () => {
        const [first] = await current().topics.appendEnvelopes(
          [item(topicA, 'a1')],
          1000,
          NO_LIMIT,
        );
        const [again] = await current().topics.appendEnvelopes(
          [item(topicA, 'a1')],
          5000,
          NO_LIMIT,
        );
        expect(receipt(again)).toEqual({ ...receipt(first), duplicate: true });
        expect(await seqsOf(current().topics, topicA)).toEqual([1]);
        expect(await current().topics.lastSeq(topicA)).toBe(1);
        // The next new envelope is not pushed back by the duplicate.
        const [next] = await current().topics.appendEnvelopes([item(topicA, 'a2')], 6000, NO_LIMIT);
        expect(receipt(next).seq).toBe(2);
      });

      it('recognizes a duplicate within one batch', async () => {
        const outcomes = await current().topics.appendEnvelopes(
          [item(topicA, 'a1'), item(topicA, 'a1')],
          1000,
          NO_LIMIT,
        );
        expect(outcomes.map((outcome) => receipt(outcome).seq)).toEqual([1, 1]);
        expect(outcomes.map((outcome) => receipt(outcome).duplicate)).toEqual([false, true]);
        expect(await seqsOf(current().topics, topicA)).toEqual([1]);
      });
    });

    describe('listEnvelopes', () => {
      it('pages through a topic in seq order after a given seq', async () => {
        const items = Array.from({ length: 7 }, (_, index) => item(topicA, `a${index + 1}`));
        await current().topics.appendEnvelopes(items, 1000, NO_LIMIT);
        await current().topics.appendEnvelopes([item(topicB, 'b1')], 1000, NO_LIMIT);
        const page = async (after: number) =>
          (await current().topics.listEnvelopes(topicA, after, 3)).map((stored) => stored.seq);
        expect(await page(0)).toEqual([1, 2, 3]);
        expect(await page(3)).toEqual([4, 5, 6]);
        expect(await page(6)).toEqual([7]);
        expect(await page(7)).toEqual([]);
        expect(await page(100)).toEqual([]);
      });

      it('gives back the bytes, CID and time that were stored', async () => {
        const stored = item(topicA, 'hello', 64);
        await current().topics.appendEnvelopes([stored], 4242, NO_LIMIT);
        const [read] = await current().topics.listEnvelopes(topicA, 0, 10);
        expect(read).toEqual({
          seq: 1,
          cid: stored.cid,
          bytes: stored.bytes,
          receivedAt: 4242,
          leafIndex: 0,
        });
      });
    });

    describe('cursors', () => {
      it('keeps each reader’s acknowledged seq per topic, and never moves it back', async () => {
        await current().topics.appendEnvelopes(
          ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'].map((cid) => item(topicA, cid)),
          1000,
          NO_LIMIT,
        );
        expect(await current().topics.acknowledgedSeq(topicA, reader('alice'))).toBeUndefined();
        await current().topics.acknowledge(topicA, reader('alice'), 0, undefined, 1000);
        expect(await current().topics.acknowledgedSeq(topicA, reader('alice'))).toBe(0);
        await current().topics.acknowledge(topicA, reader('alice'), 5, undefined, 1000);
        expect(await current().topics.acknowledgedSeq(topicA, reader('alice'))).toBe(5);
        await current().topics.acknowledge(topicA, reader('alice'), 3, undefined, 1000);
        expect(await current().topics.acknowledgedSeq(topicA, reader('alice'))).toBe(5);
        await current().topics.acknowledge(topicA, reader('alice'), 7, undefined, 1000);
        expect(await current().topics.acknowledgedSeq(topicA, reader('alice'))).toBe(7);
        expect(await current().topics.acknowledgedSeq(topicB, reader('alice'))).toBeUndefined();
        expect(await current().topics.acknowledgedSeq(topicA, reader('bob'))).toBeUndefined();
      });

      it('makes a cursor from the first acknowledgement', async () => {
        await current().topics.appendEnvelopes(
          [item(topicA, 'a1'), item(topicA, 'a2')],
          1000,
          NO_LIMIT,
        );
        await current().topics.acknowledge(topicA, reader('bob'), 2, undefined, 1000);
        expect(await current().topics.acknowledgedSeq(topicA, reader('bob'))).toBe(2);
      });

      it('never records an acknowledgement past the topic’s last seq', async () => {
        await current().topics.acknowledge(topicA, reader('carol'), 1000, undefined, 1000);
        expect(await current().topics.acknowledgedSeq(topicA, reader('carol'))).toBe(0);
        await current().topics.appendEnvelopes(
          [item(topicA, 'a1'), item(topicA, 'a2')],
          1000,
          NO_LIMIT,
        );
        await current().topics.acknowledge(topicA, reader('carol'), 1000, undefined, 1000);
        expect(await current().topics.acknowledgedSeq(topicA, reader('carol'))).toBe(2);
      });
    });

    describe('retention', () => {
      it('sweeps envelopes older than maxAgeMs, acknowledged or not, and keeps younger ones', async () => {
        await current().topics.acknowledge(topicA, reader('alice'), 0, undefined, 1000);
        await current().topics.appendEnvelopes(
          [item(topicA, 'a1'), item(topicB, 'b1')],
          1000,
          NO_LIMIT,
        );
        await current().topics.appendEnvelopes([item(topicA, 'a2')], 4000, NO_LIMIT);
        await current().topics.appendEnvelopes([item(topicA, 'a3')], 5000, NO_LIMIT);
        // Older than 2000 ms at 6000 means received before 4000.
        const removed = await current().topics.sweep({
          now: 6000,
          maxAgeMs: 2000,
          maxBytesPerTopic: NO_LIMIT,
        });
        expect(removed).toBe(2);
        expect(await seqsOf(current().topics, topicA)).toEqual([2, 3]);
        expect(await seqsOf(current().topics, topicB)).toEqual([]);
        // Seqs are never reused after a sweep.
        expect(await current().topics.lastSeq(topicB)).toBe(1);
        const [next] = await current().topics.appendEnvelopes([item(topicB, 'b2')], 6000, NO_LIMIT);
        expect(receipt(next).seq).toBe(2);
      });

      it('frees a swept envelope’s bytes for the topic’s byte limit', async () => {
        await current().topics.appendEnvelopes([item(topicA, 'a1', 60)], 1000, 100);
        const [full] = await current().topics.appendEnvelopes([item(topicA, 'a2', 60)], 2000, 100);
        expect(full).toEqual({ refused: 'topic-full' });
        await current().topics.sweep({ now: 10_000, maxAgeMs: 5000, maxBytesPerTopic: 100 });
        const [fits] = await current().topics.appendEnvelopes(
          [item(topicA, 'a2', 60)],
          10_000,
          100,
        );
        expect(receipt(fits).seq).toBe(2);
      });

      it('evicts on append only what every cursor acknowledged (the lowest cursor)', async () => {
        await current().topics.appendEnvelopes(
          [item(topicA, 'a1', 30), item(topicA, 'a2', 30), item(topicA, 'a3', 30)],
          1000,
          100,
        );
        await current().topics.acknowledge(topicA, reader('alice'), 3, undefined, 1000);
        await current().topics.acknowledge(topicA, reader('bob'), 1, undefined, 1000);
        // 90 + 30 > 100: seq 1, acknowledged by both, makes room.
        const [fourth] = await current().topics.appendEnvelopes(
          [item(topicA, 'a4', 30)],
          2000,
          100,
        );
        expect(receipt(fourth).seq).toBe(4);
        expect(await seqsOf(current().topics, topicA)).toEqual([2, 3, 4]);
        // Seq 2 is acknowledged by alice only: nothing can go, so the topic is full.
        const [fifth] = await current().topics.appendEnvelopes([item(topicA, 'a5', 30)], 3000, 100);
        expect(fifth).toEqual({ refused: 'topic-full' });
        expect(await seqsOf(current().topics, topicA)).toEqual([2, 3, 4]);
        // Once bob catches up, the refused envelope fits and gets the next seq: no gap.
        await current().topics.acknowledge(topicA, reader('bob'), 2, undefined, 1000);
        const [retry] = await current().topics.appendEnvelopes([item(topicA, 'a5', 30)], 4000, 100);
        expect(receipt(retry).seq).toBe(5);
        expect(await seqsOf(current().topics, topicA)).toEqual([3, 4, 5]);
      });

      it('evicts nothing a reader who acknowledged only seq 0 still needs', async () => {
        await current().topics.appendEnvelopes([item(topicA, 'a1', 60)], 1000, 100);
        await current().topics.acknowledge(topicA, reader('alice'), 1, undefined, 1000);
        await current().topics.acknowledge(topicA, reader('bob'), 0, undefined, 1000);
        const [second] = await current().topics.appendEnvelopes(
          [item(topicA, 'a2', 60)],
          2000,
          100,
        );
        expect(second).toEqual({ refused: 'topic-full' });
        expect(await seqsOf(current().topics, topicA)).toEqual([1]);
      });

      it('refuses with topic-full when the topic has no cursor to have acknowledged anything', async () => {
        await current().topics.appendEnvelopes([item(topicA, 'a1', 60)], 1000, 100);
        const outcomes = await current().topics.appendEnvelopes(
          [item(topicA, 'a2', 60), item(topicB, 'b1', 60)],
          2000,
          100,
        );
        // One topic being full does not affect the other envelopes of the batch.
        expect(outcomes[0]).toEqual({ refused: 'topic-full' });
        expect(receipt(outcomes[1]).seq).toBe(1);
        expect(await current().topics.lastSeq(topicA)).toBe(1);
      });

      it('evicts acknowledged overflow on sweep when the byte limit is lowered', async () => {
        await current().topics.appendEnvelopes(
          [item(topicA, 'a1', 30), item(topicA, 'a2', 30), item(topicA, 'a3', 30)],
          1000,
          NO_LIMIT,
        );
        await current().topics.acknowledge(topicA, reader('alice'), 3, undefined, 1000);
        await current().topics.sweep({ now: 2000, maxAgeMs: 1_000_000, maxBytesPerTopic: 40 });
        // Oldest first, only until the topic fits.
        expect(await seqsOf(current().topics, topicA)).toEqual([3]);
      });

      it('keeps unacknowledged overflow on sweep', async () => {
        await current().topics.appendEnvelopes(
          [item(topicA, 'a1', 30), item(topicA, 'a2', 30)],
          1000,
          NO_LIMIT,
        );
        await current().topics.acknowledge(topicA, reader('alice'), 1, undefined, 1000);
        await current().topics.acknowledge(topicA, reader('bob'), 0, undefined, 1000);
        expect(
          await current().topics.sweep({ now: 2000, maxAgeMs: 1_000_000, maxBytesPerTopic: 10 }),
        ).toBe(0);
        expect(await seqsOf(current().topics, topicA)).toEqual([1, 2]);
      });
    });
  });
}
