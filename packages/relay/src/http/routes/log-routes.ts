/**
 * Transparency log routes (docs/spec/relay-api.md §Log): checkpoints, inclusion and consistency
 * proofs, leaves and batch files. Public: anyone may audit the log. Sizes are bounded by the
 * latest signed checkpoint, so every answer can be checked against a signature.
 */
import { toBase64Url } from '@parley/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LogService } from '../../log/log-service.js';
import { RelayError } from '../../errors.js';
import { decodeBase64Url } from '../wire.js';
import type { StoredCheckpoint } from '../../store/log-store.js';

/** Most leaves one `GET /v1/log/leaves` answers with. */
const MAX_LEAVES_PER_PAGE = 1000;
/** Header naming the batch file that ends at a checkpoint's size. */
const BATCH_HEADER = 'parley-log-batch';

const count = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' } as const;
const hashList = {
  type: 'array',
  items: { type: 'string', description: '32-byte hash, base64url' },
} as const;
const tags = ['log'];

/** Registers the public log routes. */
export function registerLogRoutes(app: FastifyInstance, log: LogService): void {
  const sendCheckpoint = (reply: FastifyReply, checkpoint: StoredCheckpoint) => {
    if (checkpoint.batchCid !== null) void reply.header(BATCH_HEADER, checkpoint.batchCid);
    return reply.type('text/plain; charset=utf-8').send(checkpoint.note);
  };

  app.get(
    '/v1/log/checkpoint',
    {
      schema: {
        summary: 'The latest signed checkpoint (C2SP signed note, text/plain)',
        tags,
        produces: ['text/plain'],
      },
    },
    (_request, reply) => sendCheckpoint(reply, log.checkpointer.latest()),
  );

  app.get<{ Params: { size: string } }>(
    '/v1/log/checkpoints/:size',
    {
      schema: {
        summary: 'The signed checkpoint of exactly this tree size (text/plain)',
        tags,
        produces: ['text/plain'],
        params: { type: 'object', properties: { size: count }, required: ['size'] },
      },
    },
    async (request, reply) => {
      const checkpoint = await log.store.getCheckpoint(Number(request.params.size));
      if (checkpoint === undefined) throw new RelayError('RELAY_LOG_CHECKPOINT_NOT_FOUND');
      return sendCheckpoint(reply, checkpoint);
    },
  );

  app.get<{ Querystring: { size: string; index?: string; cid?: string; hash?: string } }>(
    '/v1/log/proof/inclusion',
    {
      schema: {
        summary:
          'Inclusion proof of a leaf (by index, CID or leaf hash) in the tree of a checkpoint’s size',
        tags,
        querystring: {
          type: 'object',
          properties: {
            size: count,
            index: count,
            cid: { type: 'string', maxLength: 128 },
            hash: { type: 'string', maxLength: 64, description: 'leaf hash, base64url' },
          },
          required: ['size'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              index: { type: 'integer' },
              size: { type: 'integer' },
              leafHash: { type: 'string', description: 'base64url' },
              proof: hashList,
            },
            required: ['index', 'size', 'leafHash', 'proof'],
          },
        },
      },
    },
    async (request) => {
      const { index: indexText, cid, hash } = request.query;
      const given = [indexText, cid, hash].filter((value) => value !== undefined).length;
      if (given !== 1) {
        throw new RelayError('RELAY_INVALID_REQUEST', '(give exactly one of index, cid and hash)');
      }
      const size = signedSize(log, request.query.size, 1);
      const index =
        indexText !== undefined
          ? Number(indexText)
          : cid !== undefined
            ? await log.store.leafIndexOfCid(cid)
            : await log.store.leafIndexOfHash(decodeBase64Url(hash ?? '', 'hash', 32));
      if (index === undefined || index >= size) {
        throw new RelayError('RELAY_LOG_LEAF_NOT_FOUND', `(not in the tree of ${size} leaves)`);
      }
      const [leaf] = await log.store.leafRange(index, index + 1);
      if (leaf === undefined) throw new RelayError('RELAY_LOG_LEAF_NOT_FOUND');
      const proof = await log.store.logInclusionProof(index, size);
      return { index, size, leafHash: toBase64Url(leaf.hash), proof: proof.map(toBase64Url) };
    },
  );

  app.get<{ Querystring: { from: string; to: string } }>(
    '/v1/log/proof/consistency',
    {
      schema: {
        summary: 'Consistency proof between two checkpoint sizes',
        tags,
        querystring: {
          type: 'object',
          properties: { from: count, to: count },
          required: ['from', 'to'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { from: { type: 'integer' }, to: { type: 'integer' }, proof: hashList },
            required: ['from', 'to', 'proof'],
          },
        },
      },
    },
    async (request) => {
      const to = signedSize(log, request.query.to, 1);
      const from = Number(request.query.from);
      if (from < 1 || from > to) {
        throw new RelayError('RELAY_LOG_SIZE_INVALID', '(need 0 < from ≤ to)');
      }
      const proof = await log.store.logConsistencyProof(from, to);
      return { from, to, proof: proof.map(toBase64Url) };
    },
  );

  app.get<{ Querystring: { start: string; end: string } }>(
    '/v1/log/leaves',
    {
      schema: {
        summary: `Leaves [start, end) of the log: at most ${MAX_LEAVES_PER_PAGE}, up to the latest checkpoint`,
        tags,
        querystring: {
          type: 'object',
          properties: { start: count, end: count },
          required: ['start', 'end'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              leaves: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { index: { type: 'integer' }, cid: { type: 'string' } },
                  required: ['index', 'cid'],
                },
              },
            },
            required: ['leaves'],
          },
        },
      },
    },
    async (request) => {
      const start = Number(request.query.start);
      const end = Number(request.query.end);
      const size = log.checkpointer.latest().size;
      if (start >= end || end > size || end - start > MAX_LEAVES_PER_PAGE) {
        throw new RelayError(
          'RELAY_LOG_RANGE_INVALID',
          `(need start < end ≤ ${size}, at most ${MAX_LEAVES_PER_PAGE} leaves)`,
        );
      }
      const leaves = await log.store.leafRange(start, end);
      return { leaves: leaves.map((leaf) => ({ index: leaf.index, cid: leaf.cid })) };
    },
  );

  app.get<{ Params: { cid: string } }>(
    '/v1/log/batches/:cid',
    {
      schema: {
        summary: 'A batch file (DAG-CBOR: origin, start, end, leaves, prev) by its CID',
        tags,
        produces: ['application/vnd.ipld.dag-cbor'],
        params: {
          type: 'object',
          properties: { cid: { type: 'string', minLength: 1, maxLength: 128 } },
          required: ['cid'],
        },
      },
    },
    async (request, reply) => {
      const bytes = await log.store.getBatch(request.params.cid);
      if (bytes === undefined) throw new RelayError('RELAY_LOG_BATCH_NOT_FOUND');
      return reply.type('application/vnd.ipld.dag-cbor').send(Buffer.from(bytes));
    },
  );
}

/**
 * A tree size in 1..latest checkpoint size (or `min`..).
 * @throws RelayError RELAY_LOG_SIZE_INVALID
 */
function signedSize(log: LogService, text: string, min: number): number {
  const size = Number(text);
  const latest = log.checkpointer.latest().size;
  if (size < min || size > latest) {
    throw new RelayError(
      'RELAY_LOG_SIZE_INVALID',
      `(the latest checkpoint has ${latest} leaves; sizes from ${min} to ${latest} are proven)`,
    );
  }
  return size;
}
