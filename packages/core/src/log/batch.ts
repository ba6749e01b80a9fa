/**
 * Log batch files (docs/spec/log.md §Batch files): the leaves one sequencer batch appended, as an
 * IPLD block whose leaves and predecessor are real DAG-CBOR links, so batch files chain by CID
 * and any IPFS tool can walk them.
 */
import { CID } from 'multiformats/cid';
import { decodeCanonical, encodeWithCid } from '../encoding/canonical.js';
import { DAG_CBOR_CODE, RAW_CODE } from '../encoding/cid.js';
import { expectFields, expectString, expectUint } from '../encoding/schema.js';
import { CoreError } from '../errors.js';
import { isValidKeyName } from './signed-note.js';

/** Most leaves one batch file may list. */
export const MAX_BATCH_LEAVES = 65_536;
// A CID link of a sha2-256 CIDv1 takes 41 bytes; the rest of the map is small.
const MAX_BATCH_BYTES = MAX_BATCH_LEAVES * 48 + 4096;

/** One batch of a relay log: leaves [start, end) and the CID of the previous batch file. */
export interface LogBatch {
  readonly v: 1;
  /** The log's origin (its checkpoint origin line and key name). */
  readonly origin: string;
  /** Index of the first leaf of the batch. */
  readonly start: number;
  /** One past the index of the last leaf: `leaves.length === end - start`. */
  readonly end: number;
  /** The leaf data of leaves start…end − 1: CIDv1 text of envelopes and directory entries. */
  readonly leaves: readonly string[];
  /** CID text of the previous batch file; null for the first. */
  readonly prev: string | null;
}

function invalid(detail: string, cause?: unknown): CoreError {
  return new CoreError('CORE_BATCH_INVALID', `(${detail})`, cause === undefined ? {} : { cause });
}

/** A CIDv1 sha2-256 link of an allowed codec, or CORE_BATCH_INVALID. */
function expectLink(value: unknown, what: string, codecs: readonly number[]): CID {
  const cid = CID.asCID(value);
  if (cid?.version !== 1 || !codecs.includes(cid.code) || cid.multihash.code !== 0x12) {
    throw invalid(`${what} is not a CIDv1 sha2-256 link of an allowed codec`);
  }
  return cid;
}

function parseBatch(value: unknown): LogBatch {
  const what = 'log batch';
  let fields;
  try {
    const version = expectFields(value, what, ['v'], Object.keys(value ?? {})).v;
    if (version !== 1) {
      throw new CoreError('CORE_UNKNOWN_VERSION', `(log batch version ${String(version)})`);
    }
    fields = expectFields(value, what, ['v', 'origin', 'start', 'end', 'leaves', 'prev']);
    const origin = expectString(fields, 'origin', what);
    const start = expectUint(fields, 'start', what);
    const end = expectUint(fields, 'end', what, start);
    if (!isValidKeyName(origin)) throw invalid('origin is not a valid key name');
    const leaves: unknown = fields.leaves;
    if (!Array.isArray(leaves) || leaves.length > MAX_BATCH_LEAVES) {
      throw invalid(`leaves must be a list of at most ${MAX_BATCH_LEAVES} links`);
    }
    if (leaves.length !== end - start) throw invalid('leaves.length is not end - start');
    return {
      v: 1,
      origin,
      start,
      end,
      leaves: leaves.map((leaf: unknown, i) =>
        expectLink(leaf, `leaf ${i}`, [DAG_CBOR_CODE, RAW_CODE]).toString(),
      ),
      prev:
        fields.prev === null ? null : expectLink(fields.prev, 'prev', [DAG_CBOR_CODE]).toString(),
    };
  } catch (error) {
    if (error instanceof CoreError && error.code === 'CORE_SCHEMA_INVALID') {
      throw invalid(error.message, error);
    }
    throw error;
  }
}

function toLink(text: string, what: string): CID {
  try {
    return CID.parse(text);
  } catch (cause) {
    throw new RangeError(`${what} is not a CID`, { cause });
  }
}

/**
 * Encodes a batch as canonical DAG-CBOR with its leaves and prev as CID links (tag 42); returns
 * the bytes and the file's CID text (CIDv1, dag-cbor, sha2-256). Throws RangeError if the batch
 * breaks its rules (origin not a key name, bad counts, a leaf that is not a Parley CIDv1, a prev
 * that is not a dag-cbor CIDv1, more than MAX_BATCH_LEAVES leaves).
 */
export function encodeLogBatch(batch: LogBatch): { bytes: Uint8Array; cid: string } {
  const value = {
    v: batch.v,
    origin: batch.origin,
    start: batch.start,
    end: batch.end,
    leaves: batch.leaves.map((leaf, i) => toLink(leaf, `leaf ${i}`)),
    prev: batch.prev === null ? null : toLink(batch.prev, 'prev'),
  };
  try {
    parseBatch(value);
  } catch (error) {
    if (error instanceof CoreError) throw new RangeError(`encodeLogBatch: ${error.message}`);
    throw error;
  }
  const { bytes, cid } = encodeWithCid(value);
  return { bytes, cid: cid.toString() };
}

/**
 * Decodes and checks a batch file. Throws CoreError CORE_UNKNOWN_VERSION for a version other than
 * 1, CORE_BATCH_INVALID for anything else wrong: not canonical DAG-CBOR (the cause holds the CBOR
 * error), a missing or unknown field, an origin that is not a key name, end < start,
 * leaves.length ≠ end − start, a leaf that is not a CIDv1 sha2-256 link (dag-cbor or raw), a prev
 * that is neither null nor a dag-cbor CIDv1 link.
 */
export function decodeLogBatch(bytes: Uint8Array): LogBatch {
  let value: unknown;
  try {
    value = decodeCanonical(bytes, { maxBytes: MAX_BATCH_BYTES, maxDepth: 4 });
  } catch (error) {
    if (error instanceof CoreError) throw invalid(error.code, error);
    throw error;
  }
  return parseBatch(value);
}
