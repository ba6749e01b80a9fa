/** Envelope routes: post, page through a topic, acknowledge. */
import { encodeCanonical, toBase64Url } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../auth/auth-service.js';
import { RelayError } from '../../errors.js';
import { assertMayRead } from '../../topics/accept-envelope.js';
import type { TopicService } from '../../topics/topic-service.js';
import { writeProofFrom } from '../../topics/write-proof.js';
import { decodeBase64Url, schemas } from '../wire.js';

const bearer = [{ bearer: [] }];

/** Registers the envelope and topic routes. */
export function registerEnvelopeRoutes(
  app: FastifyInstance,
  { auth, topics }: { auth: AuthService; topics: TopicService },
): void {
  app.post<{ Body: Buffer | { envelope: string } }>(
    '/v1/envelopes',
    {
      schema: {
        summary: 'Post an envelope (application/cbor bytes, or JSON with base64url)',
        tags: ['envelopes'],
        security: bearer,
        // One schema per content type: a CBOR body is bytes (checked as an envelope), a JSON
        // body is exactly { envelope } — an anyOf with an open branch let any JSON object pass.
        body: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { envelope: schemas.base64url },
                required: ['envelope'],
                additionalProperties: false,
              },
            },
            'application/cbor': {
              schema: { description: 'the canonical envelope bytes' },
            },
          },
        },
        response: { 200: schemas.receipt, 201: schemas.receipt },
      },
    },
    async (request, reply) => {
      const session = await auth.fromHeader(request.headers.authorization);
      const body = request.body;
      let bytes: Uint8Array;
      if (Buffer.isBuffer(body)) {
        bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      } else if (typeof body === 'object' && typeof body.envelope === 'string') {
        bytes = decodeBase64Url(body.envelope, 'envelope');
      } else {
        throw new RelayError(
          'RELAY_INVALID_REQUEST',
          '(expected application/cbor or { "envelope" })',
        );
      }
      // The write proof travels beside the envelope, not in it (docs/spec/chats.md §Write keys).
      const proof = writeProofFrom({
        writer: request.headers['parley-writer'],
        sig: request.headers['parley-sig'],
        next: request.headers['parley-next'],
      });
      const receipt = await topics.accept(session, bytes, proof);
      return reply.code(receipt.duplicate ? 200 : 201).send(await topics.signReceipt(receipt));
    },
  );

  app.get<{ Params: { topic: string }; Querystring: { after?: string; limit?: string } }>(
    '/v1/topics/:topic/envelopes',
    {
      schema: {
        summary:
          'Read a topic’s envelopes after a sequence number, in order, at most maxPageBytes ' +
          'of them (Accept: application/cbor for a DAG-CBOR page with raw envelope bytes)',
        tags: ['envelopes'],
        security: bearer,
        params: {
          type: 'object',
          properties: { topic: schemas.topic },
          required: ['topic'],
        },
        querystring: {
          type: 'object',
          properties: {
            after: { type: 'string', pattern: '^(0|[1-9][0-9]{0,14})$' },
            limit: { type: 'string', pattern: '^[1-9][0-9]{0,4}$' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              envelopes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    seq: { type: 'integer' },
                    cid: { type: 'string' },
                    receivedAt: { type: 'integer' },
                    leafIndex: { type: 'integer' },
                    envelope: schemas.base64url,
                  },
                  required: ['seq', 'cid', 'receivedAt', 'leafIndex', 'envelope'],
                },
              },
              lastSeq: { type: 'integer' },
            },
            required: ['envelopes', 'lastSeq'],
          },
        },
      },
    },
    async (request, reply) => {
      const session = await auth.fromHeader(request.headers.authorization);
      const topic = decodeBase64Url(request.params.topic, 'topic', 32);
      assertMayRead(session, topic);
      const after = Number(request.query.after ?? '0');
      const limit = Number(request.query.limit ?? '100');
      if (limit > topics.limits.maxPageSize) {
        throw new RelayError(
          'RELAY_INVALID_REQUEST',
          `(limit is at most ${topics.limits.maxPageSize})`,
        );
      }
      // A page stops at maxPageBytes of envelopes (always at least one): a reader pages on
      // until it reaches lastSeq, and no single answer holds a whole backlog in memory.
      const envelopes = await topics.store.listEnvelopes(topic, after, limit, {
        maxBytes: topics.limits.maxPageBytes,
      });
      topics.metrics.envelopesOut.inc(envelopes.length);
      if (prefersCbor(request.headers.accept)) {
        const page = encodeCanonical({
          envelopes: envelopes.map((stored) => ({
            seq: stored.seq,
            cid: stored.cid,
            receivedAt: stored.receivedAt,
            leafIndex: stored.leafIndex,
            envelope: stored.bytes,
          })),
          lastSeq: await topics.store.lastSeq(topic),
        });
        return reply
          .type('application/cbor')
          .send(Buffer.from(page.buffer, page.byteOffset, page.byteLength));
      }
      return {
        envelopes: envelopes.map((stored) => ({
          seq: stored.seq,
          cid: stored.cid,
          receivedAt: stored.receivedAt,
          leafIndex: stored.leafIndex,
          envelope: toBase64Url(stored.bytes),
        })),
        lastSeq: await topics.store.lastSeq(topic),
      };
    },
  );

  app.post<{
    Params: { topic: string };
    Body: { seq: number; reader?: string; writer?: string; sig?: string };
  }>(
    '/v1/topics/:topic/ack',
    {
      schema: {
        summary: 'Acknowledge every envelope of a topic up to a sequence number',
        tags: ['envelopes'],
        security: bearer,
        params: {
          type: 'object',
          properties: { topic: schemas.topic },
          required: ['topic'],
        },
        body: {
          type: 'object',
          properties: {
            seq: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            reader: schemas.base64url,
            writer: schemas.base64url,
            sig: schemas.base64url,
          },
          required: ['seq'],
          additionalProperties: false,
        },
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const session = await auth.fromHeader(request.headers.authorization);
      const topic = decodeBase64Url(request.params.topic, 'topic', 32);
      const { seq, ...proof } = request.body;
      await topics.acknowledge(session, topic, seq, proof);
      return reply.code(204).send();
    },
  );
}

/** Whether an Accept header asks for the binary page (application/cbor) over JSON. */
function prefersCbor(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept
    .split(',')
    .some((part) => part.trim().split(';')[0]?.trim().toLowerCase() === 'application/cbor');
}
