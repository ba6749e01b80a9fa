/**
 * History verification (docs/spec/history.md §Verifying a history): every entry's signature and
 * chat, then each (author, device) chain — gaps, broken links, equivocations — and the DAG's
 * references, each problem with the signed bytes that prove it.
 */
import { compareBytes, equalBytes, toHex } from '../bytes.js';
import type { CryptoSuite } from '../crypto/suite.js';
import {
  entryHash,
  openChatEntry,
  type ChatEntry,
  type ChatEntryFailure,
} from '../mls/chat-entry.js';
import { orderEntries } from './order.js';

/**
 * Something wrong with a history, with its evidence (signed entry bytes that anyone can check):
 * - `gap`: entries n ∈ [missingFrom, missingTo] of this author-device are absent; evidence is the
 *   first held entry after the gap.
 * - `broken-link`: entry n's `prev` is not the hash of the held entry n − 1; evidence is
 *   [entry n − 1, entry n].
 * - `equivocation`: two different signed entries with the same author, device and n (both kept).
 * - `invalid-entry`: an entry that does not open (malformed, bad signature, another chat) or whose
 *   device is not one of its author's.
 * - `missing-dependency`: a head hash that no held entry has and that no held entry's `prev`
 *   explains (those are gaps, or precede a chain's first held entry).
 */
export type HistoryProblem =
  | {
      kind: 'gap';
      author: string;
      device: Uint8Array;
      missingFrom: number;
      missingTo: number;
      evidence: Uint8Array;
    }
  | {
      kind: 'broken-link';
      author: string;
      device: Uint8Array;
      n: number;
      evidence: readonly [Uint8Array, Uint8Array];
    }
  | {
      kind: 'equivocation';
      author: string;
      device: Uint8Array;
      n: number;
      evidence: readonly [Uint8Array, Uint8Array];
    }
  | { kind: 'invalid-entry'; reason: ChatEntryFailure | 'unknown-device'; evidence: Uint8Array }
  | { kind: 'missing-dependency'; hash: Uint8Array; referencedBy: Uint8Array };

/** A verified entry with its hash and signed bytes. */
export type VerifiedEntry = ChatEntry & { hash: Uint8Array; bytes: Uint8Array };

/** What `verifyHistory` found. */
export interface HistoryReport {
  /** True when there is no problem. */
  readonly ok: boolean;
  /** How many distinct valid entries there are. */
  readonly entries: number;
  /** The valid entries in `orderEntries` order (both entries of an equivocation included). */
  readonly order: readonly VerifiedEntry[];
  /** Each (author, device) chain: its valid entries and highest n, by account then device. */
  readonly authors: readonly {
    account: string;
    device: Uint8Array;
    count: number;
    lastN: number;
  }[];
  readonly problems: readonly HistoryProblem[];
}

/** Who may write and where each chain's history is expected to begin. */
export interface VerifyHistoryOptions {
  /**
   * The device keys allowed for an account (undefined: unknown author). Without this option any
   * device is accepted; with it, entries by other devices are `invalid-entry` (`unknown-device`).
   */
  readonly deviceKeysOf?: (account: string) => readonly Uint8Array[] | undefined;
  /**
   * The first n this history is expected to hold for a chain (a member who joined late holds no
   * earlier entries); undefined or absent: 1. Entries below it may be held; none are required.
   */
  readonly firstHeld?: (account: string, device: Uint8Array) => number | undefined;
}

interface Chain {
  readonly account: string;
  readonly device: Uint8Array;
  /** Entries by n, each list sorted by hash. */
  readonly byN: Map<number, VerifiedEntry[]>;
}

/** How many entries are opened (decoded and their signatures checked) at once. */
const OPEN_BATCH = 256;

/**
 * Verifies a set of signed entry bytes for `chat` (repeats of the same bytes count once): each
 * entry's rules, signature and chat, its device against `deviceKeysOf`; then chains per (author,
 * device) from `firstHeld` (default 1): gaps, broken links, equivocations; and heads that point
 * outside the history. Problems come in a fixed order: invalid entries by hash, then chain by
 * chain (by account, then device) in order of n, then missing dependencies in entry order.
 * Never throws for bad bytes; RangeError if `firstHeld` returns something other than a positive
 * safe integer or undefined.
 */
export async function verifyHistory(
  suite: CryptoSuite,
  chat: Uint8Array,
  entries: readonly Uint8Array[],
  options: VerifyHistoryOptions = {},
): Promise<HistoryReport> {
  const unique = new Map<string, Uint8Array>();
  for (const bytes of entries) unique.set(toHex(entryHash(bytes)), bytes);
  const held = [...unique.keys()].sort();
  const problems: HistoryProblem[] = [];
  const valid: VerifiedEntry[] = [];
  // Signatures are checked a batch at a time: WebCrypto works on a thread pool, so awaiting
  // one verification after another would leave it (and the other cores) idle.
  const opens: Awaited<ReturnType<typeof openChatEntry>>[] = [];
  for (let start = 0; start < held.length; start += OPEN_BATCH) {
    const batch = held.slice(start, start + OPEN_BATCH);
    opens.push(
      ...(await Promise.all(
        batch.map((key) => openChatEntry(suite, unique.get(key) ?? new Uint8Array(0), chat)),
      )),
    );
  }
  for (const [index, key] of held.entries()) {
    const bytes = unique.get(key) ?? new Uint8Array(0);
    const opened = opens[index];
    if (opened === undefined) continue;
    if (!opened.ok) {
      problems.push({ kind: 'invalid-entry', reason: opened.reason, evidence: bytes });
      continue;
    }
    const entry = opened.value;
    if (options.deviceKeysOf !== undefined) {
      const keys = options.deviceKeysOf(entry.author) ?? [];
      if (!keys.some((key) => equalBytes(key, entry.device))) {
        problems.push({ kind: 'invalid-entry', reason: 'unknown-device', evidence: bytes });
        continue;
      }
    }
    valid.push({ ...entry, bytes });
  }
  const chains = chainsOf(valid);
  for (const chain of chains) problems.push(...chainProblems(chain, options.firstHeld));
  const order = orderEntries(valid);
  const heldKeys = new Set(held);
  const prevNamed = new Set(valid.flatMap((e) => (e.prev === null ? [] : [toHex(e.prev)])));
  for (const entry of order) {
    for (const head of entry.heads) {
      const key = toHex(head);
      if (heldKeys.has(key) || prevNamed.has(key)) continue;
      problems.push({ kind: 'missing-dependency', hash: head, referencedBy: entry.hash });
    }
  }
  return {
    ok: problems.length === 0,
    entries: valid.length,
    order,
    authors: chains.map(({ account, device, byN }) => ({
      account,
      device,
      count: [...byN.values()].reduce((sum, list) => sum + list.length, 0),
      lastN: [...byN.keys()].reduce((max, n) => Math.max(max, n), 0),
    })),
    problems,
  };
}

function chainsOf(valid: readonly VerifiedEntry[]): Chain[] {
  const chains = new Map<string, Chain>();
  for (const entry of valid) {
    const key = `${entry.author} ${toHex(entry.device)}`;
    let chain = chains.get(key);
    if (chain === undefined) {
      chain = { account: entry.author, device: entry.device, byN: new Map() };
      chains.set(key, chain);
    }
    const list = chain.byN.get(entry.n);
    if (list === undefined) chain.byN.set(entry.n, [entry]);
    else list.push(entry);
  }
  for (const chain of chains.values()) {
    for (const list of chain.byN.values()) list.sort((a, b) => compareBytes(a.hash, b.hash));
  }
  return [...chains.values()].sort((a, b) =>
    a.account === b.account ? compareBytes(a.device, b.device) : a.account < b.account ? -1 : 1,
  );
}

function chainProblems(
  chain: Chain,
  firstHeld: VerifyHistoryOptions['firstHeld'],
): HistoryProblem[] {
  const { account: author, device, byN } = chain;
  const from = firstHeld?.(author, device) ?? 1;
  if (!Number.isSafeInteger(from) || from < 1) {
    throw new RangeError(`firstHeld must return a positive integer, got ${String(from)}`);
  }
  const problems: HistoryProblem[] = [];
  let expected = from;
  for (const n of [...byN.keys()].sort((a, b) => a - b)) {
    const [first, ...others] = byN.get(n) ?? [];
    if (first === undefined) continue;
    if (n > expected) {
      problems.push({
        kind: 'gap',
        author,
        device,
        missingFrom: expected,
        missingTo: n - 1,
        evidence: first.bytes,
      });
    }
    expected = Math.max(expected, n + 1);
    for (const other of others) {
      problems.push({
        kind: 'equivocation',
        author,
        device,
        n,
        evidence: [first.bytes, other.bytes],
      });
    }
    const before = byN.get(n - 1);
    if (before === undefined) continue;
    for (const entry of [first, ...others]) {
      const { prev } = entry;
      if (prev !== null && before.some((p) => equalBytes(p.hash, prev))) continue;
      problems.push({
        kind: 'broken-link',
        author,
        device,
        n,
        evidence: [before[0]?.bytes ?? new Uint8Array(0), entry.bytes],
      });
    }
  }
  return problems;
}
