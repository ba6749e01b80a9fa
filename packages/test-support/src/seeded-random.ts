/**
 * A deterministic RandomSource for tests: SHA-256 in counter mode over a seed. Its output is
 * predictable by design, so it must never produce a real key (hence `unsafe`).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8, type RandomSource } from '@parley/core';

/**
 * Returns a RandomSource whose stream is block_i = sha256(seed || u32be(i)) for i = 0, 1, …,
 * handed out in order however the calls split it. Throws RangeError on a negative or fractional
 * length.
 */
export function unsafeSeededRandom(seed: string | Uint8Array): RandomSource {
  const seedBytes = typeof seed === 'string' ? utf8(seed) : Uint8Array.from(seed);
  let counter = 0;
  let block: Uint8Array = new Uint8Array(0);
  let used = 0;
  return (length) => {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(
        `unsafeSeededRandom: length must be a non-negative integer, got ${length}`,
      );
    }
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (used === block.length) {
        const index = new Uint8Array(4);
        new DataView(index.buffer).setUint32(0, counter);
        counter += 1;
        block = sha256(concatBytes(seedBytes, index));
        used = 0;
      }
      const take = Math.min(length - filled, block.length - used);
      out.set(block.subarray(used, used + take), filled);
      filled += take;
      used += take;
    }
    return out;
  };
}
