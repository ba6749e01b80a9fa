/** Which relay failures are worth retrying later (the outbox keeps what they held back). */
import { isClientError } from '../errors.js';

/** True for failures worth retrying later: no answer, rate limits, sessions, relay errors. */
export function isTransient(error: unknown): boolean {
  if (!isClientError(error)) return false;
  if (error.code === 'CLIENT_RELAY_UNREACHABLE') return true;
  const status = error.status ?? 0;
  return status === 401 || status === 429 || status >= 500;
}

/** Runs `work`, swallowing transient failures (what they held back is retried later). */
export async function unlessTransient(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isTransient(error)) throw error;
  }
}
