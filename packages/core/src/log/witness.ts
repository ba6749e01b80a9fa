/**
 * C2SP tlog-witness `add-checkpoint`: the request a log sends a witness (old size, consistency
 * proof, signed checkpoint) and the witness's pure decision on it. Storage of the last cosigned
 * checkpoint, its atomic update and the HTTP answer are the caller's.
 */
import { equalBytes, utf8 } from '../bytes.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { CoreError } from '../errors.js';
import { parseCheckpoint, verifyCheckpointSignature, type Checkpoint } from './checkpoint.js';
import { MERKLE_HASH_BYTES, verifyConsistency } from './merkle.js';
import { fromBase64Strict, openSignedNote, toBase64 } from './signed-note.js';

/** Most consistency proof lines a request may carry (C2SP tlog-witness). */
export const MAX_WITNESS_PROOF_HASHES = 63;
/** Largest add-checkpoint request `parseAddCheckpoint` reads, in UTF-8 bytes. */
export const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;

/** An add-checkpoint request: the size the log believes the witness holds, a proof, the note. */
export interface AddCheckpointRequest {
  /** Size of the checkpoint the witness last cosigned for this log (0 if none). */
  readonly oldSize: number;
  /** RFC 9162 consistency proof from oldSize to the new checkpoint's size; empty when oldSize is 0. */
  readonly proof: readonly Uint8Array[];
  /** The new checkpoint as a signed note (the log's signature, maybe others). */
  readonly note: string;
}

// A decimal without leading zeros.
const OLD_LINE = /^old (0|[1-9][0-9]*)$/;

/**
 * The request body: `old <size>\n`, one base64 line per proof hash, an empty line, then the note.
 * Throws RangeError for a size that is not a non-negative safe integer, a proof hash that is not
 * 32 bytes, more than MAX_WITNESS_PROOF_HASHES hashes, or a note that does not end in a newline.
 */
export function formatAddCheckpoint(request: AddCheckpointRequest): string {
  const { oldSize, proof, note } = request;
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) {
    throw new RangeError('old size must be a non-negative safe integer');
  }
  if (proof.length > MAX_WITNESS_PROOF_HASHES) {
    throw new RangeError(`at most ${MAX_WITNESS_PROOF_HASHES} proof hashes`);
  }
  if (!proof.every((hash) => hash instanceof Uint8Array && hash.length === MERKLE_HASH_BYTES)) {
    throw new RangeError(`proof hashes must be ${MERKLE_HASH_BYTES} bytes`);
  }
  if (!note.endsWith('\n')) throw new RangeError('the note must end in a newline');
  return `old ${oldSize}\n${proof.map((hash) => `${toBase64(hash)}\n`).join('')}\n${note}`;
}

function malformed(detail: string, cause?: unknown): CoreError {
  return new CoreError(
    'CORE_WITNESS_REQUEST_MALFORMED',
    `(${detail})`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Parses an add-checkpoint request body strictly. Throws CoreError CORE_WITNESS_REQUEST_MALFORMED
 * over MAX_ADD_CHECKPOINT_BYTES, for an old size line that is not `old <canonical decimal>` up to
 * 2^53 − 1, a proof line that is not padded base64 of 32 bytes, more than 63 proof lines, no
 * empty line, or a note that is not a well-formed signed note (its signatures are not checked).
 */
export function parseAddCheckpoint(text: string): AddCheckpointRequest {
  if (text.length > MAX_ADD_CHECKPOINT_BYTES || utf8(text).length > MAX_ADD_CHECKPOINT_BYTES) {
    throw malformed(`over ${MAX_ADD_CHECKPOINT_BYTES} bytes`);
  }
  let offset = text.indexOf('\n');
  if (offset < 0) throw malformed('no old size line');
  const oldMatch = OLD_LINE.exec(text.slice(0, offset));
  const oldSize = Number(oldMatch?.[1]);
  if (oldMatch === null || !Number.isSafeInteger(oldSize)) {
    throw malformed('the first line is not "old <size>"');
  }
  offset += 1;
  const proof: Uint8Array[] = [];
  for (;;) {
    const end = text.indexOf('\n', offset);
    if (end < 0) throw malformed('no empty line before the checkpoint');
    const line = text.slice(offset, end);
    offset = end + 1;
    if (line === '') break;
    if (proof.length === MAX_WITNESS_PROOF_HASHES) {
      throw malformed(`more than ${MAX_WITNESS_PROOF_HASHES} proof lines`);
    }
    const hash = fromBase64Strict(line);
    if (hash?.length !== MERKLE_HASH_BYTES) {
      throw malformed('a proof line is not base64 of 32 bytes');
    }
    proof.push(hash);
  }
  const note = text.slice(offset);
  try {
    openSignedNote(note);
  } catch (cause) {
    throw malformed('the checkpoint is not a signed note', cause);
  }
  return { oldSize, proof, note };
}

/**
 * The witness's answer. `unknown-log` (HTTP 404), `bad-signature` (403), `malformed` (400: an
 * unparsable note or an old size above the new size), `conflict` (409, with the size the witness
 * holds: the old size is not that size, or the sizes are equal and the roots differ), `bad-proof`
 * (422: the consistency proof does not verify, or is not empty when it must be).
 */
export type WitnessDecision =
  | { ok: true; checkpoint: Checkpoint }
  | {
      ok: false;
      reason: 'unknown-log' | 'bad-signature' | 'conflict' | 'bad-proof' | 'malformed';
      size?: number;
    };

/**
 * The witness's decision on an add-checkpoint request (pure; C2SP tlog-witness, checks in its
 * order): the note must be a checkpoint of the known `log` (origin = key name), signed by the log
 * key; oldSize ≤ the new size; oldSize equal to the size last cosigned (`last`, or 0 when none);
 * the proof connecting the last cosigned root to the new root (empty when oldSize is 0; empty
 * with equal roots when the sizes are equal). On ok the caller cosigns the note's body and, in the
 * same atomic step, records the new size and root as `last`. RangeError for an invalid origin or
 * key length in `log`.
 */
export async function decideAddCheckpoint(
  suite: CryptoSuite,
  request: AddCheckpointRequest,
  log: { origin: string; publicKey: Uint8Array },
  last: { size: number; rootHash: Uint8Array } | undefined,
): Promise<WitnessDecision> {
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(openSignedNote(request.note).body);
  } catch (error) {
    if (error instanceof CoreError) return { ok: false, reason: 'malformed' };
    throw error;
  }
  if (checkpoint.origin !== log.origin) return { ok: false, reason: 'unknown-log' };
  const signed = await verifyCheckpointSignature(suite, request.note, log.origin, log.publicKey);
  if (!signed.ok) return { ok: false, reason: 'bad-signature' };
  const { oldSize, proof } = request;
  if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > checkpoint.size) {
    return { ok: false, reason: 'malformed' };
  }
  const lastSize = last?.size ?? 0;
  if (oldSize !== lastSize) return { ok: false, reason: 'conflict', size: lastSize };
  if (oldSize === 0 || last === undefined) {
    return proof.length === 0 ? { ok: true, checkpoint } : { ok: false, reason: 'bad-proof' };
  }
  if (oldSize === checkpoint.size && !equalBytes(last.rootHash, checkpoint.rootHash)) {
    return { ok: false, reason: 'conflict', size: lastSize };
  }
  const consistent = verifyConsistency(
    oldSize,
    checkpoint.size,
    proof,
    last.rootHash,
    checkpoint.rootHash,
  );
  return consistent.ok ? { ok: true, checkpoint } : { ok: false, reason: 'bad-proof' };
}
