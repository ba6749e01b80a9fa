/**
 * An append-only RFC 9162 Merkle tree that keeps the hash of every complete subtree, so that
 * appends, roots and proofs for any earlier tree size cost O(log n) hashes, not O(n).
 */
import {
  MERKLE_HASH_BYTES,
  assertSize,
  buildConsistencyProof,
  buildInclusionProof,
  emptyRoot,
  nodeHash,
  splitPoint,
  type SubtreeHasher,
} from './merkle.js';

/**
 * Levels of complete-subtree hashes: `levels[h][i]` is the hash of leaves [i·2^h, (i+1)·2^h).
 * Level 0 holds the leaf hashes themselves. Memory is about 2n hashes; a relay that outgrows it
 * persists the levels (the relay's storage, not the core, decides how).
 *
 * - `append`: amortized O(1), worst case O(log n) node hashes.
 * - `root(size)`: O(log n) node hashes for any size ≤ `size`.
 * - `inclusionProof`, `consistencyProof`: O(log n) subtree lookups, each O(log n) node hashes at
 *   worst (only the right edge of a tree that is not a power of two needs recomputing).
 */
export class MerkleTree implements SubtreeHasher {
  readonly #levels: Uint8Array[][] = [[]];

  /** Starts from the given leaf hashes, if any (each 32 bytes; TypeError/RangeError otherwise). */
  constructor(leafHashes: Iterable<Uint8Array> = []) {
    for (const hash of leafHashes) this.append(hash);
  }

  /** The number of leaves appended so far. */
  get size(): number {
    return this.#levels[0]?.length ?? 0;
  }

  /**
   * Appends one leaf hash (not leaf data: hash it with `leafHash` first) and returns its index.
   * Throws TypeError/RangeError unless it is a 32-byte Uint8Array.
   */
  append(hash: Uint8Array): number {
    if (!(hash instanceof Uint8Array)) throw new TypeError('leaf hash must be a Uint8Array');
    if (hash.length !== MERKLE_HASH_BYTES) {
      throw new RangeError(`leaf hash must be ${MERKLE_HASH_BYTES} bytes, got ${hash.length}`);
    }
    const index = this.size;
    let node: Uint8Array = Uint8Array.from(hash);
    // Carry upwards like a binary counter: each time a level gets an even count, its last two
    // nodes complete a node on the level above.
    for (let level = 0; ; level++) {
      const row = this.#levels[level] ?? [];
      if (this.#levels[level] === undefined) this.#levels.push(row);
      row.push(node);
      if (row.length % 2 !== 0) break;
      const left = row[row.length - 2];
      if (left === undefined) break;
      node = nodeHash(left, node);
    }
    return index;
  }

  /** The hash of leaf `index`. Throws RangeError if there is no such leaf. */
  leafHash(index: number): Uint8Array {
    this.#assertWithin(index + 1, 'index');
    const hash = this.#levels[0]?.[index];
    if (hash === undefined) throw new RangeError(`no leaf ${index}`);
    return hash;
  }

  /** The root of the tree of the first `size` leaves (default: all). Throws RangeError if too big. */
  root(size: number = this.size): Uint8Array {
    this.#assertWithin(size, 'size');
    return size === 0 ? emptyRoot() : this.subtreeHash(0, size);
  }

  /**
   * The hash of leaves [lo, hi), a subtree as RFC 9162's recursion splits them. Complete, aligned
   * ranges are looked up; others are split at the largest power of two below their length.
   * Throws RangeError for an empty or out-of-range span.
   */
  subtreeHash(lo: number, hi: number): Uint8Array {
    assertSize(lo, 'lo');
    this.#assertWithin(hi, 'hi');
    if (hi <= lo) throw new RangeError(`empty range [${lo}, ${hi})`);
    const width = hi - lo;
    const level = Math.round(Math.log2(width));
    if (2 ** level === width && lo % width === 0) {
      const hash = this.#levels[level]?.[lo / width];
      if (hash !== undefined) return hash;
    }
    const k = splitPoint(width);
    return nodeHash(this.subtreeHash(lo, lo + k), this.subtreeHash(lo + k, hi));
  }

  /** Inclusion proof of leaf `index` in the tree of `size` leaves. RangeError if out of range. */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    this.#assertWithin(size, 'size');
    return buildInclusionProof(this, index, size);
  }

  /** Consistency proof from `oldSize` to `newSize` (0 < old ≤ new ≤ size); RangeError otherwise. */
  consistencyProof(oldSize: number, newSize: number = this.size): Uint8Array[] {
    this.#assertWithin(newSize, 'new size');
    return buildConsistencyProof(this, oldSize, newSize);
  }

  #assertWithin(value: number, name: string): void {
    assertSize(value, name);
    if (value > this.size) throw new RangeError(`${name} ${value} exceeds tree size ${this.size}`);
  }
}
