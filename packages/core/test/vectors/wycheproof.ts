/** Reads Project Wycheproof v1 vector files from ../shared/vectors and tallies their cases. */
import { readFileSync } from 'node:fs';
import { it } from 'vitest';

/** Wycheproof's verdict on a case (schemas/common.json). */
export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

/** The fields every Wycheproof v1 test case has. */
export interface WycheproofCase {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: WycheproofResult;
}

/** The top level of a Wycheproof v1 file, with groups of type `G`. */
export interface WycheproofFile<G extends { readonly tests: readonly WycheproofCase[] }> {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly G[];
}

/** One case together with the group it belongs to, and a title for the test report. */
export interface GroupedCase<G, T extends WycheproofCase> {
  readonly group: G;
  readonly test: T;
  readonly title: string;
}

/** The location of a file under ../shared/vectors beside the repository (five levels above this directory). */
export function sharedVectorUrl(relativePath: string): URL {
  return new URL(`../../../../../shared/vectors/${relativePath}`, import.meta.url);
}

/** Parses `wycheproof/<fileName>`; the caller states the group type (the JSON is trusted data). */
export function loadWycheproof<G extends { readonly tests: readonly WycheproofCase[] }>(
  fileName: string,
): WycheproofFile<G> {
  const text = readFileSync(sharedVectorUrl(`wycheproof/${fileName}`), 'utf8');
  return JSON.parse(text) as WycheproofFile<G>;
}

/** Flattens a file into its cases in file order, each titled `tcId N [flags] comment`. */
export function casesOf<G extends { readonly tests: readonly WycheproofCase[] }>(
  file: WycheproofFile<G>,
): GroupedCase<G, G['tests'][number]>[] {
  return file.testGroups.flatMap((group) =>
    group.tests.map((test) => ({
      group,
      test,
      title: `tcId ${test.tcId} [${test.flags.join(', ')}] ${test.comment}`.trim(),
    })),
  );
}

/** Counts items by a string key, for asserting how many cases each class holds. */
export function tally<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const key = keyOf(item);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Counts cases by each flag they carry (a case with two flags counts under both). */
export function tallyFlags(
  cases: readonly { readonly test: WycheproofCase }[],
): Record<string, number> {
  return tally(
    cases.flatMap(({ test }) => test.flags),
    (flag) => flag,
  );
}

/**
 * Declares one test per case, named by its full title (`it.each` would quote and truncate it), so
 * the report lists every case that ran.
 */
export function itEachCase<C extends { readonly title: string }>(
  cases: readonly C[],
  body: (item: C) => unknown,
): void {
  for (const item of cases) it(item.title, () => body(item));
}
