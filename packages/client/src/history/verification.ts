/**
 * Verifies a chat's history as this device holds it (docs/spec/history.md): every entry's
 * signature and device, the per-author chains (gaps, broken links, equivocations), the live
 * problems seen while receiving, and the relay log (fresh checkpoint, inclusion, evidence).
 */
import { toHex, verifyHistory, type CryptoSuite, type HistoryReport } from '@parley/core';
import { allEntries, problemsOf, type LiveProblem } from '../chats/entries.js';
import { requireChat } from '../chats/records.js';
import type { DeviceLookup } from '../directory/device-lookup.js';
import { isClientError } from '../errors.js';
import type { Gaps } from '../sync/gaps.js';
import type { StoredEvidence } from '../log/evidence.js';
import type { LogMonitor } from '../log/log-monitor.js';
import type { ClientStore } from '../store/client-store.js';

/** What `chat.verify()` reports. */
export interface ChatVerification {
  readonly chatId: string;
  /** True if nothing below is wrong: every entry verified, no problem, no evidence. */
  readonly ok: boolean;
  readonly history: HistoryReport;
  /** Problems seen while receiving (reordered entries, envelopes that could not be opened). */
  readonly problems: readonly (LiveProblem & { readonly foundAt: number })[];
  readonly log: {
    /** False if the relay could not be reached: the log part is as of the last contact. */
    readonly reachable: boolean;
    readonly checkpoint: { size: number; rootHash: Uint8Array; note: string } | null;
    /** Envelopes of this chat's entries proven in the log, waiting for a checkpoint, or never tracked. */
    readonly included: number;
    readonly pending: number;
    readonly notTracked: number;
    readonly evidence: readonly StoredEvidence[];
  };
}

/** Refusals that follow the group's rules (late messages of removed members…), not tampering. */
const POLICY_REJECTIONS = new Set(['not-a-member', 'future-epoch', 'stale-commit']);

/** What verifying needs. */
export interface VerificationDeps {
  readonly store: ClientStore;
  readonly suite: CryptoSuite;
  readonly log: Pick<LogMonitor, 'refresh' | 'inclusion' | 'evidence' | 'latest'>;
  readonly lookup: Pick<DeviceLookup, 'devicesOf'>;
  readonly gaps: Pick<Gaps, 'resolve'>;
}

/**
 * Verifies chat `id`; asks the relay again for every open gap first. Works offline for the
 * history part (signatures are still checked; device keys cannot be looked up).
 * @throws ClientError CLIENT_CHAT_NOT_FOUND
 */
export async function verifyChat(deps: VerificationDeps, id: string): Promise<ChatVerification> {
  const { store, log } = deps;
  let chat = await requireChat(store, id);
  let reachable = true;
  try {
    if (chat.status === 'active') chat = await deps.gaps.resolve(chat, true);
    await log.refresh();
  } catch (error) {
    if (!isClientError(error, 'CLIENT_RELAY_UNREACHABLE')) throw error;
    reachable = false;
  }
  const entries = await allEntries(store, id);
  const devices = new Map<string, Uint8Array[] | undefined>();
  for (const entry of entries) {
    if (devices.has(entry.author)) continue;
    const certificates = reachable
      ? await deps.lookup.devicesOf(entry.author).catch(() => undefined)
      : undefined;
    devices.set(
      entry.author,
      certificates?.map((c) => c.deviceKey),
    );
  }
  const history = await verifyHistory(
    deps.suite,
    chat.topic,
    entries.map((entry) => entry.bytes),
    {
      ...(reachable ? { deviceKeysOf: (account: string) => devices.get(account) } : {}),
      firstHeld: (account, device) => chat.chains[`${account}/${toHex(device)}`]?.first,
    },
  );
  const problems = await problemsOf(store, id);
  let included = 0;
  let pending = 0;
  for (const entry of entries) {
    const status = await log.inclusion(entry.cid);
    if (status.state === 'included') included += 1;
    else if (status.state === 'pending') pending += 1;
  }
  const evidence = await log.evidence();
  const held = await log.latest();
  const integrity = problems.filter(
    (problem) => problem.kind !== 'rejected' || !POLICY_REJECTIONS.has(problem.reason),
  );
  return {
    chatId: id,
    ok: history.ok && integrity.length === 0 && evidence.length === 0,
    history,
    problems,
    log: {
      reachable,
      checkpoint:
        held === undefined
          ? null
          : { size: held.checkpoint.size, rootHash: held.checkpoint.rootHash, note: held.note },
      included,
      pending,
      notTracked: entries.length - included - pending,
      evidence,
    },
  };
}
