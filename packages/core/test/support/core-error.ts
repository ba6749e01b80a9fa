/** Test assertions on CoreError codes: tests match the stable code, never the message. */
import { CoreError, type CoreErrorCode } from '../../src/errors.js';

/**
 * Runs `action` and returns the code of the CoreError it throws. Throws (failing the test) if it
 * returns normally, and rethrows anything that is not a CoreError.
 */
export function thrownCode(action: () => unknown): CoreErrorCode {
  try {
    action();
  } catch (error) {
    if (error instanceof CoreError) return error.code;
    throw error;
  }
  throw new Error('expected a CoreError, but nothing was thrown');
}

/** Like `thrownCode`, for a promise that must reject with a CoreError. */
export async function rejectedCode(promise: Promise<unknown>): Promise<CoreErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CoreError) return error.code;
    throw error;
  }
  throw new Error('expected a CoreError, but the promise resolved');
}
