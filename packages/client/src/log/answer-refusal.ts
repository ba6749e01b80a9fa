/** Telling a relay's answer that contradicts what it signed from a failure that proves nothing. */
import { ClientError } from '../errors.js';

/**
 * True if the relay answered and said no (a 4xx other than 401, 408 or 429): an answer that can
 * contradict what it signed. No answer, overload or a lost session prove nothing.
 */
export function isAnswerRefusal(error: unknown): error is ClientError {
  if (!(error instanceof ClientError) || error.code !== 'CLIENT_RELAY_REFUSED') return false;
  const status = error.status ?? 0;
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}
