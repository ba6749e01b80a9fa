/**
 * C2SP signed-note: a UTF-8 text followed by a blank line and one or more signature lines
 * `— <key name> <base64(key id || signature)>`. Only Ed25519 (signature type 0x01) is produced and
 * verified here; lines for other keys or types are kept, opaque, so that witness cosignatures
 * (type 0x04, C2SP tlog-cosignature) can be added beside it later.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { base64pad } from 'multiformats/bases/base64';
import { concatBytes, equalBytes, fromUtf8, utf8 } from '../bytes.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { CoreError } from '../errors.js';
import { fail, ok, type Result } from '../result.js';

/** Signature type byte of Ed25519 keys in signed notes (C2SP signed-note §Signature types). */
const NOTE_ED25519_TYPE = 0x01;
/** Length of the key id that starts every signature. */
export const NOTE_KEY_ID_BYTES = 4;
/** Largest signed note `openSignedNote` reads, in bytes. */
export const MAX_SIGNED_NOTE_BYTES = 65_536;
/** Most signature lines `openSignedNote` reads. */
export const MAX_NOTE_SIGNATURES = 100;

// U+2014 EM DASH and a space start every signature line.
const SIGNATURE_PREFIX = '\u2014 ';

/** One signature line of a note: who signed (name, key id) and the signature bytes. */
export interface NoteSignature {
  readonly keyName: string;
  readonly keyId: Uint8Array;
  readonly signature: Uint8Array;
}

/** A note split into its signed text and its signature lines. */
export interface SignedNote {
  /** The signed text, ending in a newline; exactly the bytes the signatures cover. */
  readonly body: string;
  readonly signatures: readonly NoteSignature[];
}

/** Why a note signature was not accepted. */
export type NoteSignatureFailure = 'malformed-note' | 'no-signature-by-key' | 'bad-signature';

/** True if `name` can name a key: non-empty, no whitespace or control characters, no '+'. */
export function isValidKeyName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && !/[\s+\u0000-\u001f\u007f]/u.test(name);
}

/** Throws RangeError unless `name` is a valid key name. */
function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new RangeError(`invalid signed-note key name "${name}"`);
}

/**
 * The 4-byte key id of an Ed25519 key: the first 4 bytes of
 * SHA-256(key name || 0x0A || 0x01 || public key). Throws RangeError on a bad name or key length.
 */
export function noteKeyId(keyName: string, publicKey: Uint8Array): Uint8Array {
  assertKeyName(keyName);
  if (publicKey.length !== 32) throw new RangeError('Ed25519 public key must be 32 bytes');
  const digest = sha256(
    concatBytes(utf8(keyName), new Uint8Array([0x0a, NOTE_ED25519_TYPE]), publicKey),
  );
  return digest.slice(0, NOTE_KEY_ID_BYTES);
}

/** Decodes padded standard base64 (RFC 4648 §4), refusing any non-canonical spelling. */
export function fromBase64Strict(text: string): Uint8Array | undefined {
  try {
    const bytes = base64pad.baseDecode(text);
    return base64pad.baseEncode(bytes) === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** Encodes bytes as padded standard base64 (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  return base64pad.baseEncode(bytes);
}

/** True if `text` is note text: ends in a newline, no control characters other than newline. */
export function isNoteText(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return text.endsWith('\n') && !/[\u0000-\u0009\u000b-\u001f\u007f]/u.test(text);
}

function malformed(detail: string): CoreError {
  return new CoreError('CORE_NOTE_MALFORMED', detail);
}

/**
 * Splits a signed note into body and signatures. Throws CoreError CORE_NOTE_TOO_LARGE over
 * MAX_SIGNED_NOTE_BYTES, CORE_NOTE_MALFORMED when it is not valid UTF-8 note text followed by a
 * blank line and 1..MAX_NOTE_SIGNATURES well-formed signature lines.
 */
export function openSignedNote(note: string | Uint8Array): SignedNote {
  const size = typeof note === 'string' ? utf8(note).length : note.length;
  if (size > MAX_SIGNED_NOTE_BYTES) throw new CoreError('CORE_NOTE_TOO_LARGE');
  let text: string;
  try {
    text = typeof note === 'string' ? note : fromUtf8(note);
  } catch (cause) {
    throw new CoreError('CORE_NOTE_MALFORMED', 'not valid UTF-8', { cause });
  }
  // A lone surrogate in a string has no UTF-8 form: the signed bytes would not be the text.
  if (/\p{Cs}/u.test(text)) throw malformed('not valid UTF-8');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const body = text.slice(0, split + 1);
  if (!isNoteText(body)) throw malformed('the text has control characters');
  const block = text.slice(split + 2);
  if (!block.endsWith('\n')) throw malformed('the last signature line has no newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw malformed('too many signatures');
  const signatures = lines.map((line): NoteSignature => {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('a signature line lacks "— "');
    const fields = line.slice(SIGNATURE_PREFIX.length).split(' ');
    const [keyName, encoded] = fields;
    if (fields.length !== 2 || keyName === undefined || encoded === undefined) {
      throw malformed('a signature line is not "— name signature"');
    }
    if (!isValidKeyName(keyName)) throw malformed('invalid key name');
    const bytes = fromBase64Strict(encoded);
    if (bytes === undefined || bytes.length <= NOTE_KEY_ID_BYTES) {
      throw malformed('a signature is not base64 of a key id and signature');
    }
    return {
      keyName,
      keyId: bytes.slice(0, NOTE_KEY_ID_BYTES),
      signature: bytes.slice(NOTE_KEY_ID_BYTES),
    };
  });
  return { body, signatures };
}

/** One signature line for `body`, with the seed's Ed25519 key named `keyName` (RangeError if invalid). */
async function signNoteLine(
  suite: CryptoSuite,
  seed: Uint8Array,
  keyName: string,
  body: string,
): Promise<string> {
  assertKeyName(keyName);
  if (!isNoteText(body))
    throw new RangeError('note text must end in a newline and hold no controls');
  const publicKey = await suite.ed25519.publicKey(seed);
  const signature = await suite.ed25519.sign(seed, utf8(body));
  return `${SIGNATURE_PREFIX}${keyName} ${toBase64(concatBytes(noteKeyId(keyName, publicKey), signature))}\n`;
}

/** Signs note text: returns `body`, a blank line and one signature line. RangeError on bad input. */
export async function signNote(
  suite: CryptoSuite,
  seed: Uint8Array,
  keyName: string,
  body: string,
): Promise<string> {
  return `${body}\n${await signNoteLine(suite, seed, keyName, body)}`;
}

/**
 * Verifies the signature of the Ed25519 key (`keyName`, `publicKey`) on a signed note. Lines of
 * other keys are ignored, as C2SP requires. Never throws for bad input; RangeError for a bad key
 * name or key length.
 */
export async function verifyNoteSignature(
  suite: CryptoSuite,
  note: string | Uint8Array,
  keyName: string,
  publicKey: Uint8Array,
): Promise<Result<SignedNote, NoteSignatureFailure>> {
  const found = signaturesOfKey(note, keyName, noteKeyId(keyName, publicKey));
  if (!found.ok) return found;
  const { opened, lines } = found.value;
  const message = utf8(opened.body);
  for (const { signature } of lines) {
    if (await suite.ed25519.verify(publicKey, message, signature)) return ok(opened);
  }
  return fail('bad-signature');
}

/**
 * Opens a note and picks the signature lines of one key (name and key id both match, as C2SP
 * requires; other lines are ignored). Never throws for bad input.
 */
export function signaturesOfKey(
  note: string | Uint8Array,
  keyName: string,
  keyId: Uint8Array,
): Result<
  { opened: SignedNote; lines: NoteSignature[] },
  'malformed-note' | 'no-signature-by-key'
> {
  let opened: SignedNote;
  try {
    opened = openSignedNote(note);
  } catch (error) {
    if (error instanceof CoreError) return fail('malformed-note', error.code);
    throw error;
  }
  const lines = opened.signatures.filter(
    (s) => s.keyName === keyName && equalBytes(s.keyId, keyId),
  );
  return lines.length === 0 ? fail('no-signature-by-key') : ok({ opened, lines });
}
