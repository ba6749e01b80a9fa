/**
 * Envelopes of a topic as a client receives them, pulled in a page or pushed in a frame, decoded
 * from untrusted relay answers into one shape with the envelope's bytes.
 */
import { fromBase64Url } from '../crypto/base64url.js';
import { fail, ok, type Result } from '../result.js';
import { checkWire, type WireFailure } from './json-schema.js';
import type { RelayFrameOf } from './relay-frames.js';
import { binaryEnvelopePageSchema } from './topics.js';

/** One stored envelope of a topic, with what the relay says about it. */
export interface TopicEnvelope {
  readonly seq: number;
  /** The CID as the relay states it (a client recomputes it from `bytes`). */
  readonly cid: string;
  readonly receivedAt: number;
  /** The envelope's leaf in the relay's log, as the relay claims (checked by inclusion proofs). */
  readonly leafIndex: number;
  readonly bytes: Uint8Array;
}

function bytesOf(value: unknown, what: string): Result<Uint8Array, WireFailure> {
  if (value instanceof Uint8Array) return ok(value);
  if (typeof value !== 'string') return fail('wire-invalid', `${what} is not bytes`);
  try {
    return ok(fromBase64Url(value));
  } catch {
    return fail('wire-invalid', `${what} is not base64url`);
  }
}

/**
 * Decodes a page of `GET /v1/topics/:topic/envelopes`, JSON (envelopes base64url) or DAG-CBOR
 * (envelopes as byte strings). Never throws.
 */
export function decodeEnvelopePage(
  value: unknown,
): Result<{ envelopes: TopicEnvelope[]; lastSeq: number }, WireFailure> {
  // The binary schema is the JSON one with `envelope` left open, so it decides for both forms.
  const binary = checkWire(binaryEnvelopePageSchema, value, 'page');
  if (!binary.ok) return fail(binary.reason, binary.detail);
  const envelopes: TopicEnvelope[] = [];
  for (const [index, item] of binary.value.envelopes.entries()) {
    const bytes = bytesOf(item.envelope, `page.envelopes[${index}].envelope`);
    if (!bytes.ok) return bytes;
    envelopes.push({
      seq: item.seq,
      cid: item.cid,
      receivedAt: item.receivedAt,
      leafIndex: item.leafIndex,
      bytes: bytes.value,
    });
  }
  return ok({ envelopes, lastSeq: binary.value.lastSeq });
}

/** The envelope a checked `envelope` push frame carries. Never throws. */
export function envelopeOfFrame(
  frame: RelayFrameOf<'envelope'>,
): Result<TopicEnvelope, WireFailure> {
  const bytes = bytesOf(frame.envelope, 'frame.envelope');
  if (!bytes.ok) return bytes;
  return ok({
    seq: frame.seq,
    cid: frame.cid,
    receivedAt: frame.receivedAt,
    leafIndex: frame.leafIndex,
    bytes: bytes.value,
  });
}
