/** How the history commands show a chat's problems: a line of text, or JSON (bytes base64url). */
import { toBase64Url, toHex, type HistoryProblem } from '@parley/core';
import { shortId } from '../output.js';

/** One line describing a history problem (docs/spec/history.md), for people. */
export function describeProblem(problem: HistoryProblem): string {
  switch (problem.kind) {
    case 'gap':
      return `gap: ${shortId(problem.author)} #${problem.missingFrom}–${problem.missingTo} missing`;
    case 'broken-link':
      return `broken link: ${shortId(problem.author)} #${problem.n} does not follow #${problem.n - 1}`;
    case 'equivocation':
      return `equivocation: ${shortId(problem.author)} signed two entries #${problem.n}`;
    case 'invalid-entry':
      return `invalid entry (${problem.reason})`;
    case 'missing-dependency':
      return `missing entry ${toHex(problem.hash).slice(0, 16)}… (referenced, never received)`;
  }
}

/** JSON-friendly copy: bytes become base64url. */
export function jsonBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return toBase64Url(value);
  if (Array.isArray(value)) return value.map(jsonBytes);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonBytes(v)]));
  }
  return value;
}
