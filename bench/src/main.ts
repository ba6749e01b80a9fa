/**
 * `npm run bench`: runs the relay (real binary, production durability) against load-generator
 * processes, measures client and log costs, prints a table and writes JSON and SVG results.
 * Flags: --smoke, --only a,b, --runs N, --out DIR, --cpu-prof-dir DIR [--cpu-prof-publishers P].
 */
import { fileURLToPath } from 'node:url';
import { QuietLog, describeMachine } from './machine.js';
import { parseOptions, type BenchOptions } from './options.js';
import { BENCH_RELAY_FLAGS, killRelays } from './relay-process.js';
import { renderChart } from './report/chart.js';
import { fileStamp, writeResults, type Results } from './report/results.js';
import { renderTable } from './report/table.js';
import { checkTargets } from './report/targets.js';
import { runConnections } from './workloads/connections.js';
import { runFanout } from './workloads/fanout.js';
import { runHistory } from './workloads/history.js';
import { runIngest } from './workloads/ingest.js';
import { runLog } from './workloads/log.js';
import { runMls } from './workloads/mls.js';

const DEFAULT_OUT = fileURLToPath(new URL('../results', import.meta.url));
const PAYLOAD_BYTES = 1024;

function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function measure(options: BenchOptions, quiet: QuietLog): Promise<Results['workloads']> {
  const { sizes, runs } = options;
  const workloads: Results['workloads'] = {};
  for (const name of options.only) {
    quiet.check(`before ${name}`);
    progress(`${name}…`);
    switch (name) {
      case 'ingest':
        workloads.ingest = await runIngest({
          ...sizes.ingest,
          payloadBytes: PAYLOAD_BYTES,
          runs,
          relayNodeFlags: (p, run) =>
            options.profileDir !== undefined && p === options.profilePublishers && run === 0
              ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir]
              : [],
          onProgress: progress,
        });
        break;
      case 'fanout':
        workloads.fanout = await runFanout({
          ...sizes.fanout,
          payloadBytes: PAYLOAD_BYTES,
          drainTimeoutMs: 3_000,
          runs,
          onProgress: progress,
        });
        break;
      case 'connections':
        workloads.connections = await runConnections({
          ...sizes.connections,
          runs,
          onProgress: progress,
        });
        break;
      case 'mls':
        workloads.mls = await runMls({
          ...sizes.mls,
          messageBytes: PAYLOAD_BYTES,
          runs,
          runsAtLargest: Math.min(runs, sizes.mls.runsAtLargest),
          onProgress: progress,
        });
        break;
      case 'history':
        workloads.history = await runHistory({ ...sizes.history, runs });
        break;
      case 'log':
        workloads.log = await runLog({ ...sizes.log, runs });
        break;
    }
  }
  quiet.check('end');
  return workloads;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const quiet = new QuietLog();
  const workloads = await measure(options, quiet);
  const finished = new Date();
  const { quiet: isQuiet, checks } = quiet.summary();
  const partial: Omit<Results, 'targets'> = {
    format: 'parley-bench/1',
    mode: options.isSmoke ? 'smoke' : 'full',
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: (finished.getTime() - started.getTime()) / 1000,
    runs: options.runs,
    machine: { ...describeMachine(), quiet: isQuiet, quietChecks: checks },
    relay: {
      flags: BENCH_RELAY_FLAGS,
      note: 'parley-relay start on embedded defaults (SQLite WAL, synchronous = FULL) plus these flags',
    },
    sizes: options.sizes,
    workloads,
  };
  const results: Results = { ...partial, targets: checkTargets(partial) };
  process.stdout.write(renderTable(results, results.targets));
  const paths = await writeResults(
    options.outDir ?? DEFAULT_OUT,
    fileStamp(started),
    results,
    renderChart(results),
  );
  process.stdout.write(`\nresults: ${paths.json}\nchart:   ${paths.svg}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killRelays();
    process.exit(130);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
