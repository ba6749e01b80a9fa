/**
 * The timers port: the relay schedules every delayed or repeated task through it (checkpoint
 * batches, the retention sweep, a socket's auth, expiry and drain waits), so tests drive time.
 */

/** A scheduled task, as `Timers` returned it; only the same `Timers` can clear it. */
export type TimerHandle = object;

/** The shape of the platform's timers, injected (docs/adr/0017-relay-ports.md). */
export interface Timers {
  /** Runs `run` once after `delayMs`. */
  setTimeout(run: () => void, delayMs: number): TimerHandle;
  /** Cancels a `setTimeout` (a no-op for undefined or a timer that ran). */
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Runs `run` every `intervalMs` until cleared. */
  setInterval(run: () => void, intervalMs: number): TimerHandle;
  /** Cancels a `setInterval` (a no-op for undefined). */
  clearInterval(handle: TimerHandle | undefined): void;
}

/**
 * The platform's timers, unref'd so that a pending timer never keeps the process alive (a relay
 * stops when its listener closes, not when its last batch timer fires). @throws nothing
 */
export function createSystemTimers(): Timers {
  return {
    setTimeout(run, delayMs) {
      return setTimeout(run, delayMs).unref();
    },
    clearTimeout(handle) {
      clearTimeout(handle as NodeJS.Timeout | undefined);
    },
    setInterval(run, intervalMs) {
      return setInterval(run, intervalMs).unref();
    },
    clearInterval(handle) {
      clearInterval(handle as NodeJS.Timeout | undefined);
    },
  };
}

/** Waits `delayMs` on `timers`. @throws nothing */
export function sleep(timers: Timers, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    timers.setTimeout(resolve, delayMs);
  });
}
