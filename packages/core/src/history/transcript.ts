/**
 * Chat transcripts (docs/spec/history.md §Transcripts): a self-contained export of a chat's signed
 * entries, the directory entries that bind their device keys to accounts, where each chain's held
 * history begins, and optionally the relay log's signed checkpoint with inclusion proofs of the
 * envelopes that carried the entries. `verifyTranscript` checks all of it offline.
 */
import { CID } from 'multiformats/cid';
import { toHex } from '../bytes.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { verifyDirectoryEntry } from '../directory/directory-entry.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { DAG_CBOR_CODE, RAW_CODE, SHA2_256_CODE } from '../encoding/cid.js';
import { expectBytes, expectFields, expectString, expectUint } from '../encoding/schema.js';
import { CoreError } from '../errors.js';
import { parseAccountId } from '../identity/account-id.js';
import { verifyCheckpointSignature } from '../log/checkpoint.js';
import { logLeafHash } from '../log/leaf.js';
import { verifyInclusion } from '../log/merkle.js';
import { MAX_SIGNED_NOTE_BYTES, isValidKeyName } from '../log/signed-note.js';
import { entryHash } from '../mls/chat-entry.js';
import { checkTranscriptOrder, type TranscriptOrderProblem } from './transcript-order.js';
import { verifyHistory, type HistoryReport } from './verify.js';

/** The `type` field that marks a transcript. */
export const TRANSCRIPT_TYPE = 'parley/transcript';
/** Largest encoded transcript `decodeTranscript` reads (64 MiB). */
export const MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024;
// Deepest path: transcript → log → inclusions → inclusion → cid tag / proof list → bytes.
const MAX_TRANSCRIPT_DEPTH = 6;
// An inclusion proof in a tree of up to 2^53 − 1 leaves has at most 53 hashes.
const MAX_PROOF_HASHES = 64;

/** A verifiable export of one chat. */
export interface Transcript {
  readonly v: 1;
  /** The chat's topic. */
  readonly chat: Uint8Array;
  /** The exporter's clock, ms since the epoch. */
  readonly exportedAt: number;
  /** Signed entry bytes, each once, in `orderEntries` order (`verifyTranscript` checks it). */
  readonly entries: readonly Uint8Array[];
  /** Signed directory entries of every author: they bind device keys to accounts. */
  readonly directory: readonly Uint8Array[];
  /** Where the exporter's history of each chain begins (it joined late). */
  readonly firstHeld: readonly { account: string; device: Uint8Array; n: number }[];
  /** The relay log's evidence that the envelopes carrying the entries were logged, if any. */
  readonly log: null | {
    /** The log's origin, also its key name. */
    readonly origin: string;
    /** The relay's Ed25519 log key. */
    readonly publicKey: Uint8Array;
    /** A signed checkpoint (note text). */
    readonly checkpoint: string;
    /**
     * Per logged entry: its entry hash, the CID of the envelope that carried it (the exporter's
     * claim), its leaf index and an inclusion proof in the checkpoint's tree.
     */
    readonly inclusions: readonly {
      entry: Uint8Array;
      cid: string;
      index: number;
      proof: readonly Uint8Array[];
    }[];
  };
}

function invalid(detail: string, cause?: unknown): CoreError {
  return new CoreError(
    'CORE_TRANSCRIPT_INVALID',
    `(${detail})`,
    cause === undefined ? {} : { cause },
  );
}

function expectList(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(`${what} is not a list`);
  return value as unknown[];
}

function expectByteList(value: unknown, what: string, length?: number): Uint8Array[] {
  return expectList(value, what).map((item, i) =>
    expectBytes({ item }, 'item', `${what} ${i}`, length),
  );
}

function parseCidLink(value: unknown, what: string): string {
  const cid = CID.asCID(value);
  if (
    cid?.version !== 1 ||
    (cid.code !== DAG_CBOR_CODE && cid.code !== RAW_CODE) ||
    cid.multihash.code !== SHA2_256_CODE
  ) {
    throw invalid(`${what} is not a CIDv1 sha2-256 link`);
  }
  return cid.toString();
}

function parseLog(value: unknown): Transcript['log'] {
  if (value === null) return null;
  const what = 'transcript log';
  const fields = expectFields(value, what, ['origin', 'publicKey', 'checkpoint', 'inclusions']);
  const origin = expectString(fields, 'origin', what);
  if (!isValidKeyName(origin)) throw invalid('log origin is not a valid key name');
  const checkpoint = expectString(fields, 'checkpoint', what);
  if (checkpoint.length > MAX_SIGNED_NOTE_BYTES) throw invalid('log checkpoint too large');
  return {
    origin,
    publicKey: expectBytes(fields, 'publicKey', what, 32),
    checkpoint,
    inclusions: expectList(fields.inclusions, 'inclusions').map((item, i) => {
      const inclusion = expectFields(item, `inclusion ${i}`, ['entry', 'cid', 'index', 'proof']);
      const proof = expectByteList(inclusion.proof, `inclusion ${i} proof`, 32);
      if (proof.length > MAX_PROOF_HASHES) throw invalid(`inclusion ${i} proof too long`);
      return {
        entry: expectBytes(inclusion, 'entry', `inclusion ${i}`, 32),
        cid: parseCidLink(inclusion.cid, `inclusion ${i} cid`),
        index: expectUint(inclusion, 'index', `inclusion ${i}`),
        proof,
      };
    }),
  };
}

function parseTranscript(value: unknown): Transcript {
  const what = 'transcript';
  const marked = expectFields(value, what, ['type', 'v'], Object.keys(value ?? {}));
  if (marked.type !== TRANSCRIPT_TYPE) throw invalid(`type is not "${TRANSCRIPT_TYPE}"`);
  if (marked.v !== 1) {
    throw new CoreError('CORE_UNKNOWN_VERSION', `(transcript version ${String(marked.v)})`);
  }
  const fields = expectFields(value, what, [
    'type',
    'v',
    'chat',
    'exportedAt',
    'entries',
    'directory',
    'firstHeld',
    'log',
  ]);
  const seen = new Set<string>();
  const firstHeld = expectList(fields.firstHeld, 'firstHeld').map((item, i) => {
    const held = expectFields(item, `firstHeld ${i}`, ['account', 'device', 'n']);
    const account = parseAccountId(expectString(held, 'account', `firstHeld ${i}`));
    const device = expectBytes(held, 'device', `firstHeld ${i}`, 32);
    const key = `${account} ${toHex(device)}`;
    if (seen.has(key)) throw invalid('firstHeld names a chain twice');
    seen.add(key);
    return { account, device, n: expectUint(held, 'n', `firstHeld ${i}`, 1) };
  });
  return {
    v: 1,
    chat: expectBytes(fields, 'chat', what, 32),
    exportedAt: expectUint(fields, 'exportedAt', what),
    entries: expectByteList(fields.entries, 'entries'),
    directory: expectByteList(fields.directory, 'directory'),
    firstHeld,
    log: parseLog(fields.log),
  };
}

/** Runs `parse`, turning every CoreError but CORE_UNKNOWN_VERSION into CORE_TRANSCRIPT_INVALID. */
function asTranscriptError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (
      error instanceof CoreError &&
      error.code !== 'CORE_UNKNOWN_VERSION' &&
      error.code !== 'CORE_TRANSCRIPT_INVALID'
    ) {
      throw invalid(error.code, error);
    }
    throw error;
  }
}

/**
 * Encodes a transcript as canonical DAG-CBOR `{ type: "parley/transcript", v: 1, … }`, inclusion
 * CIDs as DAG-CBOR links. Throws RangeError if it breaks the transcript's schema (see
 * `decodeTranscript`) or encodes to more than MAX_TRANSCRIPT_BYTES.
 */
export function encodeTranscript(t: Transcript): Uint8Array {
  const toLink = (text: string): CID => {
    try {
      return CID.parse(text);
    } catch (cause) {
      throw new RangeError(`encodeTranscript: "${text}" is not a CID`, { cause });
    }
  };
  const value = {
    type: TRANSCRIPT_TYPE,
    v: t.v,
    chat: t.chat,
    exportedAt: t.exportedAt,
    entries: [...t.entries],
    directory: [...t.directory],
    firstHeld: t.firstHeld.map(({ account, device, n }) => ({ account, device, n })),
    log:
      t.log === null
        ? null
        : {
            origin: t.log.origin,
            publicKey: t.log.publicKey,
            checkpoint: t.log.checkpoint,
            inclusions: t.log.inclusions.map(({ entry, cid, index, proof }) => ({
              entry,
              cid: toLink(cid),
              index,
              proof: [...proof],
            })),
          },
  };
  try {
    asTranscriptError(() => parseTranscript(value));
  } catch (error) {
    if (error instanceof CoreError) throw new RangeError(`encodeTranscript: ${error.message}`);
    throw error;
  }
  const bytes = encodeCanonical(value);
  if (bytes.length > MAX_TRANSCRIPT_BYTES) {
    throw new RangeError(`encodeTranscript: over ${MAX_TRANSCRIPT_BYTES} bytes`);
  }
  return bytes;
}

/**
 * Decodes a transcript. Throws CoreError CORE_UNKNOWN_VERSION for a version other than 1, and
 * CORE_TRANSCRIPT_INVALID for anything else: over MAX_TRANSCRIPT_BYTES or too deep, not canonical
 * DAG-CBOR, no `type: "parley/transcript"`, a missing or unknown field, a wrong type or length,
 * an inclusion CID that is not a CIDv1 sha2-256 link, a chain named twice in `firstHeld`. Entries
 * and directory entries are only checked to be bytes here; `verifyTranscript` checks them.
 */
export function decodeTranscript(bytes: Uint8Array): Transcript {
  return asTranscriptError(() =>
    parseTranscript(
      decodeCanonical(bytes, { maxBytes: MAX_TRANSCRIPT_BYTES, maxDepth: MAX_TRANSCRIPT_DEPTH }),
    ),
  );
}

/** What `verifyTranscript` found; `ok` when history, order, directory and log all check out. */
export interface TranscriptReport {
  readonly ok: boolean;
  readonly history: HistoryReport;
  /** How the entries' listed order breaks the transcript's order rule (none: it holds). */
  readonly order: readonly TranscriptOrderProblem[];
  /** Directory entries that verified, and those that did not (index and reason). */
  readonly directory: {
    readonly valid: number;
    readonly invalid: readonly { index: number; reason: string }[];
  };
  /**
   * The log evidence: whether the checkpoint is signed by the transcript's log key for its
   * origin, its size, how many inclusions verified, and those that did not (`checkpoint-invalid`,
   * `unknown-entry` for an entry hash not in the transcript, or a Merkle proof failure).
   */
  readonly log: null | {
    readonly checkpointValid: boolean;
    readonly size: number;
    readonly verified: number;
    readonly failed: readonly { entry: Uint8Array; cid: string; index: number; reason: string }[];
  };
}

/**
 * Verifies a transcript offline: decodes it (throwing as `decodeTranscript` does), verifies every
 * directory entry, verifies the history with the device keys of the valid directory entries and
 * the transcript's `firstHeld`, checks that the entries are listed once each in `orderEntries`
 * order (`checkTranscriptOrder`: a reordered list is refused), and checks each inclusion — leaf hash `logLeafHash(cid)` at
 * `index` — against the checkpoint signed by `publicKey` under the key name `origin`. The log key
 * is the transcript's claim: compare it with the relay key you know.
 */
export async function verifyTranscript(
  suite: CryptoSuite,
  bytes: Uint8Array,
): Promise<TranscriptReport> {
  const transcript = decodeTranscript(bytes);
  const devicesOf = new Map<string, Uint8Array[]>();
  const invalidDirectory: { index: number; reason: string }[] = [];
  for (const [index, entryBytes] of transcript.directory.entries()) {
    const verified = await verifyDirectoryEntry(suite, entryBytes);
    if (!verified.ok) {
      invalidDirectory.push({ index, reason: verified.reason });
      continue;
    }
    const { account, devices } = verified.value.entry;
    const keys = devicesOf.get(account) ?? [];
    keys.push(...devices.map((device) => device.deviceKey));
    devicesOf.set(account, keys);
  }
  const firstHeld = new Map(
    transcript.firstHeld.map(({ account, device, n }) => [`${account} ${toHex(device)}`, n]),
  );
  const history = await verifyHistory(suite, transcript.chat, transcript.entries, {
    deviceKeysOf: (account) => devicesOf.get(account),
    firstHeld: (account, device) => firstHeld.get(`${account} ${toHex(device)}`),
  });
  const directory = {
    valid: transcript.directory.length - invalidDirectory.length,
    invalid: invalidDirectory,
  };
  const order = checkTranscriptOrder(
    transcript.entries.map((entry) => ({ hash: entryHash(entry), bytes: entry })),
    history.order,
  );
  const log = await verifyLog(suite, transcript);
  const ok =
    history.ok &&
    order.length === 0 &&
    invalidDirectory.length === 0 &&
    (log === null || (log.checkpointValid && log.failed.length === 0));
  return { ok, history, order, directory, log };
}

async function verifyLog(
  suite: CryptoSuite,
  transcript: Transcript,
): Promise<TranscriptReport['log']> {
  const { log } = transcript;
  if (log === null) return null;
  const signed = await verifyCheckpointSignature(suite, log.checkpoint, log.origin, log.publicKey);
  const checkpoint = signed.ok && signed.value.origin === log.origin ? signed.value : undefined;
  const held = new Set(transcript.entries.map((entry) => toHex(entryHash(entry))));
  const failed: { entry: Uint8Array; cid: string; index: number; reason: string }[] = [];
  for (const { entry, cid, index, proof } of log.inclusions) {
    let reason: string | undefined;
    if (checkpoint === undefined) reason = 'checkpoint-invalid';
    else if (!held.has(toHex(entry))) reason = 'unknown-entry';
    else {
      const included = verifyInclusion(
        logLeafHash(cid),
        index,
        checkpoint.size,
        proof,
        checkpoint.rootHash,
      );
      if (!included.ok) reason = included.reason;
    }
    if (reason !== undefined) failed.push({ entry, cid, index, reason });
  }
  return {
    checkpointValid: checkpoint !== undefined,
    size: checkpoint?.size ?? 0,
    verified: log.inclusions.length - failed.length,
    failed,
  };
}
