/**
 * The transcript order rule: the `orderEntries` order passes for any DAG (several chains,
 * concurrent entries, skewed clocks); a repeat, an entry before what it links to, or concurrent
 * entries out of their tie-break order are each refused with the positions involved.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.js';
import { orderEntries, type EntryLinks } from './order.js';
import { checkTranscriptOrder } from './transcript-order.js';

type Node = EntryLinks & { readonly bytes: Uint8Array };

/** A 32-byte hash whose bytewise order is the order of `i`. */
function hashOf(i: number): Uint8Array {
  const hash = new Uint8Array(32);
  new DataView(hash.buffer).setUint32(0, i);
  return hash;
}

function node(i: number, sentAt: number, prev: number | null, heads: number[] = []): Node {
  return {
    hash: hashOf(i),
    bytes: utf8(`entry ${i}`),
    prev: prev === null ? null : hashOf(prev),
    heads: heads.map(hashOf),
    sentAt,
  };
}

const listed = (nodes: readonly Node[]) => nodes.map(({ hash, bytes }) => ({ hash, bytes }));

/** Random DAGs: node i links only to nodes below it, clocks often equal or running behind. */
const dagArbitrary = fc
  .array(
    fc.record({
      sentAt: fc.integer({ min: 0, max: 4 }),
      prev: fc.option(fc.nat(), { nil: null }),
      heads: fc.array(fc.nat(), { maxLength: 3 }),
    }),
    { minLength: 2, maxLength: 30 },
  )
  .map((specs) =>
    specs.map((spec, i) =>
      node(
        i,
        spec.sentAt,
        i === 0 || spec.prev === null ? null : spec.prev % i,
        i === 0 ? [] : [...new Set(spec.heads.map((h) => h % i))],
      ),
    ),
  );

describe('checkTranscriptOrder', () => {
  it('accepts the orderEntries order of any DAG, whatever order the set came in (property)', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.infiniteStream(fc.nat()), (dag, picks) => {
        const shuffled = [...dag].sort(() => (picks.next().value % 3) - 1);
        const ordered = orderEntries(shuffled);
        expect(checkTranscriptOrder(listed(ordered), ordered)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses any swap of two neighbours of that order: causal when one links to the other, else canonical (property)', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.nat(), (dag, pick) => {
        const ordered = orderEntries(dag);
        const at = pick % (ordered.length - 1);
        const [first, second] = [ordered[at], ordered[at + 1]];
        if (first === undefined || second === undefined) return;
        const swapped = [...ordered];
        swapped[at] = second;
        swapped[at + 1] = first;
        const linked = [second.prev, ...second.heads].some(
          (link) => link !== null && Buffer.from(link).equals(first.hash),
        );
        const problems = checkTranscriptOrder(listed(swapped), ordered);
        expect(problems[0]).toMatchObject(
          linked
            ? { kind: 'out-of-causal-order', index: at, dependencyIndex: at + 1 }
            : { kind: 'not-canonical-order', index: at, found: second.hash, expected: first.hash },
        );
      }),
      { numRuns: 200 },
    );
  });

  it('names the entry listed before its prev, with both entries as evidence', () => {
    const chain = [node(1, 0, null), node(2, 1, 1), node(3, 2, 2)];
    const [a, b, c] = chain;
    if (a === undefined || b === undefined || c === undefined) throw new Error('no chain');
    expect(checkTranscriptOrder(listed([b, a, c]), chain)).toEqual([
      {
        kind: 'out-of-causal-order',
        index: 0,
        entry: b.hash,
        dependency: a.hash,
        dependencyIndex: 1,
        evidence: [a.bytes, b.bytes],
      },
    ]);
  });

  it('refuses concurrent entries out of their (sentAt, hash) order', () => {
    const root = node(1, 0, null);
    const [x, y] = [node(2, 5, null, [1]), node(3, 5, null, [1])];
    const ordered = orderEntries([root, x, y]);
    expect(checkTranscriptOrder(listed([root, y, x]), ordered)).toEqual([
      { kind: 'not-canonical-order', index: 1, found: y.hash, expected: x.hash },
    ]);
  });

  it('refuses an entry listed twice, naming both positions', () => {
    const [a, b] = [node(1, 0, null), node(2, 1, 1)];
    expect(checkTranscriptOrder(listed([a, b, a]), [a, b])).toEqual([
      { kind: 'repeated-entry', index: 2, first: 0, entry: a.hash },
    ]);
  });

  it('judges links to listed entries that did not verify, and ignores verified entries not listed', () => {
    const [invalid, a, b] = [node(1, 0, null), node(2, 1, null, [1]), node(3, 2, null, [2])];
    // `invalid` did not verify, so it is not among the ordered entries, but `a` links to it.
    const problems = checkTranscriptOrder(listed([a, invalid]), [a, b]);
    expect(problems).toMatchObject([
      { kind: 'out-of-causal-order', index: 0, dependencyIndex: 1, entry: a.hash },
    ]);
    expect(checkTranscriptOrder(listed([invalid, a]), [a, b])).toEqual([]);
  });
});
