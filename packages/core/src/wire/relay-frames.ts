/**
 * WebSocket frames the relay sends a client (docs/spec/relay-api.md §WebSocket), the envelope
 * push among them: it carries the whole envelope, so a client needs no second download.
 */
import { errorBodySchema } from './error-body.js';
import { base64urlSchema, cidSchema, countSchema, timestampSchema, topicSchema } from './fields.js';
import { decodeTagged, parseJson, type FromSchema, type WireFailure } from './json-schema.js';
import { receiptSchema } from './receipt.js';
import { fail, type Result } from '../result.js';

const refSchema = { type: 'string', maxLength: 128 } as const;
const errorFields = errorBodySchema.properties.error.properties;

/** Every relay frame's schema, by `type`. */
export const relayFrameSchemas = {
  ready: {
    type: 'object',
    properties: {
      type: { const: 'ready' },
      accountId: { type: 'string' },
      expiresAt: timestampSchema,
    },
    required: ['type', 'accountId', 'expiresAt'],
  },
  envelope: {
    type: 'object',
    properties: {
      type: { const: 'envelope' },
      topic: topicSchema,
      seq: countSchema,
      cid: cidSchema,
      receivedAt: timestampSchema,
      leafIndex: countSchema,
      envelope: base64urlSchema,
    },
    required: ['type', 'topic', 'seq', 'cid', 'receivedAt', 'leafIndex', 'envelope'],
  },
  subscribed: {
    type: 'object',
    properties: { type: { const: 'subscribed' }, topic: topicSchema, lastSeq: countSchema },
    required: ['type', 'topic', 'lastSeq'],
  },
  unsubscribed: {
    type: 'object',
    properties: { type: { const: 'unsubscribed' }, topic: topicSchema },
    required: ['type', 'topic'],
  },
  receipt: {
    type: 'object',
    properties: {
      ...receiptSchema.properties,
      type: { const: 'receipt' },
      ref: refSchema,
      duplicate: { type: 'boolean' },
    },
    required: ['type', ...receiptSchema.required, 'duplicate'],
  },
  checkpoint: {
    type: 'object',
    properties: { type: { const: 'checkpoint' }, note: { type: 'string', minLength: 1 } },
    required: ['type', 'note'],
  },
  error: {
    type: 'object',
    properties: { type: { const: 'error' }, ref: refSchema, ...errorFields },
    required: ['type', 'code', 'message'],
  },
} as const;

type Schemas = typeof relayFrameSchemas;

/** A frame the relay sends. */
export type RelayFrame = { [K in keyof Schemas]: FromSchema<Schemas[K]> }[keyof Schemas];

/** The relay frame of one `type`. */
export type RelayFrameOf<K extends RelayFrame['type']> = Extract<RelayFrame, { type: K }>;

/** Parses and checks one relay frame (a WebSocket text message). Never throws. */
export function decodeRelayFrame(text: unknown): Result<RelayFrame, WireFailure> {
  if (typeof text !== 'string') return fail('wire-invalid', 'frame is not text');
  const parsed = parseJson(text, 'frame');
  if (!parsed.ok) return parsed;
  return decodeTagged(relayFrameSchemas, parsed.value, 'frame');
}

/** The `envelope` push frame of a stored or just accepted envelope, as JSON text. */
export function encodeEnvelopeFrame(envelope: Omit<RelayFrameOf<'envelope'>, 'type'>): string {
  return JSON.stringify({
    type: 'envelope',
    topic: envelope.topic,
    seq: envelope.seq,
    cid: envelope.cid,
    receivedAt: envelope.receivedAt,
    leafIndex: envelope.leafIndex,
    envelope: envelope.envelope,
  });
}
