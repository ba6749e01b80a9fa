/**
 * The relay as a witness (C2SP tlog-witness): `POST /v1/witness/add-checkpoint` cosigns a
 * checkpoint of a configured log if it is consistent with the last one this relay cosigned for
 * that log. The stored state changes only after a successful decision, by compare-and-set, so two
 * concurrent requests from the same old size cannot both succeed.
 */
import {
  cosignCheckpoint,
  decideAddCheckpoint,
  isCoreError,
  openSignedNote,
  parseAddCheckpoint,
  parseCheckpoint,
  MAX_ADD_CHECKPOINT_BYTES,
  type AddCheckpointRequest,
} from '@parley/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LogService } from '../../log/log-service.js';
import type { OpsService } from '../../ops/ops-service.js';
import { RelayError } from '../../errors.js';

/** Registers the witness route, with its own text/plain body parser. */
export async function registerWitnessRoutes(
  app: FastifyInstance,
  { log: relayLog, ops }: { log: LogService; ops: OpsService },
): Promise<void> {
  const logs = new Map(relayLog.witness.logs.map((log) => [log.origin, log]));

  const conflict = (reply: FastifyReply, size: number) => {
    ops.metrics.errors.inc({ code: 'RELAY_WITNESS_CONFLICT' });
    return reply.code(409).type('text/x.tlog.size').send(`${size}\n`);
  };

  // Scoped: the rest of the relay keeps refusing text/plain bodies.
  await app.register((scope, _options, done) => {
    scope.addContentTypeParser(
      'text/plain',
      { parseAs: 'string', bodyLimit: MAX_ADD_CHECKPOINT_BYTES },
      (_request, body, parsed) => {
        parsed(null, body);
      },
    );
    scope.post<{ Body: string }>(
      '/v1/witness/add-checkpoint',
      {
        schema: {
          summary: 'C2SP tlog-witness add-checkpoint: cosign a consistent checkpoint',
          tags: ['log'],
          consumes: ['text/plain'],
          produces: ['text/plain'],
        },
      },
      async (request, reply) => {
        if (typeof request.body !== 'string') {
          throw new RelayError('RELAY_UNSUPPORTED_MEDIA_TYPE', '(send text/plain)');
        }
        let parsed: AddCheckpointRequest;
        let origin: string;
        try {
          parsed = parseAddCheckpoint(request.body);
          origin = parseCheckpoint(openSignedNote(parsed.note).body).origin;
        } catch (error) {
          if (isCoreError(error)) {
            throw new RelayError('RELAY_WITNESS_MALFORMED', `(${error.code})`, { cause: error });
          }
          throw error;
        }
        const log = logs.get(origin);
        if (log === undefined) throw new RelayError('RELAY_WITNESS_UNKNOWN_LOG');
        const last = await relayLog.store.getCosignedState(origin);
        const decision = await decideAddCheckpoint(relayLog.suite, parsed, log, last);
        if (!decision.ok) {
          switch (decision.reason) {
            case 'conflict':
              return conflict(reply, decision.size ?? last?.size ?? 0);
            case 'bad-proof':
              throw new RelayError('RELAY_WITNESS_BAD_PROOF');
            case 'bad-signature':
              throw new RelayError('RELAY_WITNESS_BAD_SIGNATURE');
            case 'unknown-log':
              throw new RelayError('RELAY_WITNESS_UNKNOWN_LOG');
            case 'malformed':
              throw new RelayError('RELAY_WITNESS_MALFORMED');
          }
        }
        const { checkpoint } = decision;
        const next = { size: checkpoint.size, rootHash: checkpoint.rootHash };
        if (!(await relayLog.store.replaceCosignedState(origin, last, next))) {
          // Another request moved this log on after we read it: that one won.
          return conflict(reply, (await relayLog.store.getCosignedState(origin))?.size ?? 0);
        }
        const line = await cosignCheckpoint(
          relayLog.suite,
          relayLog.signingSeed,
          relayLog.origin,
          openSignedNote(parsed.note).body,
          Math.floor(relayLog.clock() / 1000),
        );
        return reply.type('text/plain; charset=utf-8').send(line);
      },
    );
    done();
  });
}
