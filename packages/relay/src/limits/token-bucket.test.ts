/** Token buckets: burst, refusal with the exact wait, continuous refill, and pruning. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './token-bucket.js';

describe('TokenBuckets', () => {
  it('allows a burst, then refuses with the milliseconds until the next token', () => {
    // 250 per second is one token every 4 ms.
    const buckets = new TokenBuckets(250, 3);
    expect([0, 0, 0].map(() => buckets.take('a', 1000))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 1000)).toBe(4);
    // A refused take spends nothing: a quarter token has come in after 1 ms.
    expect(buckets.take('a', 1001)).toBe(3);
    expect(buckets.take('a', 1003)).toBe(1);
    expect(buckets.take('a', 1004)).toBe(0);
    expect(buckets.take('a', 1004)).toBe(4);
  });

  it('answers a wait after which a take is allowed, and not before', () => {
    const buckets = new TokenBuckets(1, 1);
    expect(buckets.take('a', 0)).toBe(0);
    const waitMs = buckets.take('a', 0);
    expect(waitMs).toBe(1000);
    expect(buckets.take('a', waitMs - 1)).toBeGreaterThan(0);
    expect(buckets.take('a', waitMs)).toBe(0);
  });

  it('refills over time but never beyond the burst', () => {
    const buckets = new TokenBuckets(10, 5);
    for (let i = 0; i < 5; i++) expect(buckets.take('a', 0)).toBe(0);
    expect(buckets.take('a', 0)).toBeGreaterThan(0);
    // After an hour idle the bucket holds the burst, not 36,000 tokens.
    const later = 3_600_000;
    for (let i = 0; i < 5; i++) expect(buckets.take('a', later)).toBe(0);
    expect(buckets.take('a', later)).toBe(100);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets(1, 1);
    expect(buckets.take('a', 0)).toBe(0);
    expect(buckets.take('a', 0)).toBeGreaterThan(0);
    expect(buckets.take('b', 0)).toBe(0);
  });

  it('refuses a rate that is not positive or a burst below one', () => {
    expect(() => new TokenBuckets(0, 1)).toThrow(RangeError);
    expect(() => new TokenBuckets(-1, 1)).toThrow(RangeError);
    expect(() => new TokenBuckets(Number.NaN, 1)).toThrow(RangeError);
    expect(() => new TokenBuckets(1, 0)).toThrow(RangeError);
  });

  it('does not forget a bucket on prune while it is still refilling', () => {
    // One token every 4 ms: full again 8 ms after it was emptied.
    const buckets = new TokenBuckets(250, 2);
    buckets.take('a', 0);
    buckets.take('a', 0);
    // At 3 ms the bucket holds 0.75 tokens; a forgotten bucket would hold 2.
    buckets.prune(3);
    expect(buckets.take('a', 3)).toBe(1);
  });

  it('prunes a bucket that has been full long enough without changing later answers', () => {
    const buckets = new TokenBuckets(1, 2);
    buckets.take('a', 0);
    buckets.prune(10_000);
    expect(buckets.take('a', 10_000)).toBe(0);
    expect(buckets.take('a', 10_000)).toBe(0);
    expect(buckets.take('a', 10_000)).toBe(1000);
  });
});

/** Random schedules: a rate, a burst and non-decreasing integer times in ms. */
const schedule = fc.record({
  ratePerSecond: fc.integer({ min: 1, max: 2000 }),
  burst: fc.integer({ min: 1, max: 50 }),
  gapsMs: fc.array(fc.nat({ max: 400 }), { minLength: 1, maxLength: 300 }),
});

function timesOf(gapsMs: readonly number[]): number[] {
  let now = 1_000_000;
  return gapsMs.map((gap) => (now += gap));
}

describe('TokenBuckets properties', () => {
  it('never allows more than burst + rate × window takes within any window', () => {
    fc.assert(
      fc.property(schedule, ({ ratePerSecond, burst, gapsMs }) => {
        const buckets = new TokenBuckets(ratePerSecond, burst);
        const allowed = timesOf(gapsMs).filter((now) => buckets.take('k', now) === 0);
        for (let first = 0; first < allowed.length; first++) {
          for (let last = first; last < allowed.length; last++) {
            const windowMs = (allowed[last] ?? 0) - (allowed[first] ?? 0);
            const count = last - first + 1;
            expect(count).toBeLessThanOrEqual(burst + (ratePerSecond * windowMs) / 1000 + 1e-9);
          }
        }
      }),
    );
  });

  // Floating-point rounding may overstate a wait by 1 ms (harmless: Retry-After is in seconds);
  // it must never understate it.
  it('announces a wait after which a take is allowed, and at most 1 ms too long', () => {
    fc.assert(
      fc.property(schedule, ({ ratePerSecond, burst, gapsMs }) => {
        const times = timesOf(gapsMs);
        const buckets = new TokenBuckets(ratePerSecond, burst);
        times.forEach((now, index) => {
          const waitMs = buckets.take('k', now);
          if (waitMs === 0) return;
          expect(waitMs).toBeLessThanOrEqual(Math.ceil(1000 / ratePerSecond));
          // A twin with the same history, probed at the announced time and just before it.
          const twin = new TokenBuckets(ratePerSecond, burst);
          for (const earlier of times.slice(0, index + 1)) twin.take('k', earlier);
          if (waitMs > 2) expect(twin.take('k', now + waitMs - 2)).toBeGreaterThan(0);
          expect(twin.take('k', now + waitMs)).toBe(0);
        });
      }),
    );
  });

  it('gives the same answers whether or not prune runs between takes', () => {
    fc.assert(
      fc.property(
        schedule,
        fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
        ({ ratePerSecond, burst, gapsMs }, pruneBefore) => {
          const plain = new TokenBuckets(ratePerSecond, burst);
          const pruned = new TokenBuckets(ratePerSecond, burst);
          timesOf(gapsMs).forEach((now, index) => {
            if (pruneBefore[index] === true) pruned.prune(now);
            expect(pruned.take('k', now)).toBe(plain.take('k', now));
          });
        },
      ),
    );
  });
});
