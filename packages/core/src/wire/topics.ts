/**
 * Envelope and topic bodies (docs/spec/relay-api.md §Envelopes): posting, pages of a topic (JSON
 * and DAG-CBOR), acknowledgements, and the write-proof headers (docs/spec/chats.md §Write keys).
 */
import { base64urlSchema, cidSchema, countSchema, timestampSchema } from './fields.js';
import type { FromSchema } from './json-schema.js';

/** The HTTP headers that carry a write proof beside a posted envelope. */
export const WRITE_PROOF_HEADERS = {
  writer: 'parley-writer',
  sig: 'parley-sig',
  next: 'parley-next',
} as const;

/** POST /v1/envelopes JSON body (the CBOR body is the envelope's bytes). */
export const postEnvelopeSchema = {
  type: 'object',
  properties: { envelope: base64urlSchema },
  required: ['envelope'],
  additionalProperties: false,
} as const;

/** A posted envelope, JSON form. */
export type PostEnvelope = FromSchema<typeof postEnvelopeSchema>;

const pageItemFields = {
  seq: countSchema,
  cid: cidSchema,
  receivedAt: timestampSchema,
  leafIndex: { ...countSchema, description: 'the envelope’s leaf in the relay’s log' },
} as const;

/** One envelope of a JSON page (its bytes base64url). */
export const pageEnvelopeSchema = {
  type: 'object',
  properties: { ...pageItemFields, envelope: base64urlSchema },
  required: ['seq', 'cid', 'receivedAt', 'leafIndex', 'envelope'],
} as const;

/** One envelope of a JSON page. */
export type PageEnvelope = FromSchema<typeof pageEnvelopeSchema>;

/** GET /v1/topics/:topic/envelopes answer as JSON. */
export const envelopePageSchema = {
  type: 'object',
  properties: {
    envelopes: { type: 'array', items: pageEnvelopeSchema },
    lastSeq: countSchema,
  },
  required: ['envelopes', 'lastSeq'],
} as const;

/** A JSON page of a topic. */
export type EnvelopePage = FromSchema<typeof envelopePageSchema>;

/**
 * The same page as DAG-CBOR (Accept: application/cbor): `envelope` is a byte string, which JSON
 * schema cannot say, so the schema leaves it open and `decodeEnvelopePage` checks it.
 */
export const binaryEnvelopePageSchema = {
  type: 'object',
  properties: {
    envelopes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...pageItemFields,
          envelope: { description: 'the envelope bytes (CBOR byte string)' },
        },
        required: ['seq', 'cid', 'receivedAt', 'leafIndex', 'envelope'],
      },
    },
    lastSeq: countSchema,
  },
  required: ['envelopes', 'lastSeq'],
} as const;

/** GET /v1/topics/:topic/envelopes query. */
export const envelopePageQuerySchema = {
  type: 'object',
  properties: {
    after: { type: 'string', pattern: '^(0|[1-9][0-9]{0,14})$' },
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,4}$' },
  },
  additionalProperties: false,
} as const;

/** POST /v1/topics/:topic/ack body; a chat topic's cursor is a reader pseudonym with its proof. */
export const ackRequestSchema = {
  type: 'object',
  properties: {
    seq: countSchema,
    reader: base64urlSchema,
    writer: base64urlSchema,
    sig: base64urlSchema,
  },
  required: ['seq'],
  additionalProperties: false,
} as const;

/** An acknowledgement. */
export type AckRequest = FromSchema<typeof ackRequestSchema>;
