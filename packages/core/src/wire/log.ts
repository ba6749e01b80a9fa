/** Transparency-log bodies (docs/spec/relay-api.md §Log, docs/spec/log.md): relay info, proofs, leaves. */
import { base64urlSchema, cidSchema, countSchema } from './fields.js';
import type { FromSchema } from './json-schema.js';

/** The header naming the batch file that ends at a served checkpoint's size. */
export const BATCH_HEADER = 'parley-log-batch';

const hashListSchema = {
  type: 'array',
  items: { type: 'string', description: '32-byte hash, base64url' },
} as const;

/** GET /v1/info, as far as a client reads it (the relay adds limits and policies). */
export const relayInfoSchema = {
  type: 'object',
  properties: {
    relayId: { type: 'string', minLength: 1 },
    publicKey: base64urlSchema,
    version: { type: 'string' },
    log: {
      type: 'object',
      properties: { origin: { type: 'string', minLength: 1 }, publicKey: base64urlSchema },
      required: ['origin'],
    },
  },
  required: ['relayId', 'publicKey'],
} as const;

/** What /v1/info says about the relay's identity. */
export type RelayInfoAnswer = FromSchema<typeof relayInfoSchema>;

/** GET /v1/log/proof/inclusion answer. */
export const inclusionProofSchema = {
  type: 'object',
  properties: {
    index: countSchema,
    size: countSchema,
    leafHash: { type: 'string', description: 'base64url' },
    proof: hashListSchema,
  },
  required: ['index', 'size', 'leafHash', 'proof'],
} as const;

/** An inclusion proof. */
export type InclusionProofBody = FromSchema<typeof inclusionProofSchema>;

/** GET /v1/log/proof/consistency answer. */
export const consistencyProofSchema = {
  type: 'object',
  properties: { from: countSchema, to: countSchema, proof: hashListSchema },
  required: ['from', 'to', 'proof'],
} as const;

/** A consistency proof. */
export type ConsistencyProofBody = FromSchema<typeof consistencyProofSchema>;

/** GET /v1/log/leaves answer. */
export const leavesSchema = {
  type: 'object',
  properties: {
    leaves: {
      type: 'array',
      items: {
        type: 'object',
        properties: { index: countSchema, cid: cidSchema },
        required: ['index', 'cid'],
      },
    },
  },
  required: ['leaves'],
} as const;

/** A range of leaves. */
export type LeavesBody = FromSchema<typeof leavesSchema>;
