/** Relay memory per idle WebSocket connection (authenticated, no subscriptions). */
import { startGenerators, stopGenerators } from '../generator/handle.js';
import { statusBytes } from '../proc-stats.js';
import { startRelay } from '../relay-process.js';
import { spread, type Spread } from '../stats.js';

/** Figures at one connection count. */
export interface ConnectionFigures {
  readonly connections: number;
  readonly baselineRssBytes: Spread;
  readonly loadedRssBytes: Spread;
  readonly rssBytesPerConnection: Spread;
}

const SETTLE_MS = 2_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens N idle connections to a fresh relay per run and measures its RSS before and after. */
export async function runConnections(options: {
  counts: readonly number[];
  runs: number;
  onProgress: (line: string) => void;
}): Promise<ConnectionFigures[]> {
  const figures: ConnectionFigures[] = [];
  for (const connections of options.counts) {
    const baseline: number[] = [];
    const loaded: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const relay = await startRelay();
      const generators = startGenerators(2);
      try {
        await sleep(SETTLE_MS);
        const before = statusBytes(relay.pid, 'VmRSS');
        await Promise.all(
          generators.map((g, i) =>
            g.request(
              {
                type: 'setup',
                job: {
                  role: 'idle',
                  relayUrl: relay.url,
                  wsUrl: relay.wsUrl,
                  connections: Math.floor(connections / 2) + (i < connections % 2 ? 1 : 0),
                  connectionsPerLogin: 100,
                },
              },
              'ready',
            ),
          ),
        );
        await sleep(SETTLE_MS);
        baseline.push(before);
        loaded.push(statusBytes(relay.pid, 'VmRSS'));
      } finally {
        await stopGenerators(generators);
        await relay.stop();
      }
      options.onProgress(`connections N=${connections} run ${run + 1} done`);
    }
    figures.push({
      connections,
      baselineRssBytes: spread(baseline),
      loadedRssBytes: spread(loaded),
      rssBytesPerConnection: spread(loaded.map((l, i) => (l - (baseline[i] ?? 0)) / connections)),
    });
  }
  return figures;
}
