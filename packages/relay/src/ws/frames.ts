/**
 * The socket's frames on core's wire module (packages/core/src/wire): reading one client text
 * frame into its fields, and the relay frames it answers with, the envelope push among them.
 */
import { encodeEnvelopeFrame, toBase64Url, type RelayFrame } from '@parley/core';
import type { AcceptedEnvelope } from '../bus/bus.js';
import { RelayError } from '../errors.js';
import type { StoredEnvelope } from '../store/topic-store.js';

/** A client frame's fields, not yet checked beyond being a JSON object. */
export type FrameFields = Readonly<Record<string, unknown>>;

/** A client frame as read: its fields, and the `ref` to echo when it is usable. */
export interface ReadFrame {
  readonly fields: FrameFields;
  readonly ref: string | undefined;
}

/**
 * Reads one WebSocket message as a client frame (one JSON object per text frame).
 * @throws RelayError RELAY_UNSUPPORTED_MEDIA_TYPE | RELAY_MALFORMED_BODY | RELAY_INVALID_REQUEST
 */
export function readClientFrame(data: unknown, isBinary: boolean): ReadFrame {
  if (isBinary) throw new RelayError('RELAY_UNSUPPORTED_MEDIA_TYPE', '(send JSON text frames)');
  let message: unknown;
  try {
    message = JSON.parse(String(data));
  } catch {
    throw new RelayError('RELAY_MALFORMED_BODY', '(a frame must be one JSON object)');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new RelayError('RELAY_INVALID_REQUEST', '(a frame must be a JSON object)');
  }
  const fields = message as FrameFields;
  const ref = typeof fields.ref === 'string' && fields.ref.length <= 128 ? fields.ref : undefined;
  return { fields, ref };
}

/** A string field of a frame. @throws RelayError RELAY_INVALID_REQUEST if it is not a string */
export function stringField(fields: FrameFields, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string')
    throw new RelayError('RELAY_INVALID_REQUEST', `(${name} must be a string)`);
  return value;
}

/**
 * An optional non-negative integer field (a seq).
 * @throws RelayError RELAY_INVALID_REQUEST if it is given and is not one
 */
export function countField(fields: FrameFields, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RelayError('RELAY_INVALID_REQUEST', `(${name} must be a non-negative integer)`);
  }
  return value;
}

// One JSON frame per accepted envelope, shared by every subscriber that receives it.
const frames = new WeakMap<AcceptedEnvelope, string>();

/** The push frame of an envelope just accepted (encoded once for all its subscribers). */
export function liveEnvelopeFrame(event: AcceptedEnvelope): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = encodeEnvelopeFrame({
      topic: event.topicKey,
      seq: event.seq,
      cid: event.cid,
      receivedAt: event.receivedAt,
      leafIndex: event.leafIndex,
      envelope: toBase64Url(event.bytes),
    });
    frames.set(event, frame);
  }
  return frame;
}

/** The push frame of a stored envelope of topic `key`, sent while catching up. */
export function storedEnvelopeFrame(key: string, stored: StoredEnvelope): string {
  return encodeEnvelopeFrame({
    topic: key,
    seq: stored.seq,
    cid: stored.cid,
    receivedAt: stored.receivedAt,
    leafIndex: stored.leafIndex,
    envelope: toBase64Url(stored.bytes),
  });
}

/** The `error` frame of a refusal, echoing `ref`. */
export function errorFrame(error: RelayError, ref: string | undefined): RelayFrame {
  return {
    type: 'error',
    code: error.code,
    message: error.message,
    ...(ref === undefined ? {} : { ref }),
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfter: error.retryAfterSeconds }),
  };
}
