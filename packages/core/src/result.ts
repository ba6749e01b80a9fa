/** Tagged results for expected outcomes (a bad signature is an answer, not an exception). */

/**
 * Either a value or a reason it could not be had, with an optional human-readable `detail`. Results
 * that carry evidence (signed bytes that prove the reason) define their own types, e.g. HistoryProblem.
 */
export type Result<T, R extends string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: R; readonly detail?: string };

/** Wraps a value as a successful result. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Builds a failed result with its reason. */
export function fail<R extends string>(
  reason: R,
  detail?: string,
): { readonly ok: false; readonly reason: R; readonly detail?: string } {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}
