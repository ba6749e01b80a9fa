/**
 * C2SP tlog-checkpoint: the note text `<origin>\n<tree size>\n<base64 root hash>\n[extensions]`
 * that a log signs (as a C2SP signed note) to commit to one tree size and root.
 */
import { utf8 } from '../bytes.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { CoreError } from '../errors.js';
import { fail, ok, type Result } from '../result.js';
import { MERKLE_HASH_BYTES } from './merkle.js';
import {
  fromBase64Strict,
  isNoteText,
  signNote,
  toBase64,
  verifyNoteSignature,
  type NoteSignatureFailure,
} from './signed-note.js';

/** Largest checkpoint body `parseCheckpoint` reads, in bytes. */
export const MAX_CHECKPOINT_BYTES = 8192;

/** What a checkpoint says: this log (origin) had this many leaves with this root. */
export interface Checkpoint {
  /** The log's unique name, conventionally a schema-less URL (`relay.example.org/log`). */
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Optional extra lines after the root, each non-empty; their meaning is the log's. */
  readonly extensions: readonly string[];
}

// A decimal without leading zeros (C2SP: "ASCII decimal, no leading zeroes").
const CANONICAL_DECIMAL = /^(0|[1-9][0-9]*)$/;

function isLine(text: string): boolean {
  return text.length > 0 && isNoteText(`${text}\n`) && !text.includes('\n');
}

/**
 * The checkpoint's note text. Throws RangeError for an empty origin or extension line, one with a
 * newline or control character, a size that is not a non-negative safe integer, or a root hash
 * that is not 32 bytes.
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions } = checkpoint;
  if (!isLine(origin)) throw new RangeError('checkpoint origin must be one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError('checkpoint size must be a non-negative safe integer');
  }
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== MERKLE_HASH_BYTES) {
    throw new RangeError(`checkpoint root hash must be ${MERKLE_HASH_BYTES} bytes`);
  }
  if (!extensions.every(isLine)) throw new RangeError('extension lines must be non-empty lines');
  return [origin, String(size), toBase64(rootHash), ...extensions].map((l) => `${l}\n`).join('');
}

/**
 * Parses checkpoint note text (the body of a signed note, without signatures). Strict: one
 * spelling per checkpoint. Throws CoreError CORE_CHECKPOINT_TOO_LARGE over MAX_CHECKPOINT_BYTES;
 * CORE_CHECKPOINT_MALFORMED without the trailing newline, with fewer than three lines, an empty
 * line or a control character; CORE_CHECKPOINT_SIZE_INVALID for a size that is not a canonical
 * decimal up to 2^53 - 1; CORE_CHECKPOINT_ROOT_INVALID for a root that is not canonical base64 of
 * 32 bytes.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (text.length > MAX_CHECKPOINT_BYTES || utf8(text).length > MAX_CHECKPOINT_BYTES) {
    throw new CoreError('CORE_CHECKPOINT_TOO_LARGE');
  }
  if (!isNoteText(text) || /\p{Cs}/u.test(text)) {
    throw new CoreError('CORE_CHECKPOINT_MALFORMED', 'not note text ending in a newline');
  }
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || sizeText === undefined || rootText === undefined) {
    throw new CoreError('CORE_CHECKPOINT_MALFORMED', 'fewer than three lines');
  }
  if (lines.some((line) => line.length === 0)) {
    throw new CoreError('CORE_CHECKPOINT_MALFORMED', 'an empty line');
  }
  if (!CANONICAL_DECIMAL.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new CoreError('CORE_CHECKPOINT_SIZE_INVALID', JSON.stringify(sizeText.slice(0, 32)));
  }
  const rootHash = fromBase64Strict(rootText);
  if (rootHash === undefined || rootHash.length !== MERKLE_HASH_BYTES) {
    throw new CoreError('CORE_CHECKPOINT_ROOT_INVALID');
  }
  return { origin, size: Number(sizeText), rootHash, extensions };
}

/**
 * Signs checkpoint note text with an Ed25519 seed as key `keyName`; returns the signed note. The
 * signature covers the text's UTF-8 bytes exactly (C2SP signed-note). RangeError on a bad name.
 * Further signatures (witness cosignatures) are appended as more lines by their signers.
 */
export function signCheckpoint(
  suite: CryptoSuite,
  seed: Uint8Array,
  keyName: string,
  body: string,
): Promise<string> {
  return signNote(suite, seed, keyName, body);
}

/** Why a signed checkpoint was not accepted. */
export type CheckpointFailure = NoteSignatureFailure | 'malformed-checkpoint';

/**
 * Verifies the log key's signature on a signed checkpoint and parses the checkpoint. Never throws
 * for bad input; RangeError for a bad key name or key length. Checking the origin against the log
 * the caller expects is the caller's job (the returned checkpoint carries it).
 */
export async function verifyCheckpointSignature(
  suite: CryptoSuite,
  note: string | Uint8Array,
  keyName: string,
  publicKey: Uint8Array,
): Promise<Result<Checkpoint, CheckpointFailure>> {
  const verified = await verifyNoteSignature(suite, note, keyName, publicKey);
  if (!verified.ok) return verified;
  try {
    return ok(parseCheckpoint(verified.value.body));
  } catch (error) {
    if (error instanceof CoreError) return fail('malformed-checkpoint', error.code);
    throw error;
  }
}
