/**
 * The WebSocket endpoint GET /v1/ws (docs/spec/relay-api.md §WebSocket): admission before the
 * upgrade, one Connection per socket, and the checkpoint broadcast to every authenticated one.
 */
import type { WebSocket } from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { refusalBody } from '../http/error-mapping.js';
import { Connection, type ConnectionServices } from './connection.js';
import { SendBudget } from './send-budget.js';

/** What the relay does with all its sockets. */
export interface Sockets {
  /** Closes every socket (1001) on shutdown. */
  closeAll(): void;
  /** Sends `{ type: 'checkpoint', note }` to every authenticated socket. */
  broadcastCheckpoint(note: string): void;
}

/** Registers GET /v1/ws; returns the handle on every open socket. */
export function registerSocketRoute(app: FastifyInstance, services: ConnectionServices): Sockets {
  const { ops } = services;
  const open = new Set<WebSocket>();
  const connections = new Set<Connection>();
  const buffers = new SendBudget(
    ops.config.limits.maxBufferedBytesTotal,
    () => connections,
    services.auth.clock,
  );

  app.get(
    '/v1/ws',
    {
      websocket: true,
      schema: {
        summary: 'WebSocket: subscribe, publish, acknowledge (see relay-api.md)',
        tags: ['envelopes'],
      },
      preValidation: (request, reply, done) => {
        if (ops.state.draining) {
          void reply.code(503).send(refusalBody('RELAY_NOT_READY', 'The relay is shutting down.'));
          return;
        }
        const refusal = ops.admission.admit(request.ip);
        if (refusal !== undefined) {
          ops.metrics.errors.inc({ code: refusal });
          void reply
            .code(503)
            .send(
              refusalBody(
                refusal,
                refusal === 'RELAY_TOO_MANY_CONNECTIONS'
                  ? 'The relay has as many connections as it allows.'
                  : 'This address (or the relay) has as many unauthenticated connections as allowed.',
              ),
            );
          return;
        }
        done();
      },
    },
    (socket, request) => {
      open.add(socket);
      ops.state.connections += 1;
      ops.metrics.connections.inc();
      const connection = new Connection(services, socket, request.ip, buffers);
      connections.add(connection);
      socket.on('close', () => {
        open.delete(socket);
        connections.delete(connection);
        ops.state.connections -= 1;
        ops.metrics.connections.dec();
        ops.admission.release(request.ip, connection.isAuthenticated);
        connection.dispose();
      });
    },
  );

  return {
    closeAll() {
      for (const socket of open) socket.close(1001, 'relay shutting down');
    },
    broadcastCheckpoint(note) {
      const frame = JSON.stringify({ type: 'checkpoint', note });
      for (const connection of connections) connection.sendIfAuthenticated(frame);
    },
  };
}
