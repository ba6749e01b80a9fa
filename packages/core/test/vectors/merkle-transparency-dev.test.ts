/**
 * transparency-dev/merkle testdata (RFC 9162 proofs and subtree proofs): every file under
 * shared/vectors/merkle/testdata runs; happy paths verify and every `wantErr` case is rejected.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
  type MerkleProofFailure,
} from '../../src/log/merkle.js';
import type { Result } from '../../src/result.js';

const root = new URL('../../../../../shared/vectors/merkle/testdata/', import.meta.url);

interface VectorCase {
  readonly file: string;
  readonly data: Record<string, unknown>;
  readonly wantErr: boolean;
}

function listFiles(dir: URL): string[] {
  return readdirSync(fileURLToPath(dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath}/${entry.name}`)
    .sort();
}

function loadKind(kind: string): VectorCase[] {
  const dir = new URL(`${kind}/`, root);
  const base = fileURLToPath(dir);
  return listFiles(dir).map((path) => {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (typeof data.wantErr !== 'boolean') throw new Error(`${path}: no wantErr`);
    return { file: path.slice(base.length), data, wantErr: data.wantErr };
  });
}

const bytes = (value: unknown): Uint8Array => {
  if (typeof value !== 'string') throw new Error(`expected base64, got ${String(value)}`);
  return Uint8Array.from(Buffer.from(value, 'base64'));
};
const hashes = (value: unknown): Uint8Array[] =>
  value === null ? [] : (value as unknown[]).map(bytes);
const size = (value: unknown): number => {
  if (typeof value !== 'number') throw new Error(`expected a number, got ${String(value)}`);
  return value;
};

/**
 * Runs a verification and says whether it accepted. A uint64 beyond 2^53 (the files use
 * 2^64 - 1 and 2^63 + 2) reaches us rounded by JSON.parse; the core refuses such a size with a
 * RangeError before looking at anything else, which counts as a rejection.
 */
function accepts(verify: () => Result<true, MerkleProofFailure>, sizes: unknown[]): boolean {
  if (sizes.some((s) => !Number.isSafeInteger(s))) {
    expect(verify).toThrow(RangeError);
    return false;
  }
  return verify().ok;
}

const kinds = {
  inclusion: (d: Record<string, unknown>) =>
    accepts(
      () =>
        verifyInclusion(
          bytes(d.leafHash),
          size(d.leafIdx),
          size(d.treeSize),
          hashes(d.proof),
          bytes(d.root),
        ),
      [d.leafIdx, d.treeSize],
    ),
  consistency: (d: Record<string, unknown>) =>
    accepts(
      () =>
        verifyConsistency(
          size(d.size1),
          size(d.size2),
          hashes(d.proof),
          bytes(d.root1),
          bytes(d.root2),
        ),
      [d.size1, d.size2],
    ),
  subtreeinclusion: (d: Record<string, unknown>) =>
    accepts(
      () =>
        verifySubtreeInclusion(
          bytes(d.leafHash),
          size(d.leafIdx),
          size(d.start),
          size(d.end),
          hashes(d.proof),
          bytes(d.root),
        ),
      [d.leafIdx, d.start, d.end],
    ),
  subtreeconsistency: (d: Record<string, unknown>) =>
    accepts(
      () =>
        verifySubtreeConsistency(
          size(d.start),
          size(d.end),
          size(d.size),
          hashes(d.proof),
          bytes(d.root1),
          bytes(d.root2),
        ),
      [d.start, d.end, d.size],
    ),
} as const;

// The file counts listed in shared/vectors/SOURCES.md (518 in all): a missing or extra file fails.
const expectedCounts = {
  inclusion: 98,
  consistency: 98,
  subtreeinclusion: 204,
  subtreeconsistency: 118,
};

it('covers every directory of the testdata', () => {
  const dirs = readdirSync(fileURLToPath(root)).sort();
  expect(dirs).toEqual(Object.keys(kinds).sort());
});

for (const [kind, run] of Object.entries(kinds)) {
  const cases = loadKind(kind);
  const expected = expectedCounts[kind as keyof typeof expectedCounts];
  describe(`transparency-dev/merkle ${kind} (${cases.length} cases)`, () => {
    let ran = 0;

    it.each(cases)('$file', ({ data, wantErr }) => {
      ran++;
      expect(run(data)).toBe(!wantErr);
    });

    it(`ran all ${expected} files, happy paths and rejections alike`, () => {
      expect(cases).toHaveLength(expected);
      expect(ran).toBe(expected);
      expect(cases.some((c) => c.wantErr)).toBe(true);
      expect(cases.some((c) => !c.wantErr)).toBe(true);
    });
  });
}
