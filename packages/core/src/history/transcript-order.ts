/**
 * The order rule of a transcript (docs/spec/history.md §Transcripts): each entry is listed once,
 * after everything it links to, and the whole list is the `orderEntries` order of its entries —
 * so a verified transcript proves the causal order it shows, and one set has one transcript order.
 */
import { toHex } from '../bytes.js';
import type { EntryLinks } from './order.js';

/**
 * Why a transcript's list of entries is not in its order (`index` is a position in that list):
 * - `repeated-entry`: the entry at `index` was already listed at `first`.
 * - `out-of-causal-order`: the entry at `index` links (`prev` or a head) to `dependency`, which is
 *   listed later, at `dependencyIndex`; evidence is [dependency bytes, entry bytes], which show
 *   the link.
 * - `not-canonical-order`: the list is causal but not the `orderEntries` order: at `index` it has
 *   `found` where that order has `expected` (reported once, at the first difference).
 */
export type TranscriptOrderProblem =
  | { kind: 'repeated-entry'; index: number; first: number; entry: Uint8Array }
  | {
      kind: 'out-of-causal-order';
      index: number;
      entry: Uint8Array;
      dependency: Uint8Array;
      dependencyIndex: number;
      evidence: readonly [Uint8Array, Uint8Array];
    }
  | { kind: 'not-canonical-order'; index: number; found: Uint8Array; expected: Uint8Array };

/** A listed entry: its signed bytes and their entry hash. */
export interface ListedEntry {
  readonly hash: Uint8Array;
  readonly bytes: Uint8Array;
}

/**
 * Checks the order of a transcript's `listed` entries against `ordered`, its valid entries in
 * `orderEntries` order (as `verifyHistory` returns them). Links are judged against every listed
 * entry, valid or not (an honest exporter places whatever it links to first); the canonical order
 * is compared among the valid entries only, and only when the list is causal. Entries in
 * `ordered` that are not listed are ignored. Returns the problems (none: in order); never throws.
 */
export function checkTranscriptOrder(
  listed: readonly ListedEntry[],
  ordered: readonly (EntryLinks & { readonly bytes: Uint8Array })[],
): TranscriptOrderProblem[] {
  const problems: TranscriptOrderProblem[] = [];
  const position = new Map<string, number>();
  for (const [index, { hash }] of listed.entries()) {
    const key = toHex(hash);
    const first = position.get(key);
    if (first === undefined) position.set(key, index);
    else problems.push({ kind: 'repeated-entry', index, first, entry: hash });
  }
  const byHash = new Map(ordered.map((entry) => [toHex(entry.hash), entry]));
  const causal: TranscriptOrderProblem[] = [];
  for (const [index, { hash }] of listed.entries()) {
    const entry = byHash.get(toHex(hash));
    if (entry === undefined || position.get(toHex(hash)) !== index) continue;
    const links = entry.prev === null ? entry.heads : [entry.prev, ...entry.heads];
    const later = links
      .map((link) => ({ link, at: position.get(toHex(link)) ?? -1 }))
      .filter(({ at }) => at > index)
      .sort((a, b) => a.at - b.at);
    for (const { link, at } of later) {
      causal.push({
        kind: 'out-of-causal-order',
        index,
        entry: hash,
        dependency: link,
        dependencyIndex: at,
        evidence: [listed[at]?.bytes ?? new Uint8Array(0), entry.bytes],
      });
    }
  }
  problems.push(...causal);
  if (causal.length > 0) return problems;
  const expected = ordered.filter((entry) => position.has(toHex(entry.hash)));
  let next = 0;
  for (const [index, { hash }] of listed.entries()) {
    const key = toHex(hash);
    if (!byHash.has(key) || position.get(key) !== index) continue;
    const want = expected[next++];
    if (want !== undefined && toHex(want.hash) !== key) {
      problems.push({ kind: 'not-canonical-order', index, found: hash, expected: want.hash });
      break;
    }
  }
  return problems;
}
