/** Single-use login challenges, kept in memory for their short life (60 s by default). */
import { toBase64Url, type RandomSource } from '@parley/core';

/** An issued challenge. */
export interface Challenge {
  readonly nonce: Uint8Array;
  readonly expiresAt: number;
}

/** Issues challenges and spends each at most once. */
export class Challenges {
  readonly #pending = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #random: RandomSource;
  readonly #maxPending: number;

  constructor(options: { ttlMs: number; random: RandomSource; maxPending?: number }) {
    this.#ttlMs = options.ttlMs;
    this.#random = options.random;
    this.#maxPending = options.maxPending ?? 100_000;
  }

  /** Creates a fresh 32-byte nonce valid until now + ttl. */
  issue(now: number): Challenge {
    if (this.#pending.size >= this.#maxPending) this.prune(now);
    // Still full of live challenges: drop the oldest rather than grow without bound.
    if (this.#pending.size >= this.#maxPending) {
      const oldest = this.#pending.keys().next();
      if (oldest.done !== true) this.#pending.delete(oldest.value);
    }
    const nonce = this.#random(32);
    const expiresAt = now + this.#ttlMs;
    this.#pending.set(toBase64Url(nonce), expiresAt);
    return { nonce, expiresAt };
  }

  /**
   * Spends the challenge with this nonce. Returns its expiry if it was issued here, unspent and
   * unexpired; otherwise undefined. Either way the nonce can never be spent again.
   */
  spend(nonce: Uint8Array, now: number): number | undefined {
    const key = toBase64Url(nonce);
    const expiresAt = this.#pending.get(key);
    this.#pending.delete(key);
    return expiresAt !== undefined && now < expiresAt ? expiresAt : undefined;
  }

  /** Drops expired challenges. */
  prune(now: number): void {
    for (const [key, expiresAt] of this.#pending) if (expiresAt <= now) this.#pending.delete(key);
  }
}
