/**
 * RFC 9162 §2.1 Merkle Tree Hash with SHA-256: leaf and node hashing, tree roots, inclusion and
 * consistency proofs (building and verifying), and the subtree proofs that transparency-dev/merkle
 * also tests (a subtree [start, end) with start a multiple of BIT_CEIL(end - start)).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes } from '../bytes.js';
import { fail, ok, type Result } from '../result.js';

/** Length in bytes of every leaf hash, node hash and root (SHA-256). */
export const MERKLE_HASH_BYTES = 32;

// Domain separation between leaves and interior nodes (RFC 9162 §2.1.1): without it an interior
// node could be presented as a leaf (a second-preimage attack on the tree).
const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** MTH({d}) = SHA-256(0x00 || d): the hash of one leaf's data. */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256.create().update(LEAF_PREFIX).update(data).digest();
}

/** SHA-256(0x01 || left || right): the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256.create().update(NODE_PREFIX).update(left).update(right).digest();
}

/** MTH({}) = SHA-256(""): the root of the empty tree. */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/**
 * Anything that can give the hash of the RFC 9162 subtree over leaves [lo, hi). The proof
 * builders only ask for ranges the RFC's recursion produces (lo a multiple of the largest power
 * of two below hi - lo, or hi - lo a power of two aligned on it).
 */
export interface SubtreeHasher {
  subtreeHash(lo: number, hi: number): Uint8Array;
}

/** Throws RangeError unless `value` is a non-negative safe integer. */
export function assertSize(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
  }
}

/** The largest power of two strictly less than `n` (n ≥ 2): the split point k of RFC 9162. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The subtree hasher over an array of leaf hashes, recomputing each range: O(hi - lo). */
function arrayHasher(leafHashes: readonly Uint8Array[]): SubtreeHasher {
  const hash = (lo: number, hi: number): Uint8Array => {
    if (hi === lo) return emptyRoot();
    if (hi - lo === 1) return leafHashes[lo] ?? emptyRoot();
    const k = splitPoint(hi - lo);
    return nodeHash(hash(lo, lo + k), hash(lo + k, hi));
  };
  return { subtreeHash: hash };
}

function assertLeafHashes(leafHashes: readonly Uint8Array[], size: number): void {
  if (size > leafHashes.length) {
    throw new RangeError(`tree size ${size} exceeds the ${leafHashes.length} leaf hashes given`);
  }
}

/** MTH(D[0:n]) over the given leaf hashes (RFC 9162 §2.1.1); O(n). */
export function rootOf(leafHashes: readonly Uint8Array[]): Uint8Array {
  return arrayHasher(leafHashes).subtreeHash(0, leafHashes.length);
}

/**
 * PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), leaf level first, from any subtree hasher.
 * Throws RangeError unless 0 ≤ index < size.
 */
export function buildInclusionProof(
  hasher: SubtreeHasher,
  index: number,
  size: number,
): Uint8Array[] {
  assertSize(index, 'index');
  assertSize(size, 'tree size');
  if (index >= size) throw new RangeError(`index ${index} is not below tree size ${size}`);
  const proof: Uint8Array[] = [];
  let lo = 0;
  let hi = size;
  // Walk down from the root, collecting the sibling at each level; reverse for leaf-first order.
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      proof.push(hasher.subtreeHash(lo + k, hi));
      hi = lo + k;
    } else {
      proof.push(hasher.subtreeHash(lo, lo + k));
      lo += k;
    }
  }
  return proof.reverse();
}

/**
 * PROOF(oldSize, D[0:newSize]) (RFC 9162 §2.1.4.1) from any subtree hasher. Empty when the sizes
 * are equal. Throws RangeError unless 0 < oldSize ≤ newSize.
 */
export function buildConsistencyProof(
  hasher: SubtreeHasher,
  oldSize: number,
  newSize: number,
): Uint8Array[] {
  assertSize(oldSize, 'old size');
  assertSize(newSize, 'new size');
  if (oldSize === 0 || oldSize > newSize) {
    throw new RangeError(`consistency needs 0 < old size ≤ new size, got ${oldSize}, ${newSize}`);
  }
  const proof: Uint8Array[] = [];
  // SUBPROOF(m, D[lo:hi], b), unrolled; `isOldRootANode` is b: true while the old tree is still a
  // complete node of the new one, so its hash need not be sent.
  let m = oldSize;
  let lo = 0;
  let hi = newSize;
  let isOldRootANode = true;
  while (m !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (m <= k) {
      proof.push(hasher.subtreeHash(lo + k, hi));
      hi = lo + k;
    } else {
      proof.push(hasher.subtreeHash(lo, lo + k));
      m -= k;
      lo += k;
      isOldRootANode = false;
    }
  }
  if (!isOldRootANode) proof.push(hasher.subtreeHash(lo, hi));
  return proof.reverse();
}

/** Inclusion proof for leaf `index` in the tree of the first `treeSize` leaf hashes; O(n). */
export function inclusionProof(
  leafHashes: readonly Uint8Array[],
  index: number,
  treeSize: number,
): Uint8Array[] {
  assertSize(treeSize, 'tree size');
  assertLeafHashes(leafHashes, treeSize);
  return buildInclusionProof(arrayHasher(leafHashes), index, treeSize);
}

/** Consistency proof between the trees of the first `oldSize` and `newSize` leaf hashes; O(n). */
export function consistencyProof(
  leafHashes: readonly Uint8Array[],
  oldSize: number,
  newSize: number,
): Uint8Array[] {
  assertSize(newSize, 'new size');
  assertLeafHashes(leafHashes, newSize);
  return buildConsistencyProof(arrayHasher(leafHashes), oldSize, newSize);
}

/** Why a Merkle proof was not accepted. */
export type MerkleProofFailure =
  | 'index-out-of-range' // the leaf index is not below the tree size
  | 'invalid-sizes' // empty tree, old size above the new one, or an unaligned subtree
  | 'malformed-hash' // a leaf hash or proof element is not 32 bytes
  | 'wrong-proof-length' // the proof has more or fewer hashes than the sizes call for
  | 'root-mismatch'; // the proof recomputes a different root

// Index arithmetic in bigint: sizes reach past 2^32, where JavaScript's bitwise operators stop.
const bitLength = (x: bigint): number => x.toString(2).length - (x === 0n ? 1 : 0);
const popCount = (x: bigint): number => x.toString(2).replaceAll('0', '').length;
const trailingZeros = (x: bigint): number => {
  let n = 0;
  while (x > 0n && (x & 1n) === 0n) {
    x >>= 1n;
    n++;
  }
  return n;
};
const bitCeil = (x: bigint): bigint => (x <= 1n ? 1n : 1n << BigInt(bitLength(x - 1n)));

function hasHashShape(hashes: readonly Uint8Array[]): boolean {
  return hashes.every((h) => h instanceof Uint8Array && h.length === MERKLE_HASH_BYTES);
}

// True if [start, end) is a subtree: non-empty and start a multiple of BIT_CEIL(end - start).
function isSubtree(start: bigint, end: bigint): boolean {
  return start < end && start % bitCeil(end - start) === 0n;
}

/**
 * Verifies that `leafHash` is leaf `leafIndex` of the subtree [start, end) whose hash is `root`.
 * A whole tree is the subtree [0, size). Never throws for bad bytes; RangeError for sizes that are
 * not non-negative safe integers.
 */
export function verifySubtreeInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  start: number,
  end: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Result<true, MerkleProofFailure> {
  assertSize(leafIndex, 'leaf index');
  assertSize(start, 'start');
  assertSize(end, 'end');
  const [s, e, i] = [BigInt(start), BigInt(end), BigInt(leafIndex)];
  if (!isSubtree(s, e)) return fail('invalid-sizes');
  if (i < s || i >= e) return fail('index-out-of-range');
  if (!hasHashShape([leafHash, ...proof])) return fail('malformed-hash');
  // The proof splits into an inner part, below the level where the paths to the leaf and to the
  // last leaf meet, and a border part on the right edge, where only left siblings exist.
  const index = i - s;
  const last = e - s - 1n;
  const inner = bitLength(index ^ last);
  const border = popCount(index >> BigInt(inner));
  if (proof.length !== inner + border) return fail('wrong-proof-length');
  let hash = leafHash;
  proof.forEach((sibling, level) => {
    const isRightChild = level >= inner || ((index >> BigInt(level)) & 1n) === 1n;
    hash = isRightChild ? nodeHash(sibling, hash) : nodeHash(hash, sibling);
  });
  return equalBytes(hash, root) ? ok(true) : fail('root-mismatch');
}

/**
 * RFC 9162 §2.1.3.2: verifies that `leafHash` is leaf `leafIndex` of the tree of `treeSize`
 * leaves with root `root`. Never throws for bad bytes; RangeError for a size or index that is not
 * a non-negative safe integer.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Result<true, MerkleProofFailure> {
  assertSize(treeSize, 'tree size');
  if (treeSize === 0) return fail('invalid-sizes');
  return verifySubtreeInclusion(leafHash, leafIndex, 0, treeSize, proof, root);
}

/**
 * Verifies that the subtree [start, end) with hash `subtreeRoot` is part of the tree of `size`
 * leaves with root `root`. Never throws for bad bytes; RangeError for sizes that are not
 * non-negative safe integers.
 */
export function verifySubtreeConsistency(
  start: number,
  end: number,
  size: number,
  proof: readonly Uint8Array[],
  subtreeRoot: Uint8Array,
  root: Uint8Array,
): Result<true, MerkleProofFailure> {
  assertSize(start, 'start');
  assertSize(end, 'end');
  assertSize(size, 'size');
  const [s, e, n] = [BigInt(start), BigInt(end), BigInt(size)];
  if (s === e && e <= n) {
    // The empty subtree is part of every tree; all there is to check is that its hash is MTH({}).
    if (proof.length !== 0) return fail('wrong-proof-length');
    return equalBytes(subtreeRoot, emptyRoot()) ? ok(true) : fail('root-mismatch');
  }
  if (!isSubtree(s, e) || e > n) return fail('invalid-sizes');
  if (s === 0n && e === n) {
    // The same tree: nothing to prove but equality (the roots' length is not checked, as a root
    // of the wrong length can only ever equal itself).
    if (proof.length !== 0) return fail('wrong-proof-length');
    return equalBytes(subtreeRoot, root) ? ok(true) : fail('root-mismatch');
  }
  if (!hasHashShape(proof)) return fail('malformed-hash');
  // Start from the largest complete node that ends the subtree, at level `shift`. When it is the
  // whole subtree the verifier knows its hash already and the proof omits it.
  const subtreeLevel = bitLength(bitCeil(e - s)) - 1;
  const shift = Math.min(trailingZeros(e), subtreeLevel);
  const isSubtreeANode = shift === subtreeLevel && e - s === 1n << BigInt(subtreeLevel);
  const seed = isSubtreeANode ? subtreeRoot : proof[0];
  const path = isSubtreeANode ? proof : proof.slice(1);
  if (seed === undefined) return fail('wrong-proof-length');
  const index = (e - 1n) >> BigInt(shift);
  const last = (n - 1n) >> BigInt(shift);
  const inner = bitLength(index ^ last);
  const border = popCount(index >> BigInt(inner));
  if (path.length !== inner + border) return fail('wrong-proof-length');
  // Climb both roots at once: left siblings feed both (the old one only while still inside the
  // subtree), right siblings lie beyond the subtree and feed only the new root.
  let oldHash = seed;
  let newHash = seed;
  path.forEach((sibling, step) => {
    const isRightChild = step >= inner || ((index >> BigInt(step)) & 1n) === 1n;
    if (isRightChild) {
      if (shift + step < subtreeLevel) oldHash = nodeHash(sibling, oldHash);
      newHash = nodeHash(sibling, newHash);
    } else {
      newHash = nodeHash(newHash, sibling);
    }
  });
  if (!equalBytes(oldHash, subtreeRoot)) return fail('root-mismatch');
  return equalBytes(newHash, root) ? ok(true) : fail('root-mismatch');
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of `oldSize` leaves with root `oldRoot` is a prefix of
 * the tree of `newSize` leaves with root `newRoot`. An old size of 0 is refused ('invalid-sizes'):
 * every tree extends the empty one, so such a "proof" proves nothing and is a caller's mistake.
 * Never throws for bad bytes; RangeError for sizes that are not non-negative safe integers.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): Result<true, MerkleProofFailure> {
  assertSize(oldSize, 'old size');
  assertSize(newSize, 'new size');
  if (oldSize === 0) return fail('invalid-sizes');
  return verifySubtreeConsistency(0, oldSize, newSize, proof, oldRoot, newRoot);
}
