/** Ingest: P publisher connections, each with a fixed number of envelopes in flight. */
import { startGenerators, stopGenerators } from '../generator/handle.js';
import type { IngestResult } from '../generator/protocol.js';
import { watchProcess } from '../proc-stats.js';
import { startRelay } from '../relay-process.js';
import {
  concatSamples,
  percentiles,
  spread,
  spreadPercentiles,
  type Percentiles,
  type Spread,
} from '../stats.js';

/** Ingest figures at one P. */
export interface IngestFigures {
  readonly publishers: number;
  readonly generatorProcesses: number;
  readonly acknowledged: Spread;
  readonly envelopesPerSecond: Spread;
  readonly ackLatencyMs: Record<keyof Percentiles, Spread>;
  readonly errors: number;
  readonly relayCpuPercent: Spread;
  readonly relayPeakRssBytes: Spread;
}

/** Ingest options. */
export interface IngestOptions {
  readonly publishers: readonly number[];
  readonly inFlight: number;
  readonly maxEnvelopes: number;
  readonly durationMs: number;
  readonly payloadBytes: number;
  readonly runs: number;
  /** Node flags for the relay (e.g. --cpu-prof), or none. */
  readonly relayNodeFlags?: (publishers: number, run: number) => readonly string[];
  readonly onProgress: (line: string) => void;
}

interface IngestRun {
  readonly acked: number;
  readonly rate: number;
  readonly latency: Percentiles;
  readonly errors: number;
  readonly cpu: number;
  readonly rss: number;
}

async function ingestRun(
  options: IngestOptions,
  publishers: number,
  run: number,
): Promise<IngestRun> {
  const relay = await startRelay({ nodeFlags: options.relayNodeFlags?.(publishers, run) ?? [] });
  // Two cores: more than two generator processes would only contend with each other.
  const processes = Math.min(publishers, 2);
  const generators = startGenerators(processes);
  try {
    const perConnection = Math.ceil(options.maxEnvelopes / publishers);
    await Promise.all(
      generators.map((g, i) =>
        g.request(
          {
            type: 'setup',
            job: {
              role: 'ingest',
              relayUrl: relay.url,
              wsUrl: relay.wsUrl,
              connections:
                Math.floor(publishers / processes) + (i < publishers % processes ? 1 : 0),
              envelopesPerConnection: perConnection,
              inFlight: options.inFlight,
              payloadBytes: options.payloadBytes,
              durationMs: options.durationMs,
            },
          },
          'ready',
        ),
      ),
    );
    const watch = watchProcess(relay.pid);
    const replies = await Promise.all(generators.map((g) => g.request({ type: 'start' }, 'done')));
    const usage = watch.stop();
    const results = replies.map((r) => r.result as IngestResult);
    const acked = results.reduce((n, r) => n + r.acked, 0);
    const first = Math.min(...results.map((r) => r.firstSendAt));
    const last = Math.max(...results.map((r) => r.lastAckAt));
    return {
      acked,
      rate: acked / ((last - first) / 1000),
      latency: percentiles(concatSamples(results.map((r) => r.ackLatencyMs))),
      errors: results.reduce((n, r) => n + r.errors, 0),
      cpu: usage.cpuPercent,
      rss: usage.peakRssBytes,
    };
  } finally {
    await stopGenerators(generators);
    await relay.stop();
  }
}

/** Runs the ingest workload at every P, `runs` times each, a fresh relay per run. */
export async function runIngest(options: IngestOptions): Promise<IngestFigures[]> {
  const figures: IngestFigures[] = [];
  for (const publishers of options.publishers) {
    const runs: IngestRun[] = [];
    for (let run = 0; run < options.runs; run++) {
      runs.push(await ingestRun(options, publishers, run));
      options.onProgress(
        `ingest P=${publishers} run ${run + 1}: ${Math.round(runs.at(-1)?.rate ?? 0)} env/s`,
      );
    }
    figures.push({
      publishers,
      generatorProcesses: Math.min(publishers, 2),
      acknowledged: spread(runs.map((r) => r.acked)),
      envelopesPerSecond: spread(runs.map((r) => r.rate)),
      ackLatencyMs: spreadPercentiles(runs.map((r) => r.latency)),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      relayCpuPercent: spread(runs.map((r) => r.cpu)),
      relayPeakRssBytes: spread(runs.map((r) => r.rss)),
    });
  }
  return figures;
}
