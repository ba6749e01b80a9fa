/** Command-line flags of `npm run bench` and the sizes of a full and a smoke run. */
import { parseArgs } from 'node:util';

/** The workloads, in the order they run. */
export const WORKLOADS = ['ingest', 'fanout', 'connections', 'mls', 'history', 'log'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** Every size a run uses. */
export interface Sizes {
  readonly ingest: {
    publishers: number[];
    inFlight: number;
    maxEnvelopes: number;
    durationMs: number;
  };
  readonly fanout: {
    subscribers: number[];
    rates: number[];
    allTopicSubscribers: number;
    durationMs: number;
    publisherConnections: number;
  };
  readonly connections: { counts: number[] };
  readonly mls: { groupSizes: number[]; messages: number; runsAtLargest: number };
  readonly history: { entries: number; authors: number };
  readonly log: { leaves: number; batchLeaves: number; proofs: number };
}

/** The sizes of issue #7. */
const FULL_SIZES: Sizes = {
  ingest: { publishers: [1, 8, 32], inFlight: 100, maxEnvelopes: 50_000, durationMs: 10_000 },
  fanout: {
    subscribers: [100, 1000],
    rates: [1000, 5000],
    allTopicSubscribers: 3,
    durationMs: 10_000,
    publisherConnections: 4,
  },
  connections: { counts: [1000, 10_000] },
  mls: { groupSizes: [10, 100, 1000], messages: 200, runsAtLargest: 3 },
  history: { entries: 100_000, authors: 4 },
  log: { leaves: 50_000, batchLeaves: 1024, proofs: 10_000 },
};

/** Tiny sizes that exercise every path in seconds (`--smoke`, run by the smoke test). */
const SMOKE_SIZES: Sizes = {
  ingest: { publishers: [1], inFlight: 100, maxEnvelopes: 200, durationMs: 2_000 },
  fanout: {
    subscribers: [5],
    rates: [100],
    allTopicSubscribers: 3,
    durationMs: 1_000,
    publisherConnections: 2,
  },
  connections: { counts: [20] },
  mls: { groupSizes: [3, 5], messages: 10, runsAtLargest: 1 },
  history: { entries: 200, authors: 4 },
  log: { leaves: 500, batchLeaves: 128, proofs: 200 },
};

/** Parsed flags. */
export interface BenchOptions {
  readonly isSmoke: boolean;
  readonly only: readonly WorkloadName[];
  readonly runs: number;
  readonly outDir: string | undefined;
  /** Write a CPU profile of the relay during ingest at this P (run 1) into this directory. */
  readonly profileDir: string | undefined;
  readonly profilePublishers: number;
  readonly sizes: Sizes;
}

/** Parses argv. Throws TypeError on an unknown flag or workload, RangeError on a bad number. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
      'cpu-prof-publishers': { type: 'string', default: '8' },
    },
  });
  const only = (values.only?.split(',') ?? [...WORKLOADS]).map((name) => {
    if (!(WORKLOADS as readonly string[]).includes(name)) {
      throw new TypeError(`unknown workload "${name}"; expected ${WORKLOADS.join(', ')}`);
    }
    return name as WorkloadName;
  });
  const runs = Number(values.runs ?? (values.smoke ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be ≥ 1, got ${runs}`);
  return {
    isSmoke: values.smoke,
    only,
    runs,
    outDir: values.out,
    profileDir: values['cpu-prof-dir'],
    profilePublishers: Number(values['cpu-prof-publishers']),
    sizes: values.smoke ? SMOKE_SIZES : FULL_SIZES,
  };
}
