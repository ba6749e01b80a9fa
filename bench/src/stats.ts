/** Percentiles over every sample (no approximation) and the median/min/max across runs. */

/** Latency percentiles of one run, in milliseconds, from all of its samples. */
export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** One figure across runs: the median, with the smallest and largest run. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
}

/**
 * Nearest-rank percentile (`q` in (0, 1]) of sorted samples. Throws RangeError on no samples.
 */
function percentileOfSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** p50/p95/p99/max of all samples (NaN for each when there are none). */
export function percentiles(samples: Float64Array): Percentiles {
  if (samples.length === 0) {
    return { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  }
  const sorted = Float64Array.from(samples).sort();
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 0.5),
    p95: percentileOfSorted(sorted, 0.95),
    p99: percentileOfSorted(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Median (lower middle for an even count), min and max of per-run values. RangeError if empty. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of no runs');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    runs: values,
  };
}

/** Each percentile as a spread across runs. */
export function spreadPercentiles(runs: readonly Percentiles[]): Record<keyof Percentiles, Spread> {
  return {
    count: spread(runs.map((r) => r.count)),
    p50: spread(runs.map((r) => r.p50)),
    p95: spread(runs.map((r) => r.p95)),
    p99: spread(runs.map((r) => r.p99)),
    max: spread(runs.map((r) => r.max)),
  };
}

/** Concatenates sample arrays. */
export function concatSamples(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
