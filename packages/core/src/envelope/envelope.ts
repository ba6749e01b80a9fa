/**
 * Envelopes (docs/spec/envelope.md): the unit a relay routes and stores. Canonical DAG-CBOR of
 * { v, topic, payload, createdAt }, addressed by its CIDv1; the relay cannot read the payload.
 */
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { cidForBytes, type Cid } from '../encoding/cid.js';
import { expectBytes, expectFields, expectUint } from '../encoding/schema.js';
import { CoreError, isCoreError } from '../errors.js';

/** The envelope version this code writes and reads. */
export const ENVELOPE_VERSION = 1;
/** Default largest encoded envelope (256 KiB); relays may configure another. */
export const DEFAULT_MAX_ENVELOPE_BYTES = 256 * 1024;
/** Length of a topic id. */
export const TOPIC_BYTES = 32;

/** An opaque 32-byte routing id (per chat, per inbox); never a user id. */
export type Topic = Uint8Array & { readonly __brand: 'Topic' };

/** An envelope's fields. `createdAt` is the sender's clock in ms since the Unix epoch. */
export interface Envelope {
  readonly v: typeof ENVELOPE_VERSION;
  readonly topic: Topic;
  readonly payload: Uint8Array;
  readonly createdAt: number;
}

/** An envelope with its canonical bytes and CID, as decoded or encoded. */
export interface EncodedEnvelope {
  readonly envelope: Envelope;
  readonly bytes: Uint8Array;
  readonly cid: Cid;
}

/** Size limit for encoding or decoding. */
export interface EnvelopeLimits {
  readonly maxBytes?: number;
}

/** Checks that `bytes` can be a topic id. @throws CoreError CORE_SCHEMA_INVALID */
export function asTopic(bytes: Uint8Array): Topic {
  if (!(bytes instanceof Uint8Array) || bytes.length !== TOPIC_BYTES) {
    throw new CoreError('CORE_SCHEMA_INVALID', `(a topic is ${TOPIC_BYTES} bytes)`);
  }
  return bytes as Topic;
}

/**
 * Builds and encodes an envelope.
 * @throws CoreError CORE_SCHEMA_INVALID | CORE_ENVELOPE_TOO_LARGE
 */
export function createEnvelope(
  fields: { topic: Uint8Array; payload: Uint8Array; createdAt: number },
  limits: EnvelopeLimits = {},
): EncodedEnvelope {
  const envelope = validate({ v: ENVELOPE_VERSION, ...fields });
  const bytes = encodeCanonical(envelope);
  checkSize(bytes.length, limits);
  return { envelope, bytes, cid: cidForBytes(bytes) };
}

/**
 * Decodes untrusted bytes into an envelope and computes its CID.
 * @throws CoreError CORE_ENVELOPE_TOO_LARGE | CORE_UNKNOWN_VERSION | CORE_SCHEMA_INVALID |
 *   any CORE_CBOR_* / CORE_CID_* code of `decodeCanonical`
 */
export function decodeEnvelope(bytes: Uint8Array, limits: EnvelopeLimits = {}): EncodedEnvelope {
  checkSize(bytes.length, limits);
  // Envelopes are flat: a map of scalars. Depth 2 leaves no room for smuggled structure.
  let decoded: unknown;
  try {
    decoded = decodeCanonical(bytes, { maxBytes: bytes.length, maxDepth: 2 });
  } catch (cause) {
    if (isCoreError(cause, 'CORE_CBOR_TOO_DEEP')) {
      throw new CoreError('CORE_SCHEMA_INVALID', '(an envelope is a flat map)', { cause });
    }
    throw cause;
  }
  const envelope = validate(decoded);
  return { envelope, bytes, cid: cidForBytes(bytes) };
}

function validate(value: unknown): Envelope {
  // The version first: a later version may have other fields.
  const version = expectFields(value, 'envelope', ['v'], Object.keys(value ?? {})).v;
  if (version !== ENVELOPE_VERSION) {
    throw new CoreError('CORE_UNKNOWN_VERSION', `(envelope version ${String(version)})`);
  }
  const fields = expectFields(value, 'envelope', ['v', 'topic', 'payload', 'createdAt']);
  return {
    v: ENVELOPE_VERSION,
    topic: asTopic(expectBytes(fields, 'topic', 'envelope', TOPIC_BYTES)),
    payload: expectBytes(fields, 'payload', 'envelope'),
    createdAt: expectUint(fields, 'createdAt', 'envelope'),
  };
}

function checkSize(length: number, limits: EnvelopeLimits): void {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (length > maxBytes) {
    throw new CoreError('CORE_ENVELOPE_TOO_LARGE', `(${length} > ${maxBytes} bytes)`);
  }
}
