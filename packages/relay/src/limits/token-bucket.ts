/** Token buckets for rate limits per account or address (refill continuously, spend one per request). */
import { RelayError } from '../errors.js';

/** A set of token buckets keyed by account, address or pair, with a shared rate and burst. */
export class TokenBuckets {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(ratePerSecond: number, burst: number) {
    if (!(ratePerSecond > 0) || !(burst >= 1))
      throw new RangeError('rate must be > 0 and burst >= 1');
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
  }

  /**
   * Spends one token of `key`'s bucket at time `now`. Returns 0 if allowed, otherwise the
   * milliseconds until a token is available.
   */
  take(key: string, now: number): number {
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, updatedAt: now };
    bucket.tokens = Math.min(
      this.#burst,
      bucket.tokens + (now - bucket.updatedAt) * this.#ratePerMs,
    );
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.#ratePerMs);
  }

  /**
   * Spends one token of `key` (an account id or a client address, never a session: sessions are
   * free to open). @throws RelayError RELAY_RATE_LIMITED with Retry-After if the bucket is empty
   */
  spend(key: string, now: number): void {
    const waitMs = this.take(key, now);
    if (waitMs > 0) {
      throw new RelayError('RELAY_RATE_LIMITED', undefined, {
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      });
    }
  }

  /** Whether `key`'s bucket holds a token at time `now` (spends nothing). */
  hasToken(key: string, now: number): boolean {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return true;
    return bucket.tokens + (now - bucket.updatedAt) * this.#ratePerMs >= 1;
  }

  /** Forgets buckets that have been full for a while, so memory tracks active sessions only. */
  prune(now: number): void {
    const fullAfterMs = this.#burst / this.#ratePerMs;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.updatedAt > fullAfterMs) this.#buckets.delete(key);
    }
  }
}
