/** The plain-text table `npm run bench` prints. */
import { MIB, med, num } from './format.js';
import type { Results } from './results.js';
import type { TargetCheck } from './targets.js';

function table(
  title: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [
    `\n${title}`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

/** Renders every figure as text tables: median (min–max) across runs. */
export function renderTable(results: Results, targets: readonly TargetCheck[]): string {
  const w = results.workloads;
  const out: string[] = [
    `Parley benchmarks (${results.mode}, ${results.runs} run(s) per figure: median (min–max))`,
    `machine: ${results.machine.cores} cores ${results.machine.cpuModel}, ${num((results.machine.memoryBytes * MIB) / 1024)} GiB, Node ${results.machine.node}; quiet: ${results.machine.quiet ? 'yes' : 'NO'}`,
  ];
  if (w.ingest !== undefined) {
    out.push(
      table(
        'Ingest (1 KB envelopes, 100 in flight per connection)',
        [
          'P',
          'acked',
          'env/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'relay CPU %',
          'peak RSS MiB',
          'errors',
        ],
        w.ingest.map((f) => [
          String(f.publishers),
          med(f.acknowledged),
          med(f.envelopesPerSecond),
          med(f.ackLatencyMs.p50),
          med(f.ackLatencyMs.p95),
          med(f.ackLatencyMs.p99),
          med(f.ackLatencyMs.max),
          med(f.relayCpuPercent),
          med(f.relayPeakRssBytes, MIB),
          String(f.errors),
        ]),
      ),
    );
  }
  if (w.fanout !== undefined) {
    out.push(
      table(
        'Fan-out (S own-topic subscribers + 3 on every topic; send → arrival)',
        [
          'S',
          'R/s',
          'sent/s',
          'acked/s',
          'deliveries',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'lost',
          'dup',
          'misdel',
          'relay CPU %',
          'peak RSS MiB',
        ],
        w.fanout.map((f) => [
          String(f.subscribers),
          `${f.ratePerSecond}${f.saturated ? '*' : ''}`,
          med(f.achievedRatePerSecond),
          med(f.acknowledgedPerSecond),
          med(f.deliveries),
          med(f.deliveryLatencyMs.p50),
          med(f.deliveryLatencyMs.p95),
          med(f.deliveryLatencyMs.p99),
          med(f.deliveryLatencyMs.max),
          String(f.lost),
          String(f.duplicated),
          String(f.misdelivered),
          med(f.relayCpuPercent),
          med(f.relayPeakRssBytes, MIB),
        ]),
      ),
    );
  }
  if (w.fanout?.some((f) => f.saturated) === true) {
    out.push(
      '* the relay could not keep up with R (receipts lagged far behind): latency is queueing',
    );
  }
  if (w.connections !== undefined) {
    out.push(
      table(
        'Idle WebSocket connections (relay RSS)',
        ['N', 'baseline MiB', 'loaded MiB', 'KiB per connection'],
        w.connections.map((f) => [
          String(f.connections),
          med(f.baselineRssBytes, MIB),
          med(f.loadedRssBytes, MIB),
          med(f.rssBytesPerConnection, 1 / 1024),
        ]),
      ),
    );
  }
  if (w.mls !== undefined) {
    out.push(
      table(
        `MLS (ciphersuite 1), ms per operation`,
        ['operation', 'ms'],
        [
          [`encrypt ${w.mls.messageBytes} B`, med(w.mls.encryptMs)],
          [`decrypt ${w.mls.messageBytes} B`, med(w.mls.decryptMs)],
          ['encrypt + decrypt', med(w.mls.encryptPlusDecryptMs)],
        ],
      ),
      table(
        'MLS commits and joins, ms',
        [
          'members',
          'runs',
          'add create',
          'add process',
          'remove create',
          'remove process',
          'join (Welcome)',
          'setup s',
        ],
        w.mls.groups.map((g) => [
          String(g.groupSize),
          String(g.runs),
          med(g.addCommitCreateMs),
          med(g.addCommitProcessMs),
          med(g.removeCommitCreateMs),
          med(g.removeCommitProcessMs),
          med(g.joinFromWelcomeMs),
          num(g.setupSeconds),
        ]),
      ),
    );
  }
  const rates: string[][] = [];
  if (w.history !== undefined) {
    rates.push([
      `history verified (${w.history.entries} entries)`,
      med(w.history.verifiedEntriesPerSecond),
    ]);
    rates.push([
      `history built (signing, before timing; 1 run)`,
      num(w.history.buildEntriesPerSecond),
    ]);
  }
  if (w.log !== undefined) {
    rates.push([
      `log leaves appended (checkpoint per ${w.log.leavesPerCheckpoint})`,
      med(w.log.appendedLeavesPerSecond),
    ]);
    rates.push(['inclusion proofs generated', med(w.log.proofsGeneratedPerSecond)]);
    rates.push(['inclusion proofs verified', med(w.log.proofsVerifiedPerSecond)]);
  }
  if (rates.length > 0)
    out.push(table('History and log, per second', ['figure', 'per second'], rates));
  out.push(
    table(
      'Targets (issue #7)',
      ['target', 'goal', 'measured', 'met'],
      targets.map((t) => [
        t.target,
        t.goal,
        t.measured === undefined ? 'not run' : `${num(t.measured)} ${t.unit}`,
        t.met === undefined ? '—' : t.met ? 'yes' : 'NO',
      ]),
    ),
  );
  return `${out.join('\n')}\n`;
}
