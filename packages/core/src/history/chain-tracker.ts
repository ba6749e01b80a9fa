/**
 * The per-chat history rules a member applies as entries arrive (docs/spec/history.md): a pure
 * state machine from (chain state, entry, the entries held around it) to the next chain state and
 * the problems it shows — replays, equivocations, broken links, reorderings, suspected gaps — and
 * the links of this device's next entry. Storage and asking the relay again stay with the caller.
 */
import { compareBytes, equalBytes, toHex } from '../bytes.js';
import { MAX_HEADS } from '../mls/chat-entry.js';

/** One chain's held range: `first` is where this member's view of the chain begins. */
export interface ChainRange {
  readonly first: number;
  readonly last: number;
}

/** What a member tracks of a chat's history (the chat record's history fields). */
export interface ChainState {
  /** This device's entry counter. */
  readonly counter: number;
  /** The hash of this device's last entry, null before the first. */
  readonly prev: Uint8Array | null;
  /** The DAG heads seen: entry hashes nothing held refers to yet. */
  readonly heads: readonly Uint8Array[];
  /** Per chain (`chainKey(author, device)`), the range held. */
  readonly chains: Readonly<Record<string, ChainRange>>;
}

/** A held entry, as far as the rules look at it. */
export interface HeldEntry {
  readonly hash: Uint8Array;
  readonly bytes: Uint8Array;
  readonly own: boolean;
  /** The relay's seq of its envelope, null while unknown (an own entry not yet posted). */
  readonly seq: number | null;
}

/** The links of an arriving entry and where it arrived. */
export interface ObservedEntry {
  readonly author: string;
  readonly device: Uint8Array;
  readonly n: number;
  readonly hash: Uint8Array;
  readonly prev: Uint8Array | null;
  readonly heads: readonly Uint8Array[];
  readonly bytes: Uint8Array;
  /** The seq of the envelope that carried it. */
  readonly seq: number;
}

/** The entries held at n − 1, n and n + 1 of the arriving entry's chain. */
export interface HeldAround {
  readonly before: readonly HeldEntry[];
  readonly same: readonly HeldEntry[];
  readonly after: readonly HeldEntry[];
}

/** A problem an arriving entry shows, with the signed entries that prove it. */
export type ChainProblem =
  | {
      readonly kind: 'equivocation' | 'broken-link';
      readonly author: string;
      readonly device: Uint8Array;
      readonly n: number;
      readonly evidence: readonly [Uint8Array, Uint8Array];
    }
  | {
      /** Entries of a chain arrived in an order their links contradict. */
      readonly kind: 'reordered';
      readonly author: string;
      readonly device: Uint8Array;
      readonly n: number;
      readonly seqs: readonly [number, number];
      readonly evidence: readonly [Uint8Array, Uint8Array];
    };

/** What observing an entry decided. */
export type Observation =
  /** The very entry is held already: drop it (a replay). */
  | { readonly kind: 'replay' }
  | {
      readonly kind: 'accepted';
      /** The state with the entry filed; keep it with the entry. */
      readonly state: ChainState;
      /** False for the second entry of an equivocation: kept as evidence, not shown. */
      readonly show: boolean;
      readonly problems: readonly ChainProblem[];
      /** Its predecessor is missing inside the held range: ask the relay again for it. */
      readonly suspectedGap: boolean;
    };

/** The key of an (author, device) chain in `ChainState.chains`. */
export function chainKey(author: string, device: Uint8Array): string {
  return `${author}/${toHex(device)}`;
}

/**
 * Files an arriving entry against what is held: an exact repeat is a replay; another entry at
 * the same (author, device, n) is an equivocation (kept, not shown); a `prev` that is not the
 * held predecessor is a broken link; a missing predecessor inside the held range is a suspected
 * gap; a successor that arrived earlier at a lower seq means the relay reordered them.
 */
export function observeEntry(
  state: ChainState,
  entry: ObservedEntry,
  held: HeldAround,
): Observation {
  const { author, device, n, hash, bytes } = entry;
  if (held.same.some((other) => equalBytes(other.hash, hash))) return { kind: 'replay' };
  const key = chainKey(author, device);
  const chain = state.chains[key];
  const referenced = entry.prev === null ? entry.heads : [entry.prev, ...entry.heads];
  const heads = state.heads.filter((head) => !referenced.some((ref) => equalBytes(ref, head)));
  heads.push(hash);
  const next: ChainState = {
    ...state,
    heads: heads.slice(-4 * MAX_HEADS),
    chains: {
      ...state.chains,
      [key]: { first: Math.min(chain?.first ?? n, n), last: Math.max(chain?.last ?? n, n) },
    },
  };
  const first = held.same[0];
  if (first !== undefined) {
    return {
      kind: 'accepted',
      state: next,
      show: false,
      problems: [{ kind: 'equivocation', author, device, n, evidence: [first.bytes, bytes] }],
      suspectedGap: false,
    };
  }
  const problems: ChainProblem[] = [];
  let suspectedGap = false;
  if (n > 1) {
    const previous = held.before[0];
    const prev = entry.prev;
    if (
      previous !== undefined &&
      (prev === null || !held.before.some((other) => equalBytes(other.hash, prev)))
    ) {
      problems.push({ kind: 'broken-link', author, device, n, evidence: [previous.bytes, bytes] });
    } else if (previous === undefined && chain !== undefined && n - 1 >= chain.first) {
      suspectedGap = true;
    }
  }
  const later = held.after[0];
  if (later !== undefined && !later.own && later.seq !== null && later.seq < entry.seq) {
    problems.push({
      kind: 'reordered',
      author,
      device,
      n,
      seqs: [later.seq, entry.seq],
      evidence: [later.bytes, bytes],
    });
  }
  return { kind: 'accepted', state: next, show: true, problems, suspectedGap };
}

/** The links of this device's next entry: its number, `prev`, and the heads it references. */
export function nextEntryLinks(state: ChainState): {
  readonly n: number;
  readonly prev: Uint8Array | null;
  readonly heads: Uint8Array[];
} {
  const n = state.counter + 1;
  const prev = n === 1 ? null : state.prev;
  const heads = state.heads
    .filter((head) => prev === null || !equalBytes(head, prev))
    .slice()
    .sort(compareBytes)
    .slice(0, MAX_HEADS);
  return { n, prev, heads };
}

/**
 * The state after this device wrote entry `n` with `hash` on chain `key`: the new counter and
 * `prev`, and its own entry as the only head (it references every head it saw).
 */
export function afterOwnEntry(
  state: ChainState,
  key: string,
  n: number,
  hash: Uint8Array,
): ChainState {
  return {
    ...state,
    counter: n,
    prev: hash,
    heads: [hash],
    chains: { ...state.chains, [key]: { first: state.chains[key]?.first ?? n, last: n } },
  };
}
