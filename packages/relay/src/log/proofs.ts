/**
 * RFC 9162 §2.1.3.1 and §2.1.4.1 proof construction over any subtree hasher, so that proofs come
 * from the stored levels without loading the tree. The same recursion as core's MerkleTree (whose
 * builders @parley/core does not export); tests check every proof against MerkleTree.
 */

/** Gives the hash of the RFC 9162 subtree over leaves [lo, hi). */
export interface SubtreeHasher {
  subtreeHash(lo: number, hi: number): Uint8Array;
}

/** The largest power of two strictly less than `n` (n ≥ 2): RFC 9162's split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function assertSize(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
  }
}

/** PATH(index, D[0:size]), leaf level first. RangeError unless 0 ≤ index < size. */
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

/** PROOF(oldSize, D[0:newSize]); empty for equal sizes. RangeError unless 0 < old ≤ new. */
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
  let m = oldSize;
  let lo = 0;
  let hi = newSize;
  // True while the old tree is a complete node of the new one, so its hash need not be sent.
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
