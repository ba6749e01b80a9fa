/**
 * The relay-wide cap on bytes queued on sockets: when it would be passed, the connection holding
 * the most is cut off (it is the slowest reader), so fast readers are not punished.
 */

/** A connection as the budget sees it. */
export interface BufferedPeer {
  /** Bytes queued on the socket and not yet sent. */
  readonly bufferedBytes: number;
  /** Cuts the connection off (close code 4408). */
  cutOff(): void;
}

/** The shared budget of queued bytes. */
export class SendBudget {
  readonly #maxBytes: number;
  readonly #peers: () => Iterable<BufferedPeer>;
  readonly #clock: () => number;
  #total = 0;
  #measuredAt = 0;

  constructor(maxBytes: number, peers: () => Iterable<BufferedPeer>, clock: () => number) {
    this.#maxBytes = maxBytes;
    this.#peers = peers;
    this.#clock = clock;
  }

  /** Whether `peer` may queue `bytes` more; may cut off the slowest connection instead. */
  mayQueue(peer: BufferedPeer, bytes: number): boolean {
    // Summing every socket on every frame would be O(connections): re-measure at most every
    // few milliseconds, and count what is queued in between.
    const now = this.#clock();
    if (now - this.#measuredAt > 5 || this.#total + bytes > this.#maxBytes) this.#measure(now);
    if (this.#total + bytes <= this.#maxBytes) {
      this.#total += bytes;
      return true;
    }
    let slowest: BufferedPeer | undefined;
    for (const candidate of this.#peers()) {
      if (slowest === undefined || candidate.bufferedBytes > slowest.bufferedBytes)
        slowest = candidate;
    }
    slowest?.cutOff();
    if (slowest === peer || slowest === undefined) return false;
    this.#measure(now);
    this.#total += bytes;
    return true;
  }

  #measure(now: number): void {
    let total = 0;
    for (const peer of this.#peers()) total += peer.bufferedBytes;
    this.#total = total;
    this.#measuredAt = now;
  }
}
