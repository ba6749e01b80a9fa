/**
 * C2SP tlog-cosignature v1 (Ed25519, signature type 0x04): a witness's timestamped signature on a
 * checkpoint, stating that this is the largest consistent tree it has seen for the origin as of
 * that time. Its lines sit beside the log's own in the signed note.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '../bytes.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { CoreError } from '../errors.js';
import { fail, ok, type Result } from '../result.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import {
  NOTE_KEY_ID_BYTES,
  isValidKeyName,
  openSignedNote,
  signaturesOfKey,
  toBase64,
  type NoteSignatureFailure,
} from './signed-note.js';

/** Signature type byte of Ed25519 cosignatures (C2SP tlog-cosignature §Format). */
export const NOTE_COSIGNATURE_TYPE = 0x04;

// key id (4) || timestamp (u64 big-endian seconds) || Ed25519 signature (64).
const COSIGNATURE_BYTES = NOTE_KEY_ID_BYTES + 8 + 64;

function assertName(name: string): void {
  if (!isValidKeyName(name)) throw new RangeError(`invalid cosigner name "${name}"`);
}

/**
 * The 4-byte key id of an Ed25519 cosigner: SHA-256(name || 0x0A || 0x04 || public key)[0:4].
 * Throws RangeError on an invalid name or a key that is not 32 bytes.
 */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  assertName(name);
  if (publicKey.length !== 32) throw new RangeError('Ed25519 public key must be 32 bytes');
  const digest = sha256(
    concatBytes(utf8(name), new Uint8Array([0x0a, NOTE_COSIGNATURE_TYPE]), publicKey),
  );
  return digest.slice(0, NOTE_KEY_ID_BYTES);
}

/** The message a v1 cosignature signs: two header lines, then the whole checkpoint body. */
function cosignedMessage(body: string, timeSeconds: number): Uint8Array {
  return utf8(`cosignature/v1\ntime ${timeSeconds}\n${body}`);
}

/**
 * Cosigns a checkpoint body (the note text without signatures) at `timeSeconds` (POSIX seconds):
 * returns one signature line `— name base64(key id || u64 time || signature)\n`, ready for
 * `addNoteSignatures`. Checking consistency before cosigning is the caller's duty (see
 * `decideAddCheckpoint`). Throws RangeError for an invalid name, a body that is not a checkpoint,
 * or a time that is not a non-negative safe integer.
 */
export async function cosignCheckpoint(
  suite: CryptoSuite,
  seed: Uint8Array,
  name: string,
  body: string,
  timeSeconds: number,
): Promise<string> {
  assertName(name);
  if (!Number.isSafeInteger(timeSeconds) || timeSeconds < 0) {
    throw new RangeError('cosignature time must be a non-negative safe integer');
  }
  try {
    parseCheckpoint(body);
  } catch (error) {
    if (error instanceof CoreError) throw new RangeError(`cosignCheckpoint: ${error.message}`);
    throw error;
  }
  const publicKey = await suite.ed25519.publicKey(seed);
  const time = new Uint8Array(8);
  new DataView(time.buffer).setBigUint64(0, BigInt(timeSeconds));
  const signature = await suite.ed25519.sign(seed, cosignedMessage(body, timeSeconds));
  const payload = concatBytes(cosignatureKeyId(name, publicKey), time, signature);
  return `\u2014 ${name} ${toBase64(payload)}\n`;
}

/**
 * Verifies the cosignature of (name, publicKey) on a signed checkpoint and returns the checkpoint
 * and the time it was cosigned. Lines of other keys are ignored. Never throws for bad input
 * (`malformed-note`, `no-signature-by-key`, `bad-signature` — also for a line of the wrong length
 * or a time beyond 2^53 − 1 —, `malformed-checkpoint`); RangeError for an invalid name or key.
 */
export async function verifyCosignature(
  suite: CryptoSuite,
  note: string,
  name: string,
  publicKey: Uint8Array,
): Promise<
  Result<{ checkpoint: Checkpoint; time: number }, NoteSignatureFailure | 'malformed-checkpoint'>
> {
  const found = signaturesOfKey(note, name, cosignatureKeyId(name, publicKey));
  if (!found.ok) return found;
  const { opened, lines } = found.value;
  for (const { signature: payload } of lines) {
    // The parsed signature holds what follows the key id: u64 time || Ed25519 signature.
    if (payload.length !== COSIGNATURE_BYTES - NOTE_KEY_ID_BYTES) continue;
    const time = new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0);
    if (time > BigInt(Number.MAX_SAFE_INTEGER)) continue;
    const seconds = Number(time);
    const message = cosignedMessage(opened.body, seconds);
    if (!(await suite.ed25519.verify(publicKey, message, payload.subarray(8)))) continue;
    try {
      return ok({ checkpoint: parseCheckpoint(opened.body), time: seconds });
    } catch (error) {
      if (error instanceof CoreError) return fail('malformed-checkpoint', error.code);
      throw error;
    }
  }
  return fail('bad-signature');
}

/**
 * Appends signature lines (as `cosignCheckpoint` or a witness returns them, with or without the
 * final newline) to a signed note, skipping lines the note already has or that repeat. Throws
 * CoreError CORE_NOTE_MALFORMED if `note` is not a signed note, a line is not one signature line,
 * or the result would exceed MAX_NOTE_SIGNATURES; CORE_NOTE_TOO_LARGE past MAX_SIGNED_NOTE_BYTES.
 */
export function addNoteSignatures(note: string, lines: readonly string[]): string {
  const { body } = openSignedNote(note);
  const present = note.slice(body.length + 1, -1).split('\n');
  for (const raw of lines) {
    const line = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    if (line.includes('\n')) {
      throw new CoreError('CORE_NOTE_MALFORMED', 'more than one line given as one signature');
    }
    // A note with a one-line text and this line as its only signature checks the line's form.
    openSignedNote(`x\n\n${line}\n`);
    if (!present.includes(line)) present.push(line);
  }
  const result = `${body}\n${present.join('\n')}\n`;
  openSignedNote(result);
  return result;
}
