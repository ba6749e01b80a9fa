/**
 * The auditor (docs/spec/log.md §Auditing): anyone, without an account, checks a relay's log
 * from the last checkpoint they verified to the latest — signature, witnesses, no rollback,
 * consistency — and samples inclusion proofs of random leaves. Misbehaviour comes back as
 * problems carrying the signed checkpoints that prove it.
 */
import {
  accountIdFromPublicKey,
  equalBytes,
  logLeafHash,
  verifyCheckpointSignature,
  verifyConsistency,
  verifyCosignature,
  verifyInclusion,
  type Checkpoint,
  type CryptoSuite,
  type RandomSource,
} from '@parley/core';
import { ClientError } from '../errors.js';
import type { RelayApi } from '../relay/relay-api.js';
import { isAnswerRefusal } from './answer-refusal.js';
import type { WitnessKey } from './checkpoints.js';

/** What an auditor remembers of one relay between runs. */
export interface AuditState {
  readonly relayId: string;
  readonly publicKey: Uint8Array;
  readonly origin: string;
  /** The last checkpoint verified (signed note). */
  readonly note: string;
}

/** One thing found wrong, with what proves it. */
export interface AuditProblem {
  readonly kind:
    | 'key-changed'
    | 'bad-signature'
    | 'under-witnessed'
    | 'rollback'
    | 'split-view'
    | 'inconsistent'
    | 'bad-inclusion';
  readonly detail: string;
  /** Signed checkpoints involved (the stored one first). */
  readonly notes: readonly string[];
}

/** The outcome of one audit run. */
export interface AuditReport {
  readonly ok: boolean;
  readonly relayId: string;
  readonly origin: string;
  readonly previousSize: number | null;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly note: string;
  /** How the new checkpoint relates to the stored one. */
  readonly consistency: 'first-contact' | 'same' | 'verified' | 'failed';
  readonly cosignatures: number;
  readonly samples: readonly {
    readonly index: number;
    readonly cid: string;
    readonly ok: boolean;
  }[];
  readonly problems: readonly AuditProblem[];
}

/** The relay calls an audit needs (all public). */
export type AuditApi = Pick<
  RelayApi,
  'info' | 'checkpoint' | 'consistencyProof' | 'inclusionProof' | 'leaves'
>;

/** Options of auditRelay. */
export interface AuditOptions {
  readonly api: AuditApi;
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  /** What the previous run stored (undefined on first contact: the key is trusted then). */
  readonly state: AuditState | undefined;
  /** How many random leaves to check for inclusion (default 8). */
  readonly samples?: number;
  readonly witnesses?: readonly WitnessKey[];
  readonly requiredCosignatures?: number;
}

/**
 * Audits once. Returns the report and the state to store: the new checkpoint if it checked out,
 * else the old state unchanged (so the next run compares against the last good checkpoint;
 * undefined if there was none).
 * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED when the relay can't answer
 */
export async function auditRelay(
  options: AuditOptions,
): Promise<{ report: AuditReport; state: AuditState | undefined }> {
  const { api, suite, state } = options;
  const problems: AuditProblem[] = [];
  const info = await api.info();
  if (accountIdFromPublicKey(info.publicKey) !== info.relayId) {
    throw new ClientError('CLIENT_LOG_KEY_MISMATCH', '(the relay id is not its key)');
  }
  if (state !== undefined && !equalBytes(state.publicKey, info.publicKey)) {
    problems.push({
      kind: 'key-changed',
      detail: `the relay now presents key ${info.relayId}, not ${state.relayId}`,
      notes: [state.note],
    });
  }
  const trusted = state ?? {
    relayId: info.relayId,
    publicKey: info.publicKey,
    origin: info.origin,
    note: '',
  };
  const note = await api.checkpoint();
  const verified = await verifyCheckpointSignature(suite, note, trusted.origin, trusted.publicKey);
  if (!verified.ok) {
    problems.push({
      kind: 'bad-signature',
      detail: `the latest checkpoint does not verify (${verified.reason})`,
      notes: [note],
    });
    return finish(state, trusted, problems, note, undefined, 'failed', 0, []);
  }
  const current = verified.value;
  let cosignatures = 0;
  for (const witness of options.witnesses ?? []) {
    if ((await verifyCosignature(suite, note, witness.name, witness.publicKey)).ok) {
      cosignatures += 1;
    }
  }
  if (cosignatures < (options.requiredCosignatures ?? 0)) {
    problems.push({
      kind: 'under-witnessed',
      detail: `${cosignatures} valid cosignatures, ${options.requiredCosignatures ?? 0} required`,
      notes: [note],
    });
  }
  let consistency: AuditReport['consistency'] = 'first-contact';
  const previous = state === undefined ? undefined : await readStored(options, state);
  if (previous !== undefined && state !== undefined) {
    consistency = await compare(api, state.note, previous, note, current, problems);
  }
  const samples = await sample(options, current, problems, note);
  return finish(state, trusted, problems, note, current, consistency, cosignatures, samples);
}

async function readStored(options: AuditOptions, state: AuditState): Promise<Checkpoint> {
  const stored = await verifyCheckpointSignature(
    options.suite,
    state.note,
    state.origin,
    state.publicKey,
  );
  if (!stored.ok) throw new ClientError('CLIENT_INTERNAL', '(the stored checkpoint is unreadable)');
  return stored.value;
}

async function compare(
  api: AuditApi,
  oldNote: string,
  old: Checkpoint,
  newNote: string,
  next: Checkpoint,
  problems: AuditProblem[],
): Promise<AuditReport['consistency']> {
  if (next.size === old.size) {
    if (equalBytes(next.rootHash, old.rootHash)) return 'same';
    problems.push({
      kind: 'split-view',
      detail: `two signed roots for size ${next.size}`,
      notes: [oldNote, newNote],
    });
    return 'failed';
  }
  if (next.size < old.size) {
    problems.push({
      kind: 'rollback',
      detail: `the relay serves size ${next.size} after signing size ${old.size}`,
      notes: [oldNote, newNote],
    });
    return 'failed';
  }
  if (old.size === 0) return 'verified';
  let proof: Uint8Array[];
  try {
    proof = await api.consistencyProof(old.size, next.size);
  } catch (error) {
    if (!isAnswerRefusal(error)) throw error;
    problems.push({
      kind: 'inconsistent',
      detail: `the relay refused a consistency proof ${old.size} → ${next.size} (${error.relayCode ?? ''})`,
      notes: [oldNote, newNote],
    });
    return 'failed';
  }
  const result = verifyConsistency(old.size, next.size, proof, old.rootHash, next.rootHash);
  if (result.ok) return 'verified';
  problems.push({
    kind: 'inconsistent',
    detail: `consistency ${old.size} → ${next.size} fails (${result.reason})`,
    notes: [oldNote, newNote],
  });
  return 'failed';
}

async function sample(
  options: AuditOptions,
  checkpoint: Checkpoint,
  problems: AuditProblem[],
  note: string,
): Promise<{ index: number; cid: string; ok: boolean }[]> {
  const count = Math.min(options.samples ?? 8, checkpoint.size);
  const indices = new Set<number>();
  // The newest leaf is always checked: it is what a fresh checkpoint adds.
  if (count > 0) indices.add(checkpoint.size - 1);
  while (indices.size < count) {
    const bytes = options.random(6);
    const value = bytes.reduce((acc, byte) => acc * 256 + byte, 0);
    indices.add(value % checkpoint.size);
  }
  const results: { index: number; cid: string; ok: boolean }[] = [];
  for (const index of [...indices].sort((a, b) => a - b)) {
    const [leaf] = await options.api.leaves(index, index + 1);
    let ok = false;
    let detail = 'the relay lists no leaf there';
    if (leaf !== undefined) {
      try {
        const answer = await options.api.inclusionProof(index, checkpoint.size);
        const verified = verifyInclusion(
          logLeafHash(leaf.cid),
          index,
          checkpoint.size,
          answer.proof,
          checkpoint.rootHash,
        );
        ok = verified.ok;
        detail = verified.ok ? '' : `the inclusion proof fails (${verified.reason})`;
      } catch (error) {
        if (!isAnswerRefusal(error)) throw error;
        detail = `the relay refused the proof (${error.relayCode ?? ''})`;
      }
    }
    results.push({ index, cid: leaf?.cid ?? '', ok });
    if (!ok) {
      problems.push({ kind: 'bad-inclusion', detail: `leaf ${index}: ${detail}`, notes: [note] });
    }
  }
  return results;
}

function finish(
  previous: AuditState | undefined,
  trusted: AuditState,
  problems: AuditProblem[],
  note: string,
  current: Checkpoint | undefined,
  consistency: AuditReport['consistency'],
  cosignatures: number,
  samples: { index: number; cid: string; ok: boolean }[],
): { report: AuditReport; state: AuditState | undefined } {
  const previousSize =
    trusted.note === '' ? null : Number(trusted.note.split('\n')[1] ?? Number.NaN);
  const ok = problems.length === 0;
  const report: AuditReport = {
    ok,
    relayId: trusted.relayId,
    origin: trusted.origin,
    previousSize,
    size: current?.size ?? 0,
    rootHash: current?.rootHash ?? new Uint8Array(),
    note,
    consistency,
    cosignatures,
    samples,
    problems,
  };
  // Only a checkpoint that checked out replaces the one kept.
  return { report, state: ok ? { ...trusted, note } : previous };
}
