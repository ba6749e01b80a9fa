/** The randomness source the core takes as a parameter instead of reading a global. */

/**
 * Returns `length` cryptographically secure random bytes. Production code passes
 * `(n) => crypto.getRandomValues(new Uint8Array(n))`; tests pass a seeded source.
 */
export type RandomSource = (length: number) => Uint8Array;
