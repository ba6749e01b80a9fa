/** History verification: signed chat entries verified per second (@parley/core verifyHistory). */
import {
  accountIdFromPublicKey,
  createChatEntry,
  equalBytes,
  newSharedTopic,
  verifyHistory,
} from '@parley/core';
import { random, suite } from '../generator/session.js';
import { spread, type Spread } from '../stats.js';

/** History figures. */
export interface HistoryFigures {
  readonly entries: number;
  readonly authors: number;
  /** Signing every entry once, before timing (createChatEntry). */
  readonly buildSeconds: number;
  readonly buildEntriesPerSecond: number;
  readonly verifiedEntriesPerSecond: Spread;
}

/** Bytewise order, as entry heads must be sorted (docs/spec/history.md). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  }
  return a.length - b.length;
}

interface Author {
  readonly seed: Uint8Array;
  readonly device: Uint8Array;
  readonly account: string;
  n: number;
  last: Uint8Array | null;
}

/**
 * Builds `entries` entries by `authors` authors writing in turn, each naming its previous entry
 * and the latest entry of every other author as heads (a causal DAG like a busy group chat).
 */
async function buildHistory(chat: Uint8Array, entries: number, authorCount: number) {
  const authors: Author[] = [];
  for (let i = 0; i < authorCount; i++) {
    const seed = random(32);
    const device = await suite.ed25519.publicKey(seed);
    authors.push({ seed, device, account: accountIdFromPublicKey(device), n: 0, last: null });
  }
  const bytes: Uint8Array[] = [];
  for (let i = 0; i < entries; i++) {
    const author = authors[i % authorCount] as Author;
    const prev = author.last;
    const heads = authors
      .filter((a) => a !== author && a.last !== null)
      .map((a) => a.last as Uint8Array)
      .filter((h) => prev === null || !equalBytes(h, prev))
      .sort(compareBytes);
    const created = await createChatEntry(suite, author.seed, {
      chat,
      author: accountIdFromPublicKey(author.device),
      device: author.device,
      n: ++author.n,
      prev,
      heads,
      sentAt: Date.now(),
      body: { type: 'text', text: `message ${i}` },
      checkpoint: null,
    });
    author.last = created.hash;
    bytes.push(created.bytes);
  }
  return { bytes, authors };
}

/** Measures verifyHistory over a history of `entries` entries, `runs` times. */
export async function runHistory(options: {
  entries: number;
  authors: number;
  runs: number;
}): Promise<HistoryFigures> {
  const chat = newSharedTopic(random);
  const buildStart = performance.now();
  const { bytes, authors } = await buildHistory(chat, options.entries, options.authors);
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const devices = new Map(authors.map((a) => [a.account, [a.device]]));
  const rates: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const start = performance.now();
    const report = await verifyHistory(suite, chat, bytes, {
      deviceKeysOf: (account) => devices.get(account),
    });
    const seconds = (performance.now() - start) / 1000;
    if (!report.ok || report.entries !== options.entries) {
      throw new Error(`history did not verify: ${report.problems.length} problems`);
    }
    rates.push(options.entries / seconds);
  }
  return {
    entries: options.entries,
    authors: options.authors,
    buildSeconds,
    buildEntriesPerSecond: options.entries / buildSeconds,
    verifiedEntriesPerSecond: spread(rates),
  };
}
