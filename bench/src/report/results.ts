/** The results file: every figure of one run, the machine, and how quiet it was. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Machine } from '../machine.js';
import type { ConnectionFigures } from '../workloads/connections.js';
import type { FanoutFigures } from '../workloads/fanout.js';
import type { HistoryFigures } from '../workloads/history.js';
import type { IngestFigures } from '../workloads/ingest.js';
import type { LogFigures } from '../workloads/log.js';
import type { MlsFigures } from '../workloads/mls.js';
import type { Sizes } from '../options.js';
import type { TargetCheck } from './targets.js';

/** Everything one `npm run bench` measured. */
export interface Results {
  readonly format: 'parley-bench/1';
  readonly mode: 'full' | 'smoke';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationSeconds: number;
  readonly runs: number;
  readonly machine: Machine & {
    readonly quiet: boolean;
    readonly quietChecks: readonly { at: string; loadAverage1m: number; busy: string[] }[];
  };
  readonly relay: { readonly flags: Readonly<Record<string, string>>; readonly note: string };
  readonly sizes: Sizes;
  readonly workloads: {
    ingest?: IngestFigures[];
    fanout?: FanoutFigures[];
    connections?: ConnectionFigures[];
    mls?: MlsFigures;
    history?: HistoryFigures;
    log?: LogFigures;
  };
  readonly targets: readonly TargetCheck[];
}

/** `2025-01-31T12-00-00Z`: a timestamp that is a valid file name everywhere. */
export function fileStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
}

/** Writes `<stamp>.json` and `<stamp>.svg` into `dir`; returns both paths. */
export async function writeResults(
  dir: string,
  stamp: string,
  results: Results,
  svg: string,
): Promise<{ json: string; svg: string }> {
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, `${stamp}.json`), svg: join(dir, `${stamp}.svg`) };
  await writeFile(paths.json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(paths.svg, svg);
  return paths;
}
