/**
 * The deterministic causal order of a chat history (docs/spec/history.md §Order): a topological
 * order of the entry DAG in which, among the entries ready to go next, the earliest `sentAt` goes
 * first, then the smallest hash. It is the smallest such order, so it depends only on the set.
 */
import { compareBytes, equalBytes } from '../bytes.js';

/** What ordering needs of an entry: its hash, its links and its clock. */
export interface EntryLinks {
  readonly hash: Uint8Array;
  readonly prev: Uint8Array | null;
  readonly heads: readonly Uint8Array[];
  readonly sentAt: number;
}

/** The first four bytes of a hash as a number: a cheap bucket key (full bytes confirm a match). */
function prefixOf(hash: Uint8Array): number {
  return (
    (((hash[0] ?? 0) << 24) | ((hash[1] ?? 0) << 16) | ((hash[2] ?? 0) << 8) | (hash[3] ?? 0)) >>> 0
  );
}

/** A binary min-heap of small non-negative integers (here: ranks). */
class RankHeap {
  readonly #items: number[] = [];

  push(item: number): void {
    const items = this.#items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = items[parent] ?? 0;
      if (up <= item) break;
      items[i] = up;
      i = parent;
    }
    items[i] = item;
  }

  pop(): number | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= items.length) break;
      const right = child + 1;
      if (right < items.length && (items[right] ?? 0) < (items[child] ?? 0)) child = right;
      const value = items[child] ?? 0;
      if (value >= last) break;
      items[i] = value;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/**
 * Orders entries causally and deterministically: every entry comes after its `prev` and its
 * `heads` when those are present (references to absent entries, and to the entry itself, are
 * ignored); among entries whose present dependencies are all placed, the smallest (sentAt, hash
 * bytewise) goes next. The same set in any input order gives the same output (duplicates — equal
 * hash and sentAt — keep their input order among themselves). A cycle (impossible with real
 * hashes, possible with made-up links) is broken by placing the smallest (sentAt, hash) entry not
 * yet placed, even if it waits for the cycle. O(n log n), no recursion.
 */
export function orderEntries<T extends EntryLinks>(entries: readonly T[]): T[] {
  const count = entries.length;
  // Rank every entry once by (sentAt, hash, input index); from then on only ranks are compared.
  const byRank = entries
    .map((_, i) => i)
    .sort((a, b) => {
      const [x, y] = [entries[a], entries[b]];
      if (x === undefined || y === undefined) return 0;
      if (x.sentAt !== y.sentAt) return x.sentAt < y.sentAt ? -1 : 1;
      return compareBytes(x.hash, y.hash) || a - b;
    });
  const rankOf = new Int32Array(count);
  byRank.forEach((index, rank) => (rankOf[index] = rank));
  // Group entries by hash; each group is named by its first index.
  const buckets = new Map<number, number[]>();
  const groupOf = new Int32Array(count);
  const groupSize = new Int32Array(count);
  const find = (hash: Uint8Array): number | undefined => {
    for (const i of buckets.get(prefixOf(hash)) ?? []) {
      const other = entries[i];
      if (other !== undefined && equalBytes(other.hash, hash)) return i;
    }
    return undefined;
  };
  entries.forEach((entry, i) => {
    const group = find(entry.hash);
    if (group === undefined) {
      const prefix = prefixOf(entry.hash);
      const bucket = buckets.get(prefix);
      if (bucket === undefined) buckets.set(prefix, [i]);
      else bucket.push(i);
    }
    groupOf[i] = group ?? i;
    groupSize[group ?? i] = (groupSize[group ?? i] ?? 0) + 1;
  });
  // dependents[g]: entries that wait for every entry of group g.
  const dependents: (number[] | undefined)[] = new Array<number[] | undefined>(count);
  const waiting = new Int32Array(count);
  entries.forEach((entry, i) => {
    const own = groupOf[i];
    const linked: number[] = [];
    const links = entry.prev === null ? entry.heads : [entry.prev, ...entry.heads];
    for (const link of links) {
      const group = find(link);
      if (group === undefined || group === own || linked.includes(group)) continue;
      linked.push(group);
      waiting[i] = (waiting[i] ?? 0) + (groupSize[group] ?? 0);
      (dependents[group] ??= []).push(i);
    }
  });
  const ready = new RankHeap();
  for (let i = 0; i < count; i++) if (waiting[i] === 0) ready.push(rankOf[i] ?? 0);
  const placed = new Uint8Array(count);
  let scan = 0; // the smallest rank that may be unplaced, for breaking cycles
  const out: T[] = [];
  while (out.length < count) {
    let rank = ready.pop();
    if (rank === undefined) {
      while (placed[byRank[scan] ?? 0] === 1) scan++;
      rank = scan;
    }
    const next = byRank[rank] ?? 0;
    if (placed[next] === 1) continue;
    placed[next] = 1;
    const entry = entries[next];
    if (entry !== undefined) out.push(entry);
    for (const dependent of dependents[groupOf[next] ?? 0] ?? []) {
      waiting[dependent] = (waiting[dependent] ?? 0) - 1;
      if (waiting[dependent] === 0 && placed[dependent] === 0) ready.push(rankOf[dependent] ?? 0);
    }
  }
  return out;
}
