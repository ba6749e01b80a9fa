/** `parley verify CHAT | --file FILE`: checks a chat's history and log, or a transcript. */
import type { ChatVerification, StoredEvidence } from '@parley/client';
import { toBase64Url } from '@parley/core';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { shortId } from '../output.js';
import { withAccount } from '../session.js';
import { describeProblem, jsonBytes } from './history-problems.js';
import { checkTranscriptFile } from './transcript-check.js';

/** The `verify` command. */
export const verify: Command = {
  words: ['verify'],
  usage: 'verify CHAT | verify --file FILE',
  summary: 'verify a chat’s history and the relay log, or a transcript file offline',
  positionals: ['CHAT?'],
  options: { file: { type: 'string' } },
  flagHelp: [['--file FILE', 'check a transcript written by `parley export` (no account needed)']],
  async run(ctx) {
    const file = ctx.args.string('file');
    const chatId = ctx.args.positionals[0];
    if ((file === undefined) === (chatId === undefined)) {
      throw new CliError('CLI_USAGE', '(name a CHAT or --file FILE, not both)');
    }
    if (file !== undefined) {
      await checkTranscriptFile(ctx, file);
      return;
    }
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.get(chatId ?? '');
      const report = await chat.verify();
      ctx.out.result(verificationJson(report), verificationLines(report));
      if (!report.ok) throw new CliError('CLI_VERIFY_FAILED', '(see the problems above)');
    });
  },
};

function verificationJson(report: ChatVerification) {
  return {
    chatId: report.chatId,
    ok: report.ok,
    entries: report.history.entries,
    authors: report.history.authors.map((author) => ({
      account: author.account,
      device: toBase64Url(author.device),
      count: author.count,
      lastN: author.lastN,
    })),
    problems: [
      ...report.history.problems.map(jsonBytes),
      ...report.problems.map((problem) => jsonBytes(problem)),
    ],
    log: {
      reachable: report.log.reachable,
      checkpoint:
        report.log.checkpoint === null
          ? null
          : {
              size: report.log.checkpoint.size,
              rootHash: toBase64Url(report.log.checkpoint.rootHash),
            },
      included: report.log.included,
      pending: report.log.pending,
      notTracked: report.log.notTracked,
      evidence: report.log.evidence.map((evidence) => jsonBytes(evidence)),
    },
  };
}

function verificationLines(report: ChatVerification): string[] {
  const { history, log } = report;
  const lines = [
    `Chat ${report.chatId}`,
    `  entries: ${history.entries} verified from ${history.authors.length} author devices`,
  ];
  for (const problem of history.problems) lines.push(`  PROBLEM ${describeProblem(problem)}`);
  for (const problem of report.problems) {
    if (problem.kind === 'rejected') {
      lines.push(`  refused envelope seq ${problem.seq}: ${problem.reason}`);
    } else if (problem.kind === 'reordered') {
      lines.push(
        `  PROBLEM reordered: ${shortId(problem.author)} #${problem.n} arrived after #${problem.n + 1} (seqs ${problem.seqs.join(', ')})`,
      );
    } else {
      lines.push(
        `  PROBLEM gap: ${shortId(problem.author)} #${problem.missingFrom}–${problem.missingTo} missing`,
      );
    }
  }
  lines.push(
    log.checkpoint === null
      ? '  log: no checkpoint yet'
      : `  log: checkpoint of ${log.checkpoint.size} leaves${log.reachable ? '' : ' (relay unreachable: last known)'}`,
    `  log: ${log.included} envelopes proven included, ${log.pending} waiting for a checkpoint, ${log.notTracked} not tracked`,
  );
  for (const evidence of log.evidence) lines.push(`  EVIDENCE ${describeEvidence(evidence)}`);
  lines.push(report.ok ? 'OK' : 'FAILED');
  return lines;
}

function describeEvidence(evidence: StoredEvidence): string {
  return `${evidence.kind}: ${evidence.detail}`;
}
