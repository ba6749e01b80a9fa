/**
 * Canonical DAG-CBOR (IPLD DAG-CBOR spec, "strictness"): the one byte form of every protocol
 * object. Decoding accepts only bytes that re-encode to themselves, so a value has one CID.
 */
import * as dagCbor from '@ipld/dag-cbor';
import { decode as cborDecode } from 'cborg';
import { CID } from 'multiformats/cid';
import { equalBytes } from '../bytes.js';
import { CoreError, isCoreError } from '../errors.js';
import { checkCborStructure } from './cbor-structure.js';
import { assertSha256Link, cidForBytes, type Cid } from './cid.js';

/** Largest input `decodeCanonical` accepts unless told otherwise (1 MiB). */
export const DEFAULT_MAX_DECODE_BYTES = 1024 * 1024;
/** Deepest nesting `decodeCanonical` accepts unless told otherwise. */
export const DEFAULT_MAX_DEPTH = 64;

/** Bounds on untrusted input. */
export interface DecodeLimits {
  readonly maxBytes?: number;
  readonly maxDepth?: number;
}

const CID_TAG = 42;

const decodeOptions = {
  ...dagCbor.decodeOptions,
  tags: Object.assign([], dagCbor.decodeOptions.tags, {
    // cborg 6 hands tag decoders a function that decodes the tag's content.
    [CID_TAG]: (decodeContent: () => unknown): CID => {
      const bytes = decodeContent();
      if (!(bytes instanceof Uint8Array) || bytes[0] !== 0) {
        throw new CoreError('CORE_CBOR_MALFORMED', '(a CID link must be bytes with a 0x00 prefix)');
      }
      let cid: CID;
      try {
        cid = CID.decode(bytes.subarray(1));
      } catch (cause) {
        throw new CoreError('CORE_CID_MALFORMED', undefined, { cause });
      }
      assertSha256Link(cid);
      return cid;
    },
  }),
};

/**
 * Encodes a value as canonical DAG-CBOR (map keys sorted by length then bytewise, shortest
 * integer forms, no undefined/NaN/Infinity).
 * @throws CoreError CORE_CBOR_UNENCODABLE
 */
export function encodeCanonical(value: unknown): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = dagCbor.encode(value);
  } catch (cause) {
    throw new CoreError('CORE_CBOR_UNENCODABLE', undefined, { cause });
  }
  // In Node the encoder may hand back a Buffer, whose slice() shares memory; return plain bytes.
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes);
}

/**
 * Decodes canonical DAG-CBOR from untrusted bytes. Rejects oversized or too-deep input,
 * malformed bytes, duplicate map keys, any non-canonical form, and links whose multihash is
 * not sha2-256.
 * @throws CoreError CORE_CBOR_TOO_LARGE | CORE_CBOR_TOO_DEEP | CORE_CBOR_MALFORMED |
 *   CORE_CBOR_DUPLICATE_KEY | CORE_CBOR_NON_CANONICAL | CORE_CID_MALFORMED | CORE_CID_UNSUPPORTED_HASH
 */
export function decodeCanonical(bytes: Uint8Array, limits: DecodeLimits = {}): unknown {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_DECODE_BYTES;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('decodeCanonical: bytes must be a Uint8Array');
  if (bytes.length > maxBytes) {
    throw new CoreError('CORE_CBOR_TOO_LARGE', `(${bytes.length} > ${maxBytes} bytes)`);
  }
  checkCborStructure(bytes, maxDepth);
  let value: unknown;
  try {
    value = cborDecode(bytes, decodeOptions);
  } catch (cause) {
    if (isCoreError(cause)) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    if (message.includes('repeat map key')) {
      throw new CoreError('CORE_CBOR_DUPLICATE_KEY', undefined, { cause });
    }
    if (message.includes('more bytes than necessary')) {
      throw new CoreError('CORE_CBOR_NON_CANONICAL', undefined, { cause });
    }
    throw new CoreError('CORE_CBOR_MALFORMED', `(${message})`, { cause });
  }
  // Key order, float width and every other choice of form: the bytes must be the encoding.
  let reencoded: Uint8Array;
  try {
    reencoded = dagCbor.encode(value);
  } catch (cause) {
    throw new CoreError('CORE_CBOR_MALFORMED', '(decoded value cannot be re-encoded)', { cause });
  }
  if (!equalBytes(reencoded, bytes)) throw new CoreError('CORE_CBOR_NON_CANONICAL');
  return value;
}

/** Encodes a value canonically and returns the bytes with their CID. */
export function encodeWithCid(value: unknown): { bytes: Uint8Array; cid: Cid } {
  const bytes = encodeCanonical(value);
  return { bytes, cid: cidForBytes(bytes) };
}
