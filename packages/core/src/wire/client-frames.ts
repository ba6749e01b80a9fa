/**
 * WebSocket frames a client sends the relay (docs/spec/relay-api.md §WebSocket): one JSON object
 * per text frame, told apart by `type`; any frame may carry a `ref` the answer repeats.
 */
import { base64urlSchema, countSchema, topicSchema } from './fields.js';
import { decodeTagged, type FromSchema, type WireFailure } from './json-schema.js';
import type { Result } from '../result.js';

const refSchema = { type: 'string', maxLength: 128, description: 'echoed in the answer' } as const;

/** Every client frame's schema, by `type`. */
export const clientFrameSchemas = {
  auth: {
    type: 'object',
    properties: { type: { const: 'auth' }, ref: refSchema, token: { type: 'string' } },
    required: ['type', 'token'],
  },
  subscribe: {
    type: 'object',
    properties: {
      type: { const: 'subscribe' },
      ref: refSchema,
      topic: topicSchema,
      after: { ...countSchema, description: 'resume after this seq (default: the inbox cursor)' },
    },
    required: ['type', 'topic'],
  },
  unsubscribe: {
    type: 'object',
    properties: { type: { const: 'unsubscribe' }, ref: refSchema, topic: topicSchema },
    required: ['type', 'topic'],
  },
  publish: {
    type: 'object',
    properties: {
      type: { const: 'publish' },
      ref: refSchema,
      envelope: base64urlSchema,
      // Untyped here: the relay checks the write proof itself, with RELAY_WRITE_PROOF_INVALID.
      writer: { description: 'write proof: the writer key, base64url' },
      sig: { description: 'write proof: the signature, base64url' },
      next: { description: 'write proof: the next write key, base64url' },
    },
    required: ['type', 'envelope'],
  },
  ack: {
    type: 'object',
    properties: {
      type: { const: 'ack' },
      ref: refSchema,
      topic: topicSchema,
      seq: countSchema,
      reader: base64urlSchema,
      writer: base64urlSchema,
      sig: base64urlSchema,
    },
    required: ['type', 'topic', 'seq'],
  },
} as const;

type Schemas = typeof clientFrameSchemas;

/** A frame a client sends. */
export type ClientFrame = { [K in keyof Schemas]: FromSchema<Schemas[K]> }[keyof Schemas];

/** The client frame of one `type`. */
export type ClientFrameOf<K extends ClientFrame['type']> = Extract<ClientFrame, { type: K }>;

/**
 * Checks a parsed client frame (any JSON value) against the schema its `type` names; an unknown
 * type is `wire-invalid` with detail "frame.type is not a known frame". Never throws.
 */
export function checkClientFrame(value: unknown): Result<ClientFrame, WireFailure> {
  return decodeTagged(clientFrameSchemas, value, 'frame');
}
