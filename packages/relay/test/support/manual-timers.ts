/**
 * Timers that run only when a test says so: `advance(ms)` moves their time and runs what fell
 * due, in order; `fire()` runs every pending timeout and one round of every interval at once.
 */
import type { TimerHandle, Timers } from '../../src/time/timers.js';

/** One scheduled task. */
export interface ManualTimer {
  readonly delayMs: number;
  /** Undefined for a timeout. */
  readonly intervalMs: number | undefined;
  due: number;
  readonly run: () => void;
}

/** Timers driven by the test. */
export interface ManualTimers extends Timers {
  /** The tasks waiting, timeouts and intervals, in the order they were set. */
  readonly pending: ManualTimer[];
  /** Moves time by `ms`, running every task due by then (intervals as often as they fall due). */
  advance(ms: number): void;
  /** Runs every pending timeout, and every interval once, regardless of time. */
  fire(): void;
}

/** Builds timers whose time starts at 0 and moves only with `advance`. */
export function createManualTimers(): ManualTimers {
  let now = 0;
  const pending: ManualTimer[] = [];
  const clear = (handle: TimerHandle | undefined) => {
    const index = pending.indexOf(handle as ManualTimer);
    if (index >= 0) pending.splice(index, 1);
  };
  const ran = (timer: ManualTimer) => {
    if (timer.intervalMs === undefined) clear(timer);
    else timer.due = now + Math.max(1, timer.intervalMs);
    timer.run();
  };
  return {
    pending,
    setTimeout(run, delayMs) {
      const timer: ManualTimer = { delayMs, intervalMs: undefined, due: now + delayMs, run };
      pending.push(timer);
      return timer;
    },
    clearTimeout: clear,
    setInterval(run, intervalMs) {
      const timer: ManualTimer = { delayMs: intervalMs, intervalMs, due: now + intervalMs, run };
      pending.push(timer);
      return timer;
    },
    clearInterval: clear,
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const next = pending.filter((timer) => timer.due <= until).sort((a, b) => a.due - b.due)[0];
        if (next === undefined) break;
        now = Math.max(now, next.due);
        ran(next);
      }
      now = until;
    },
    fire() {
      for (const timer of [...pending]) if (pending.includes(timer)) ran(timer);
    },
  };
}
