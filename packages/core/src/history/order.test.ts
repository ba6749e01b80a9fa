/**
 * The deterministic causal order: topological over prev and heads, ties by (sentAt, hash); the
 * same set in any input order gives the same sequence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes, toHex } from '../bytes.js';
import { orderEntries, type EntryLinks } from './order.js';

interface Node extends EntryLinks {
  readonly name: string;
}

/** A 32-byte hash whose bytewise order is the order of `i`. */
function hashOf(i: number): Uint8Array {
  const hash = new Uint8Array(32);
  new DataView(hash.buffer).setUint32(0, i);
  hash[31] = 0xaa;
  return hash;
}

function node(i: number, sentAt: number, prev: number | null, heads: number[] = []): Node {
  return {
    name: `e${i}`,
    hash: hashOf(i),
    prev: prev === null ? null : hashOf(prev),
    heads: heads.map(hashOf),
    sentAt,
  };
}

const names = (nodes: readonly Node[]) => nodes.map((n) => n.name);

/**
 * Reference order written from the definition, O(n²): repeatedly place the smallest
 * (sentAt, hash) entry all of whose present dependencies are placed.
 */
function referenceOrder(nodes: readonly Node[]): string[] {
  const present = new Set(nodes.map((n) => toHex(n.hash)));
  const placed = new Set<string>();
  const left = [...nodes];
  const out: string[] = [];
  while (left.length > 0) {
    const ready = left.filter((n) =>
      [...(n.prev === null ? [] : [n.prev]), ...n.heads]
        .map(toHex)
        .every((h) => !present.has(h) || placed.has(h) || h === toHex(n.hash)),
    );
    ready.sort((a, b) => a.sentAt - b.sentAt || compareBytes(a.hash, b.hash));
    const next = ready[0];
    if (next === undefined) throw new Error('cycle in a reference DAG');
    left.splice(left.indexOf(next), 1);
    placed.add(toHex(next.hash));
    out.push(next.name);
  }
  return out;
}

/** Random DAGs: node i links only to nodes below i, with random clocks (often equal or skewed). */
const dagArbitrary = fc
  .array(
    fc.record({
      sentAt: fc.integer({ min: 0, max: 5 }),
      prev: fc.option(fc.nat(), { nil: null }),
      heads: fc.array(fc.nat(), { maxLength: 3 }),
      id: fc.nat({ max: 1_000_000 }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((specs) => {
    const ids = [...new Set(specs.map((s) => s.id))];
    return ids.map((id, i) => {
      const spec = specs[i] ?? { sentAt: 0, prev: null, heads: [] };
      const below = (k: number) => ids[k % i] ?? 0;
      return node(
        id,
        spec.sentAt,
        i === 0 || spec.prev === null ? null : below(spec.prev),
        i === 0 ? [] : [...new Set(spec.heads.map(below))],
      );
    });
  });

describe('orderEntries', () => {
  it('puts an entry after its prev and heads, even when its clock says earlier', () => {
    const a = node(1, 100, null);
    const b = node(2, 50, 1); // written after a, with a clock running behind
    const c = node(3, 10, null, [2]);
    expect(names(orderEntries([c, b, a]))).toEqual(['e1', 'e2', 'e3']);
  });

  it('breaks ties between concurrent entries by sentAt, then hash bytewise', () => {
    const root = node(9, 0, null);
    const x = node(5, 7, null, [9]);
    const y = node(4, 7, null, [9]);
    const z = node(1, 8, null, [9]);
    expect(names(orderEntries([z, x, y, root]))).toEqual(['e9', 'e4', 'e5', 'e1']);
  });

  it('ignores references to absent entries and to the entry itself', () => {
    const a = node(1, 5, 77, [78]);
    const b = node(2, 1, null, [2, 79]);
    expect(names(orderEntries([a, b]))).toEqual(['e2', 'e1']);
  });

  it('returns an empty list for no entries and does not change its input', () => {
    expect(orderEntries([])).toEqual([]);
    const input = [node(2, 1, 1), node(1, 2, null)];
    const copy = [...input];
    orderEntries(input);
    expect(input).toEqual(copy);
  });

  it('equals the reference order and does not depend on input order (property)', () => {
    fc.assert(
      fc.property(
        dagArbitrary.chain((dag) =>
          fc.tuple(fc.constant(dag), fc.shuffledSubarray(dag, { minLength: dag.length })),
        ),
        ([dag, shuffled]) => {
          const ordered = names(orderEntries(shuffled));
          expect(ordered).toEqual(names(orderEntries(dag)));
          expect(ordered).toEqual(referenceOrder(dag));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('places every entry once even with made-up links that form a cycle, deterministically', () => {
    const a = node(1, 3, 2);
    const b = node(2, 1, 3);
    const c = node(3, 2, 1);
    const d = node(4, 0, null, [1]);
    const first = names(orderEntries([a, b, c, d]));
    expect(first).toEqual(names(orderEntries([d, c, b, a])));
    // Nothing is ready: the smallest (sentAt, hash) unplaced entry goes first each time — d,
    // although it waits for a, then b, which frees a, which frees c.
    expect(first).toEqual(['e4', 'e2', 'e1', 'e3']);
  });

  it('keeps duplicates (same hash and sentAt) together in input order', () => {
    const a = { ...node(1, 1, null), name: 'first copy' };
    const b = { ...node(1, 1, null), name: 'second copy' };
    const c = node(2, 0, 1);
    expect(names(orderEntries([a, c, b]))).toEqual(['first copy', 'second copy', 'e2']);
  });

  it('orders 100,000 entries of 200 interleaved chains, each after its prev and heads', () => {
    const count = 100_000;
    const chains = 200;
    const nodes: Node[] = [];
    for (let i = 0; i < count; i++) {
      const heads =
        i >= chains
          ? [i - chains + 1, i - 7].filter((h) => h >= 0 && h % chains !== i % chains)
          : [];
      nodes.push(node(i, Math.floor(i / 3) ^ 5, i >= chains ? i - chains : null, heads));
    }
    const shuffled = [...nodes].reverse();
    const ordered = orderEntries(shuffled);
    expect(ordered).toHaveLength(count);
    const position = new Map(ordered.map((n, i) => [n.name, i]));
    const late: string[] = [];
    for (const n of nodes) {
      const at = position.get(n.name) ?? -1;
      for (const link of [...(n.prev === null ? [] : [n.prev]), ...n.heads]) {
        const linked = `e${new DataView(link.buffer).getUint32(0)}`;
        if (!((position.get(linked) ?? Infinity) < at)) late.push(`${n.name} before ${linked}`);
      }
    }
    expect(late).toEqual([]);
    expect(new Set(ordered.map((n) => n.name)).size).toBe(count);
  });
});
