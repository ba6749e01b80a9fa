/**
 * `parley verify CHAT | --file FILE`, `parley export CHAT --out FILE` and `parley audit RELAY_URL`:
 * checking a chat's history, writing and checking transcripts, and auditing a relay's log.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  RelayApi,
  auditRelay,
  type AuditReport,
  type AuditState,
  type ChatVerification,
  type StoredEvidence,
} from '@parley/client';
import {
  createCryptoSuite,
  fromBase64Url,
  generateIdentity,
  isCoreError,
  toBase64Url,
  toHex,
  verifyTranscript,
  type HistoryProblem,
  type TranscriptOrderProblem,
  type TranscriptReport,
} from '@parley/core';
import type { Command } from '../command.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { shortId } from '../output.js';
import { withAccount } from '../session.js';
import { readUserFile, writeNewFile } from '../state.js';

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

export const exportChat: Command = {
  words: ['export'],
  usage: 'export CHAT --out FILE',
  summary: 'write a verifiable transcript of a chat',
  positionals: ['CHAT'],
  options: { out: { type: 'string' } },
  flagHelp: [['--out FILE', 'the transcript file to create (never overwritten)']],
  async run(ctx) {
    const target = ctx.args.string('out');
    if (target === undefined) throw new CliError('CLI_USAGE', '(--out FILE is required)');
    const path = resolve(target);
    await withAccount(ctx, async ({ client }) => {
      const chat = await client.chats.get(ctx.args.positional(0));
      const bytes = await chat.export();
      await writeNewFile(path, bytes);
      ctx.out.result({ file: path, bytes: bytes.length }, `Transcript written to ${path}`);
    });
  },
};

export const audit: Command = {
  words: ['audit'],
  usage: 'audit RELAY_URL [--watch] [--interval SECONDS] [--samples N]',
  summary: 'audit a relay’s transparency log (exit 5 on misbehaviour)',
  positionals: ['RELAY_URL'],
  options: {
    watch: { type: 'boolean' },
    interval: { type: 'string' },
    samples: { type: 'string' },
  },
  flagHelp: [
    ['--watch', 'keep auditing until interrupted or misbehaviour is found'],
    ['--interval SECONDS', 'time between rounds with --watch (default 10)'],
    ['--samples N', 'random leaves checked for inclusion per round (default 8)'],
  ],
  async run(ctx) {
    const relayUrl = ctx.args.positional(0);
    if (!/^https?:\/\/[^\s]+$/.test(relayUrl)) {
      throw new CliError('CLI_USAGE', '(RELAY_URL must be an http:// or https:// URL)');
    }
    const interval = positiveInt(ctx.args.string('interval') ?? '10', '--interval');
    const samples = positiveInt(ctx.args.string('samples') ?? '8', '--samples', true);
    const suite = createCryptoSuite(globalThis.crypto.subtle);
    // The log is public: an auditor needs no account, so it talks as a throwaway identity.
    const api = new RelayApi({
      relayUrl,
      identity: await generateIdentity(suite, ctx.io.random),
      suite,
      fetch: globalThis.fetch.bind(globalThis),
    });
    const signal = ctx.args.flag('watch') ? ctx.io.interrupted() : undefined;
    for (;;) {
      const state = await loadAuditState(ctx, relayUrl);
      const { report, state: next } = await auditRelay({
        api,
        suite,
        random: ctx.io.random,
        state,
        samples,
      });
      if (next !== undefined) await saveAuditState(ctx, relayUrl, next);
      if (!report.ok) await saveEvidence(ctx, report);
      ctx.out.result(auditJson(report), auditLines(report));
      if (!report.ok)
        throw new CliError('CLI_AUDIT_FAILED', `(${report.problems.length} problems)`);
      if (signal === undefined) return;
      const stopped = await sleep(interval * 1000, signal);
      if (stopped) return;
    }
  },
};

function positiveInt(text: string, flag: string, allowZero = false): number {
  if (!/^[0-9]{1,6}$/.test(text) || (!allowZero && Number(text) === 0)) {
    throw new CliError('CLI_USAGE', `(${flag} takes a whole number)`);
  }
  return Number(text);
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((done) => {
    if (signal.aborted) {
      done(true);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      done(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      done(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// ——— audit state: <home>/audit/<hex of the relay URL>.json ———

function auditFile(ctx: CommandContext, relayUrl: string): string {
  const key = toHex(new TextEncoder().encode(relayUrl.replace(/\/+$/, ''))).slice(0, 120);
  return join(ctx.home.dir, 'audit', `${key}.json`);
}

async function loadAuditState(
  ctx: CommandContext,
  relayUrl: string,
): Promise<AuditState | undefined> {
  let text: string;
  try {
    text = await readFile(auditFile(ctx, relayUrl), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (
      typeof value.relayId !== 'string' ||
      typeof value.publicKey !== 'string' ||
      typeof value.origin !== 'string' ||
      typeof value.note !== 'string'
    ) {
      throw new Error('unexpected fields');
    }
    return {
      relayId: value.relayId,
      publicKey: fromBase64Url(value.publicKey),
      origin: value.origin,
      note: value.note,
    };
  } catch (cause) {
    throw new CliError('CLI_CONFIG_INVALID', `(${auditFile(ctx, relayUrl)})`, { cause });
  }
}

async function saveAuditState(
  ctx: CommandContext,
  relayUrl: string,
  state: AuditState,
): Promise<void> {
  await mkdir(join(ctx.home.dir, 'audit'), { recursive: true, mode: 0o700 });
  const text = JSON.stringify({
    relayUrl,
    relayId: state.relayId,
    publicKey: toBase64Url(state.publicKey),
    origin: state.origin,
    note: state.note,
  });
  await writeFile(auditFile(ctx, relayUrl), `${text}\n`, { mode: 0o600 });
}

async function saveEvidence(ctx: CommandContext, report: AuditReport): Promise<void> {
  await mkdir(join(ctx.home.dir, 'audit'), { recursive: true, mode: 0o700 });
  const path = join(ctx.home.dir, 'audit', `evidence-${ctx.io.clock()}.json`);
  await writeFile(path, `${JSON.stringify(auditJson(report), null, 2)}\n`, { mode: 0o600 });
  ctx.out.notice(`Evidence saved to ${path}`);
}

function auditJson(report: AuditReport) {
  return {
    ok: report.ok,
    relayId: report.relayId,
    origin: report.origin,
    previousSize: report.previousSize,
    size: report.size,
    rootHash: toBase64Url(report.rootHash),
    consistency: report.consistency,
    cosignatures: report.cosignatures,
    samples: report.samples,
    problems: report.problems,
    checkpoint: report.note,
  };
}

function auditLines(report: AuditReport): string[] {
  const lines = [
    `Relay ${shortId(report.relayId)} log ${report.origin}`,
    `  checkpoint: ${report.size} leaves, root ${toBase64Url(report.rootHash)}`,
    `  consistency with the last audit (${report.previousSize ?? 'none'}): ${report.consistency}`,
    `  inclusion: ${report.samples.filter((s) => s.ok).length}/${report.samples.length} sampled leaves verified`,
  ];
  if (report.cosignatures > 0) lines.push(`  witness cosignatures: ${report.cosignatures}`);
  for (const problem of report.problems)
    lines.push(`  MISBEHAVIOUR ${problem.kind}: ${problem.detail}`);
  lines.push(report.ok ? 'OK' : 'FAILED');
  return lines;
}

// ——— chat verification ———

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
      ...report.history.problems.map(problemJson),
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

function describeProblem(problem: HistoryProblem): string {
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

function describeEvidence(evidence: StoredEvidence): string {
  return `${evidence.kind}: ${evidence.detail}`;
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

function problemJson(problem: HistoryProblem) {
  return jsonBytes(problem);
}

function transcriptJson(report: TranscriptReport) {
  return {
    ok: report.ok,
    entries: report.history.entries,
    problems: [
      ...report.history.problems.map(problemJson),
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

/** JSON-friendly copy: bytes become base64url. */
function jsonBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return toBase64Url(value);
  if (Array.isArray(value)) return value.map(jsonBytes);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonBytes(v)]));
  }
  return value;
}
