import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8 } from '../bytes.js';
import { MerkleTree } from './merkle-tree.js';
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// Reference MTH written straight from RFC 9162 §2.1.1 over slices, sharing no code with merkle.ts.
function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0] ?? new Uint8Array(0);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  const left = referenceRoot(leaves.slice(0, k));
  const right = referenceRoot(leaves.slice(k));
  return sha256(concatBytes(new Uint8Array([1]), left, right));
}

// Which side each inclusion-proof sibling is on, leaf level first, from the RFC's recursion.
function inclusionShape(index: number, size: number): string {
  if (size <= 1) return '';
  let k = 1;
  while (k * 2 < size) k *= 2;
  return index < k ? `${inclusionShape(index, k)}R` : `${inclusionShape(index - k, size - k)}L`;
}

// The RFC's SUBPROOF recursion as a string of sibling sides, plus 'S' when the old root is sent.
function consistencyShape(m: number, n: number, isNode = true): string {
  if (m === n) return isNode ? '' : 'S';
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k
    ? `${consistencyShape(m, k, isNode)}R`
    : `${consistencyShape(m - k, n - k, false)}L`;
}

// Sizes uniform in 1..maxLength (fc.array would favour short arrays); leaf data from a random seed.
const leavesArbitrary = (maxLength: number) =>
  fc
    .tuple(fc.integer({ min: 1, max: maxLength }), fc.uint8Array({ minLength: 4, maxLength: 4 }))
    .map(([length, seed]) =>
      Array.from({ length }, (_, i) => leafHash(concatBytes(seed, utf8(`:${i}`)))),
    );

const flipBit = (bytes: Uint8Array, bit: number): Uint8Array => {
  const out = Uint8Array.from(bytes);
  const at = Math.floor(bit / 8) % out.length;
  out[at] = (out[at] ?? 0) ^ (1 << (bit % 8));
  return out;
};

describe('RFC 9162 hashing', () => {
  it('hashes the empty tree, a leaf and a node with the 0x00/0x01 prefixes', () => {
    expect(toHex(emptyRoot())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(toHex(rootOf([]))).toBe(toHex(emptyRoot()));
    // SHA-256(0x00) is the hash of the empty leaf (a well-known constant of CT logs).
    expect(toHex(leafHash(new Uint8Array(0)))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    const [a, b] = [leafHash(utf8('a')), leafHash(utf8('b'))];
    expect(nodeHash(a, b)).toEqual(sha256(concatBytes(new Uint8Array([1]), a, b)));
    expect(rootOf([a, b])).toEqual(nodeHash(a, b));
  });
});

describe('Merkle proofs over random trees of 1..300 leaves', () => {
  it('rootOf and every prefix of an incremental tree equal the reference root', () => {
    fc.assert(
      fc.property(leavesArbitrary(300), (leaves) => {
        const tree = new MerkleTree();
        leaves.forEach((hash, i) => {
          expect(tree.append(hash)).toBe(i);
          expect(tree.root()).toEqual(referenceRoot(leaves.slice(0, i + 1)));
        });
        expect(rootOf(leaves)).toEqual(referenceRoot(leaves));
        expect(tree.root(0)).toEqual(emptyRoot());
      }),
      { numRuns: 30 },
    );
  });

  it('verifies every inclusion proof against the reference root, from both builders', () => {
    fc.assert(
      fc.property(leavesArbitrary(300), (leaves) => {
        const tree = new MerkleTree(leaves);
        const root = referenceRoot(leaves);
        leaves.forEach((hash, index) => {
          const proof = tree.inclusionProof(index);
          expect(verifyInclusion(hash, index, leaves.length, proof, root)).toMatchObject({
            ok: true,
          });
          expect(proof).toHaveLength(inclusionShape(index, leaves.length).length);
          if (index % 37 === 0) expect(inclusionProof(leaves, index, leaves.length)).toEqual(proof);
        });
      }),
      { numRuns: 30 },
    );
  });

  it('verifies every consistency proof between prefixes against the reference roots', () => {
    fc.assert(
      fc.property(leavesArbitrary(300), fc.nat(), (leaves, pick) => {
        const tree = new MerkleTree(leaves);
        const newSize = 1 + (pick % leaves.length);
        const newRoot = referenceRoot(leaves.slice(0, newSize));
        for (let oldSize = 1; oldSize <= newSize; oldSize++) {
          const proof = tree.consistencyProof(oldSize, newSize);
          const oldRoot = referenceRoot(leaves.slice(0, oldSize));
          expect(verifyConsistency(oldSize, newSize, proof, oldRoot, newRoot)).toMatchObject({
            ok: true,
          });
          expect(proof).toHaveLength(consistencyShape(oldSize, newSize).length);
          if (oldSize % 41 === 0) {
            expect(consistencyProof(leaves, oldSize, newSize)).toEqual(proof);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('gives proofs for any earlier size from the incremental tree', () => {
    fc.assert(
      fc.property(leavesArbitrary(300), fc.nat(), fc.nat(), (leaves, a, b) => {
        const tree = new MerkleTree(leaves);
        const size = 1 + (a % leaves.length);
        const index = b % size;
        const root = referenceRoot(leaves.slice(0, size));
        const hash = leaves[index] ?? new Uint8Array(0);
        expect(tree.root(size)).toEqual(root);
        expect(verifyInclusion(hash, index, size, tree.inclusionProof(index, size), root).ok).toBe(
          true,
        );
      }),
    );
  });

  it('rejects an inclusion proof after any single-bit flip in the proof, root or leaf hash', () => {
    fc.assert(
      fc.property(leavesArbitrary(300), fc.nat(), fc.nat(), fc.nat(), (leaves, a, b, bit) => {
        const size = leaves.length;
        const index = a % size;
        const hash = leaves[index] ?? new Uint8Array(0);
        const root = referenceRoot(leaves);
        const proof = inclusionProof(leaves, index, size);
        expect(verifyInclusion(flipBit(hash, bit), index, size, proof, root)).toMatchObject({
          ok: false,
          reason: 'root-mismatch',
        });
        expect(verifyInclusion(hash, index, size, proof, flipBit(root, bit)).ok).toBe(false);
        if (proof.length > 0) {
          const at = b % proof.length;
          const flipped = proof.map((p, i) => (i === at ? flipBit(p, bit) : p));
          expect(verifyInclusion(hash, index, size, flipped, root).ok).toBe(false);
        }
      }),
    );
  });

  it('rejects an inclusion proof for any other index, and for another size unless the path has the same shape', () => {
    // RFC 9162 roots do not commit to the size: a proof for leaf 0 of 3 leaves also "proves" leaf 0
    // of a 4-leaf tree whose root is that same hash. The size is bound by the signed checkpoint.
    fc.assert(
      fc.property(leavesArbitrary(300), fc.nat(), fc.nat(), (leaves, a, b) => {
        const size = leaves.length;
        const index = a % size;
        const hash = leaves[index] ?? new Uint8Array(0);
        const root = referenceRoot(leaves);
        const proof = inclusionProof(leaves, index, size);
        const otherIndex = b % (size + 2);
        if (otherIndex !== index) {
          expect(verifyInclusion(hash, otherIndex, size, proof, root).ok).toBe(false);
        }
        const otherSize = 1 + (b % 600);
        if (otherSize !== size && index < otherSize) {
          const sameShape = inclusionShape(index, otherSize) === inclusionShape(index, size);
          expect(verifyInclusion(hash, index, otherSize, proof, root).ok).toBe(sameShape);
        }
      }),
    );
  });

  it('rejects a consistency proof after a bit flip, and for other sizes unless the shape is the same', () => {
    fc.assert(
      fc.property(
        leavesArbitrary(300),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (leaves, a, b, c, bit) => {
          const newSize = leaves.length;
          const oldSize = 1 + (a % newSize);
          const proof = consistencyProof(leaves, oldSize, newSize);
          const oldRoot = referenceRoot(leaves.slice(0, oldSize));
          const newRoot = referenceRoot(leaves);
          const verify = (p: Uint8Array[], m: number, n: number, r1: Uint8Array, r2: Uint8Array) =>
            verifyConsistency(m, n, p, r1, r2).ok;
          expect(verify(proof, oldSize, newSize, flipBit(oldRoot, bit), newRoot)).toBe(false);
          expect(verify(proof, oldSize, newSize, oldRoot, flipBit(newRoot, bit))).toBe(false);
          if (proof.length > 0) {
            const at = b % proof.length;
            const flipped = proof.map((p, i) => (i === at ? flipBit(p, bit) : p));
            expect(verify(flipped, oldSize, newSize, oldRoot, newRoot)).toBe(false);
          }
          const shape = consistencyShape(oldSize, newSize);
          const otherOld = 1 + (b % (newSize + 1));
          if (otherOld !== oldSize) {
            const same = otherOld <= newSize && consistencyShape(otherOld, newSize) === shape;
            expect(verify(proof, otherOld, newSize, oldRoot, newRoot)).toBe(same);
          }
          const otherNew = oldSize + (c % 600);
          if (otherNew !== newSize) {
            const same = consistencyShape(oldSize, otherNew) === shape;
            expect(verify(proof, oldSize, otherNew, oldRoot, newRoot)).toBe(same);
          }
        },
      ),
    );
  });
});

describe('Merkle verification edge cases', () => {
  const leaves = Array.from({ length: 5 }, (_, i) => leafHash(new Uint8Array([i])));
  const root = rootOf(leaves);

  it('answers with a reason, not an exception, for bad bytes and impossible sizes', () => {
    const proof = inclusionProof(leaves, 1, 5);
    expect(verifyInclusion(new Uint8Array(31), 1, 5, proof, root)).toMatchObject({
      reason: 'malformed-hash',
    });
    expect(verifyInclusion(leaves[1] ?? root, 5, 5, proof, root)).toMatchObject({
      reason: 'index-out-of-range',
    });
    expect(verifyInclusion(leaves[1] ?? root, 0, 0, [], root)).toMatchObject({
      reason: 'invalid-sizes',
    });
    expect(verifyInclusion(leaves[1] ?? root, 1, 5, proof.slice(1), root)).toMatchObject({
      reason: 'wrong-proof-length',
    });
    expect(verifyConsistency(0, 5, [], emptyRoot(), root)).toMatchObject({
      reason: 'invalid-sizes',
    });
    expect(verifyConsistency(5, 4, [], root, root)).toMatchObject({ reason: 'invalid-sizes' });
    expect(verifyConsistency(5, 5, [], root, root)).toMatchObject({ ok: true });
  });

  it('throws RangeError for sizes that are negative, fractional or beyond 2^53', () => {
    expect(() => verifyInclusion(root, -1, 5, [], root)).toThrow(RangeError);
    expect(() => verifyInclusion(root, 0, 1.5, [], root)).toThrow(RangeError);
    expect(() => verifyConsistency(1, 2 ** 64, [], root, root)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 0, 6)).toThrow(RangeError);
    expect(() => new MerkleTree(leaves).consistencyProof(0, 5)).toThrow(RangeError);
    expect(() => new MerkleTree().append(new Uint8Array(31))).toThrow(RangeError);
  });
});
