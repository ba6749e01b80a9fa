/** `parley audit RELAY_URL`: audits a relay's log, keeping state and evidence in the home. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RelayApi, auditRelay, type AuditReport, type AuditState } from '@parley/client';
import {
  createCryptoSuite,
  fromBase64Url,
  generateIdentity,
  toBase64Url,
  toHex,
} from '@parley/core';
import type { Command } from '../command.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { shortId } from '../output.js';

/** The `audit` command. */
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
