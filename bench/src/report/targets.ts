/** The targets of issue #7 and how this run's figures compare with them. */
import type { Results } from './results.js';

/** One target with this run's figure (the median across runs). */
export interface TargetCheck {
  readonly target: string;
  readonly goal: string;
  readonly measured: number | undefined;
  readonly unit: string;
  readonly met: boolean | undefined;
  /** measured / goal: ≥ 1 is met for "at least" targets, ≤ 1 for "at most". */
  readonly ratio: number | undefined;
}

function check(
  target: string,
  goal: number,
  unit: string,
  kind: 'at-least' | 'at-most',
  measured: number | undefined,
): TargetCheck {
  const sign = kind === 'at-least' ? '≥' : '≤';
  return {
    target,
    goal: `${sign} ${goal.toLocaleString('en-US')} ${unit}`,
    measured,
    unit,
    met:
      measured === undefined
        ? undefined
        : kind === 'at-least'
          ? measured >= goal
          : measured <= goal,
    ratio: measured === undefined ? undefined : measured / goal,
  };
}

/** Checks every target against the figures present (undefined where a workload did not run). */
export function checkTargets(results: Omit<Results, 'targets'>): TargetCheck[] {
  const w = results.workloads;
  const ingest8 = w.ingest?.find((f) => f.publishers === 8);
  const fanout = w.fanout?.find((f) => f.subscribers === 1000 && f.ratePerSecond === 5000);
  const largest = w.mls?.groups.find((g) => g.groupSize === 1000);
  const commitMax =
    largest === undefined
      ? undefined
      : Math.max(
          largest.addCommitCreateMs.median,
          largest.addCommitProcessMs.median,
          largest.removeCommitCreateMs.median,
          largest.removeCommitProcessMs.median,
        );
  return [
    check('ingest at P = 8', 21_000, 'envelopes/s', 'at-least', ingest8?.envelopesPerSecond.median),
    check(
      'fan-out p99, R = 5,000/s, S = 1,000 (zero loss)',
      25,
      'ms',
      'at-most',
      fanout === undefined || fanout.lost + fanout.duplicated + fanout.misdelivered > 0
        ? fanout === undefined
          ? undefined
          : Number.POSITIVE_INFINITY
        : fanout.deliveryLatencyMs.p99.median,
    ),
    check('MLS encrypt + decrypt, 1 KB', 1, 'ms', 'at-most', w.mls?.encryptPlusDecryptMs.median),
    check('add/remove commit at 1,000 members (slowest step)', 100, 'ms', 'at-most', commitMax),
    check(
      'history verification',
      20_000,
      'entries/s',
      'at-least',
      w.history?.verifiedEntriesPerSecond.median,
    ),
  ];
}
