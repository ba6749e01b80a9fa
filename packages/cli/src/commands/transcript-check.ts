/** `parley verify --file FILE`: checks a transcript from `parley export` offline, no account. */
import { resolve } from 'node:path';
import {
  createCryptoSuite,
  isCoreError,
  toHex,
  verifyTranscript,
  type TranscriptOrderProblem,
  type TranscriptReport,
} from '@parley/core';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { readUserFile } from '../state.js';
import { describeProblem, jsonBytes } from './history-problems.js';

/**
 * Verifies the transcript at `file` and prints its report.
 * @throws CliError CLI_VERIFY_FAILED when it is unreadable or does not verify
 */
export async function checkTranscriptFile(ctx: CommandContext, file: string): Promise<void> {
  const bytes = new Uint8Array(await readUserFile(resolve(file)));
  let report: TranscriptReport;
  try {
    report = await verifyTranscript(createCryptoSuite(globalThis.crypto.subtle), bytes);
  } catch (error) {
    if (!isCoreError(error)) throw error;
    throw new CliError('CLI_VERIFY_FAILED', `(not a readable transcript: ${error.code})`, {
      cause: error,
    });
  }
  ctx.out.result(transcriptJson(report), transcriptLines(report));
  if (!report.ok) throw new CliError('CLI_VERIFY_FAILED', '(the transcript does not verify)');
}

function describeOrderProblem(problem: TranscriptOrderProblem): string {
  const short = (hash: Uint8Array) => `${toHex(hash).slice(0, 16)}…`;
  switch (problem.kind) {
    case 'repeated-entry':
      return `entry ${problem.index} repeats entry ${problem.first} (${short(problem.entry)})`;
    case 'out-of-causal-order':
      return `entries out of causal order: entry ${problem.index} (${short(problem.entry)}) is listed before entry ${problem.dependencyIndex} (${short(problem.dependency)}), which it follows`;
    case 'not-canonical-order':
      return `entries out of order: entry ${problem.index} is ${short(problem.found)}, the causal order puts ${short(problem.expected)} there`;
  }
}

function transcriptJson(report: TranscriptReport) {
  return {
    ok: report.ok,
    entries: report.history.entries,
    problems: [
      ...report.history.problems.map(jsonBytes),
      ...report.order.map((problem) => jsonBytes(problem)),
    ],
    directory: report.directory,
    log:
      report.log === null
        ? null
        : {
            checkpointValid: report.log.checkpointValid,
            size: report.log.size,
            verified: report.log.verified,
            failed: report.log.failed.map((failure) => jsonBytes(failure)),
          },
  };
}

function transcriptLines(report: TranscriptReport): string[] {
  const lines = [
    `Transcript: ${report.history.entries} entries from ${report.history.authors.length} author devices`,
    `  directory entries: ${report.directory.valid} valid, ${report.directory.invalid.length} invalid`,
  ];
  for (const problem of report.history.problems)
    lines.push(`  PROBLEM ${describeProblem(problem)}`);
  for (const problem of report.order) lines.push(`  PROBLEM ${describeOrderProblem(problem)}`);
  if (report.log === null) lines.push('  log: no inclusion proofs in the file');
  else {
    lines.push(
      `  log: checkpoint ${report.log.checkpointValid ? 'signature valid' : 'INVALID'}, ${report.log.size} leaves; ${report.log.verified} inclusion proofs verified, ${report.log.failed.length} failed`,
    );
  }
  lines.push(report.ok ? 'OK' : 'FAILED');
  return lines;
}
