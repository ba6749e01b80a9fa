/**
 * The benchmark harness end to end at tiny sizes (`--smoke`): a real relay process, real load
 * generators, every workload. Asserts that the results were written and add up; never timing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../src/report/results.js';

const run = promisify(execFile);
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

describe('npm run bench -- --smoke', () => {
  let outDir = '';
  let stdout = '';
  let results: Results;
  let svg = '';

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'parley-bench-smoke-'));
    // The generators are forked as compiled JavaScript, so the harness is built first.
    await run(process.execPath, [TSC, '-b', BENCH_DIR]);
    ({ stdout } = await run(
      process.execPath,
      [join(BENCH_DIR, 'dist/main.js'), '--smoke', '--out', outDir],
      { maxBuffer: 16 * 1024 * 1024 },
    ));
    const files = await readdir(outDir);
    const json = files.find((f) => f.endsWith('.json')) ?? '';
    results = JSON.parse(await readFile(join(outDir, json), 'utf8')) as Results;
    svg = await readFile(join(outDir, json.replace(/\.json$/, '.svg')), 'utf8');
  }, 120_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('writes a results file with the machine and every workload', () => {
    expect(results.mode).toBe('smoke');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(typeof results.machine.quiet).toBe('boolean');
    expect(Object.keys(results.workloads).sort()).toEqual(
      ['connections', 'fanout', 'history', 'ingest', 'log', 'mls'].sort(),
    );
    expect(results.targets).toHaveLength(5);
  });

  it('acknowledges every ingest envelope without errors', () => {
    const [ingest] = results.workloads.ingest ?? [];
    expect(ingest?.publishers).toBe(1);
    expect(ingest?.acknowledged.median).toBe(results.sizes.ingest.maxEnvelopes);
    expect(ingest?.errors).toBe(0);
    expect(ingest?.ackLatencyMs.count.median).toBe(ingest?.acknowledged.median);
  });

  it('delivers every fan-out envelope once to each of its subscribers and nowhere else', () => {
    const [fanout] = results.workloads.fanout ?? [];
    const perEnvelope = 1 + results.sizes.fanout.allTopicSubscribers;
    expect(fanout?.lost).toBe(0);
    expect(fanout?.duplicated).toBe(0);
    expect(fanout?.misdelivered).toBe(0);
    expect(fanout?.publishErrors).toBe(0);
    expect(fanout?.sampledFramesCorrupt).toBe(0);
    expect(fanout?.deliveries.median).toBe((fanout?.published.median ?? 0) * perEnvelope);
  });

  it('measures connections, MLS, history and the log at the smoke sizes', () => {
    expect(results.workloads.connections?.[0]?.connections).toBe(20);
    expect(results.workloads.mls?.groups.map((g) => g.groupSize)).toEqual([3, 5]);
    expect(results.workloads.history?.entries).toBe(200);
    expect(results.workloads.log?.leaves).toBe(500);
    expect(results.workloads.log?.proofsVerifiedPerSecond.median).toBeGreaterThan(0);
  });

  it('prints the table and draws a chart with both panels', () => {
    expect(stdout).toContain('Ingest');
    expect(stdout).toContain('Targets (issue #7)');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Latency percentiles');
    expect(svg).toContain('Ingest throughput');
  });
});
