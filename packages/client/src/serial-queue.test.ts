/** The serial queue runs work one piece at a time, in order, past failures. */
import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

/** A promise and the function that settles it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

describe('SerialQueue', () => {
  it('starts a piece only after the one before it settled', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const gate = deferred();
    const first = queue.run(async () => {
      log.push('first started');
      await gate.promise;
      log.push('first done');
      return 1;
    });
    const second = queue.run(() => {
      log.push('second started');
      return Promise.resolve(2);
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['first started']);
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['first started', 'first done', 'second started']);
  });

  it('gives a failure to its own caller and still runs the pieces after it', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(() => Promise.reject(new RangeError('boom')));
    const next = queue.run(() => Promise.resolve('after'));
    await expect(failed).rejects.toBeInstanceOf(RangeError);
    expect(await next).toBe('after');
  });
});
