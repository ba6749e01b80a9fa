/**
 * A serial queue: work runs one piece at a time, in the order it was queued, whether the pieces
 * before it succeeded or failed. The Client runs every operation that changes state through one.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` after every earlier piece of this queue settled; its result or error is the caller's. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work, work);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
