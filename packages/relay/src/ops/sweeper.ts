/**
 * The retention sweep: every interval, forget expired challenges and idle rate-limit buckets,
 * delete expired sessions, then remove envelopes past their age or over their topic's bytes.
 */
import type { RelayConfig } from '../config/config.js';
import type { SessionStore } from '../store/session-store.js';
import type { TopicStore } from '../store/topic-store.js';
import type { TimerHandle, Timers } from '../time/timers.js';

/** Anything that keeps per-key state it can forget at `now` (challenges, token buckets). */
export interface Prunable {
  prune(now: number): void;
}

/** The dependencies and settings of the sweeper. */
export interface SweeperOptions {
  readonly timers: Timers;
  readonly clock: () => number;
  readonly retention: RelayConfig['retention'];
  readonly sessions: SessionStore;
  readonly topics: TopicStore;
  readonly prunables: readonly Prunable[];
  /** Envelopes removed by one sweep (only called when some were). */
  readonly onRemoved?: (removed: number) => void;
  readonly onError?: (error: unknown) => void;
}

/** Runs the sweep on the relay's timers. */
export class Sweeper {
  readonly #options: SweeperOptions;
  #timer: TimerHandle | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(options: SweeperOptions) {
    this.#options = options;
  }

  /** Sweeps every `retention.sweepIntervalSeconds` until `stop`. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#options.timers.setInterval(() => {
      this.#running = this.sweep();
    }, this.#options.retention.sweepIntervalSeconds * 1000);
  }

  /** Sweeps once now; errors go to `onError` (never rejects). */
  async sweep(): Promise<void> {
    const { clock, retention, prunables } = this.#options;
    const now = clock();
    for (const prunable of prunables) prunable.prune(now);
    try {
      await this.#options.sessions.deleteExpiredSessions(now);
      const removed = await this.#options.topics.sweep({
        now,
        maxAgeMs: retention.maxAgeSeconds * 1000,
        maxBytesPerTopic: retention.maxBytesPerTopic,
      });
      if (removed > 0) this.#options.onRemoved?.(removed);
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  /** Waits for a sweep under way (at once if none). */
  settled(): Promise<void> {
    return this.#running;
  }

  /** Stops sweeping and waits for a sweep under way. */
  async stop(): Promise<void> {
    this.#options.timers.clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
