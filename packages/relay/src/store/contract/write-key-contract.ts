/** The topic store's write-key and cursor contract (docs/spec/chats.md §Write keys): trust on first use, only the current key commits, the previous key still posts application messages, stale or unproven cursors hold no eviction back, keys outlive retention. */
import { sha256 } from '@noble/hashes/sha2.js';
import { cidForBytes } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { freshStores } from './store-fixtures.js';
import type { RelayStores } from '../relay-stores.js';
import type { AppendOutcome, EnvelopeToAppend, TopicStore } from '../topic-store.js';

const NO_LIMIT = 2 ** 40;
const topic = new Uint8Array(32).fill(0x0c);
const keyOf = (label: string) => sha256(new TextEncoder().encode(label));
const [w0, w1, w2, stranger] = ['w0', 'w1', 'w2', 'stranger'].map(keyOf) as [
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
];

let counter = 0;
/** A post by `writer`; with `commit`, a Commit for that epoch naming `next`. */
function post(
  writer: Uint8Array,
  options: { commit?: number; next?: Uint8Array; size?: number } = {},
): EnvelopeToAppend {
  counter += 1;
  return {
    topic,
    cid: cidForBytes(new TextEncoder().encode(`post ${counter}`)).toString(),
    bytes: new Uint8Array(options.size ?? 10),
    writer,
    ...(options.commit === undefined ? {} : { commitEpoch: options.commit, next: options.next }),
  };
}

async function one(topics: TopicStore, item: EnvelopeToAppend, limit = NO_LIMIT, at = 1000) {
  const [outcome] = await topics.appendEnvelopes([item], at, limit);
  return outcome as AppendOutcome;
}

const refusal = (outcome: AppendOutcome) => ('refused' in outcome ? outcome.refused : 'stored');

/** Runs the write-key and cursor rules against fresh, empty stores from `open`. */
export function describeWriteKeyContract(name: string, open: () => RelayStores): void {
  describe(name, () => {
    const current = freshStores(open);

    describe('topic write keys', () => {
      it('lets the first writer claim a topic, then refuses every other key', async () => {
        expect(refusal(await one(current().topics, post(w0)))).toBe('stored');
        expect(refusal(await one(current().topics, post(stranger)))).toBe('not-a-writer');
        expect(
          refusal(await one(current().topics, post(stranger, { commit: 0, next: stranger }))),
        ).toBe('not-a-writer');
        expect(await current().topics.lastSeq(topic)).toBe(1);
      });

      it('moves the key with each Commit: the previous key still posts messages but never commits', async () => {
        expect(refusal(await one(current().topics, post(w0, { commit: 0, next: w1 })))).toBe(
          'stored',
        );
        expect(refusal(await one(current().topics, post(w0)))).toBe('stored');
        expect(refusal(await one(current().topics, post(w1)))).toBe('stored');
        expect(refusal(await one(current().topics, post(w0, { commit: 1, next: stranger })))).toBe(
          'not-a-writer',
        );
        expect(refusal(await one(current().topics, post(w1, { commit: 1, next: w2 })))).toBe(
          'stored',
        );
        // Two Commits on, the first key is nobody's any more.
        expect(refusal(await one(current().topics, post(w0)))).toBe('not-a-writer');
        expect(refusal(await one(current().topics, post(w1)))).toBe('stored');
      });

      it('answers a Commit that lost the race for its epoch with a conflict, whoever signed it', async () => {
        await one(current().topics, post(w0, { commit: 0, next: w1 }));
        expect(refusal(await one(current().topics, post(w0, { commit: 0, next: stranger })))).toBe(
          'commit-conflict',
        );
        expect(
          refusal(await one(current().topics, post(stranger, { commit: 0, next: stranger }))),
        ).toBe('commit-conflict');
      });

      it('keeps a topic’s keys after retention removed all its envelopes', async () => {
        await one(current().topics, post(w0, { commit: 0, next: w1 }));
        await current().topics.sweep({ now: 10_000, maxAgeMs: 1000, maxBytesPerTopic: NO_LIMIT });
        expect(await current().topics.listEnvelopes(topic, 0, 10)).toEqual([]);
        expect(
          refusal(await one(current().topics, post(stranger, { commit: 1, next: stranger }))),
        ).toBe('not-a-writer');
        expect(
          refusal(await one(current().topics, post(w1, { commit: 1, next: w2 }), NO_LIMIT, 10_000)),
        ).toBe('stored');
      });
    });

    describe('proven cursors', () => {
      it('takes acknowledgements only with the current key', async () => {
        await one(current().topics, post(w0, { commit: 0, next: w1 }));
        expect(await current().topics.acknowledge(topic, keyOf('r'), 1, w0, 1000)).toBe(
          'not-a-writer',
        );
        expect(await current().topics.acknowledge(topic, keyOf('r'), 1, stranger, 1000)).toBe(
          'not-a-writer',
        );
        expect(await current().topics.acknowledgedSeq(topic, keyOf('r'))).toBeUndefined();
        expect(await current().topics.acknowledge(topic, keyOf('r'), 1, w1, 1000)).toBe('ok');
        expect(await current().topics.acknowledgedSeq(topic, keyOf('r'))).toBe(1);
      });

      it('stops holding eviction back once its key epoch is two Commits old', async () => {
        await one(current().topics, post(w0, { size: 40 }));
        await current().topics.acknowledge(topic, keyOf('behind'), 0, w0, 1000);
        await one(current().topics, post(w0, { commit: 0, next: w1, size: 40 }));
        await current().topics.acknowledge(topic, keyOf('member'), 2, w1, 1000);
        // One Commit behind, the reader at seq 0 still counts: nothing can go.
        expect(refusal(await one(current().topics, post(w1, { size: 40 }), 100))).toBe(
          'topic-full',
        );
        await one(current().topics, post(w1, { commit: 1, next: w2, size: 10 }), 1000);
        await current().topics.acknowledge(topic, keyOf('member'), 3, w2, 1000);
        // Two Commits behind it counts no more: seq 1, acknowledged by the member, makes room.
        expect(refusal(await one(current().topics, post(w2, { size: 40 }), 100))).toBe('stored');
        expect(
          (await current().topics.listEnvelopes(topic, 0, 10)).map((stored) => stored.seq),
        ).toEqual([2, 3, 4]);
      });

      it('removes cursors idle longer than the retention age', async () => {
        await one(current().topics, post(w0));
        await current().topics.acknowledge(topic, keyOf('idle'), 1, w0, 1000);
        await current().topics.acknowledge(topic, keyOf('busy'), 1, w0, 9000);
        await current().topics.sweep({ now: 10_000, maxAgeMs: 5000, maxBytesPerTopic: NO_LIMIT });
        expect(await current().topics.acknowledgedSeq(topic, keyOf('idle'))).toBeUndefined();
        expect(await current().topics.acknowledgedSeq(topic, keyOf('busy'))).toBe(1);
      });
    });
  });
}
