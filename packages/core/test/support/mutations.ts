/** Byte-level mutations for fuzzing decoders with fast-check: flip, insert, delete, truncate. */
import fc from 'fast-check';

/** One edit of an encoded value; positions are taken modulo the length they apply to. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'insert'; readonly at: number; readonly byte: number }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'truncate'; readonly at: number };

/** Arbitrary mutations; apply them with `applyMutation`. */
export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/**
 * Returns a mutated copy of `bytes` (non-empty), always different from it: a flip changes one
 * bit, an insert or delete changes the length, a truncation keeps a strict prefix.
 */
export function applyMutation(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  if (bytes.length === 0) throw new RangeError('applyMutation: bytes must not be empty');
  switch (mutation.kind) {
    case 'flip': {
      // Uint8Array.from, not slice(): encodeCanonical may return a Node Buffer, whose slice() is a view.
      const out = Uint8Array.from(bytes);
      const at = mutation.at % bytes.length;
      out[at] = (out[at] ?? 0) ^ (1 << mutation.bit);
      return out;
    }
    case 'insert': {
      const at = mutation.at % (bytes.length + 1);
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes.subarray(0, at), 0);
      out[at] = mutation.byte;
      out.set(bytes.subarray(at), at + 1);
      return out;
    }
    case 'delete': {
      const at = mutation.at % bytes.length;
      const out = new Uint8Array(bytes.length - 1);
      out.set(bytes.subarray(0, at), 0);
      out.set(bytes.subarray(at + 1), at);
      return out;
    }
    case 'truncate':
      return Uint8Array.from(bytes.subarray(0, mutation.at % bytes.length));
  }
}
