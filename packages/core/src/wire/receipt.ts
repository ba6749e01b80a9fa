/**
 * A signed receipt as it travels (docs/spec/log.md §Receipts): the HTTP answer to a posted
 * envelope and the body of the WebSocket `receipt` frame.
 */
import { cidSchema, countSchema, timestampSchema, topicSchema } from './fields.js';
import type { FromSchema } from './json-schema.js';

/** The receipt's JSON schema. */
export const receiptSchema = {
  type: 'object',
  properties: {
    cid: cidSchema,
    topic: topicSchema,
    seq: countSchema,
    receivedAt: timestampSchema,
    leafIndex: { ...countSchema, description: 'the envelope’s leaf in the relay’s log' },
    mergeBy: {
      ...timestampSchema,
      description: 'a signed checkpoint will include leafIndex by then',
    },
    signature: { type: 'string', description: 'base64url Ed25519 relay-receipt signature' },
  },
  required: ['cid', 'topic', 'seq', 'receivedAt', 'leafIndex', 'mergeBy', 'signature'],
} as const;

/** A receipt on the wire: every byte string base64url, the topic included. */
export type WireReceipt = FromSchema<typeof receiptSchema>;
