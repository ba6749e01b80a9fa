/**
 * createRelay: wires the relay's ports, through its services, into a Fastify app with every route,
 * the WebSocket endpoint, error mapping, metrics and retention. It opens no port; the bin does.
 */
import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import { RelayError } from '../errors.js';
import { createRelayServices, type RelayDependencies } from '../relay-services.js';
import { RELAY_VERSION } from '../version.js';
import { registerSocketRoute } from '../ws/socket-route.js';
import { errorBody, refusalBody, toRelayError } from './error-mapping.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerDirectoryRoutes } from './routes/directory-routes.js';
import { registerEnvelopeRoutes } from './routes/envelope-routes.js';
import { registerLogRoutes } from './routes/log-routes.js';
import { registerOperationsRoutes } from './routes/operations-routes.js';
import { registerWebRoutes } from './routes/web-routes.js';
import { registerWitnessRoutes } from './routes/witness-routes.js';
import { strictSchema } from './wire.js';

/** A relay ready to listen. */
export interface Relay {
  readonly app: FastifyInstance;
  readonly relayId: string;
  /** Stops accepting work, closes sockets, finishes pending writes; does not close the store. */
  close(): Promise<void>;
}

/**
 * Builds a relay from its ports (`config`, `stores`, `bus`, `blobs`, `anchor`, `lease`, `clock`,
 * `timers`, `random`, `logger`, ...): the services, then the app, then starts the checkpointer
 * (taking the lease) and the retention sweep.
 * @throws RelayError RELAY_LEASE_NOT_HELD if the log has no checkpoint and the lease is held elsewhere
 */
export async function createRelay(deps: RelayDependencies): Promise<Relay> {
  const { config } = deps;
  const services = createRelayServices(deps);
  const { auth, topics, directory, log, ops } = services;
  const { metrics, peerLog } = ops;

  const app = Fastify({
    loggerInstance: deps.logger,
    // The router's own refusals (bad percent-encoding, over-long parameters) answer like any
    // other error, with a RELAY_ code.
    frameworkErrors: (error, request, reply) => {
      const relayError = toRelayError(error);
      peerLog.report(request.ip, error, relayError, { route: 'unmatched' });
      metrics.errors.inc({ code: relayError.code });
      void (reply as FastifyReply)
        .code(relayError.status)
        .type('application/json')
        .send(errorBody(relayError));
    },
    // Node's HTTP parser refusals (not HTTP, headers too large, too slow), before any route.
    clientErrorHandler: (error, socket) => {
      const code = (error as { code?: unknown }).code;
      if (code === 'ECONNRESET' || socket.destroyed) return;
      const relayError = toRelayError(error);
      const known =
        relayError.code === 'RELAY_INTERNAL'
          ? new RelayError('RELAY_MALFORMED_REQUEST')
          : relayError;
      peerLog.report(socket.remoteAddress ?? 'unknown', error, known, { route: 'unparsed' });
      metrics.errors.inc({ code: known.code });
      if (socket.writable) {
        const body = JSON.stringify(errorBody(known));
        socket.write(
          `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status] ?? 'Error'}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
            `Connection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy();
    },
    bodyLimit: config.limits.maxBodyBytes,
    // Requests are logged by the hook below, without bodies, queries or headers.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    return503OnClosing: true,
  });
  // JSON and CBOR only: plain text is not a body any route takes (415 instead).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    'application/cbor',
    { parseAs: 'buffer', bodyLimit: config.limits.maxBodyBytes },
    (_request, body, done) => {
      done(null, body);
    },
  );
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Parley relay',
        version: RELAY_VERSION,
        description: 'Stores and delivers sealed envelopes. See docs/spec/relay-api.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(websocket, {
    options: { maxPayload: config.limits.maxBodyBytes },
    // A frame over maxPayload or otherwise invalid is the peer's doing: info, no stack.
    errorHandler: (error, socket, request) => {
      const relayError = toRelayError(error);
      peerLog.report(request.ip, error, relayError, { route: '/v1/ws' });
      metrics.errors.inc({ code: relayError.code });
      socket.terminate();
    },
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const relayError = toRelayError(error);
    peerLog.report(request.ip, error, relayError, { route: request.routeOptions.url });
    metrics.errors.inc({ code: relayError.code });
    if (relayError.retryAfterSeconds !== undefined) {
      void reply.header('Retry-After', String(relayError.retryAfterSeconds));
    }
    return reply.code(relayError.status).type('application/json').send(errorBody(relayError));
  });
  // Every request schema is strict (no property it does not list), on every route; API routes
  // without a query schema take no query at all.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    const schema: Record<string, unknown> = { ...(route.schema ?? {}) };
    for (const part of ['body', 'params', 'querystring'] as const) {
      if (schema[part] !== undefined) schema[part] = strictSchema(schema[part]);
    }
    if (schema.querystring === undefined) {
      schema.querystring = { type: 'object', properties: {}, additionalProperties: false };
    }
    route.schema = schema;
  });
  app.setNotFoundHandler((request, reply) => {
    metrics.errors.inc({ code: 'RELAY_NOT_FOUND' });
    return reply
      .code(404)
      .send(
        refusalBody(
          'RELAY_NOT_FOUND',
          `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
        ),
      );
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { route, method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    request.log.debug(
      { method: request.method, route, status: reply.statusCode, ms: reply.elapsedTime },
      'request',
    );
    done();
  });

  registerOperationsRoutes(app, { ops, log });
  registerAuthRoutes(app, auth);
  registerDirectoryRoutes(app, { auth, directory });
  registerEnvelopeRoutes(app, { auth, topics });
  registerLogRoutes(app, log);
  await registerWitnessRoutes(app, { log, ops });
  const sockets = registerSocketRoute(app, { auth, topics, ops, timers: deps.timers });
  const stopCheckpoints = deps.bus.subscribeCheckpoints((checkpoint) => {
    sockets.broadcastCheckpoint(checkpoint.note);
  });
  registerWebRoutes(app, config.web);
  // After the sockets exist: resuming may close a batch at once, which is broadcast.
  try {
    await log.checkpointer.start();
  } catch (error) {
    await app.close();
    stopCheckpoints();
    throw error;
  }
  services.sweeper.start();

  return {
    app,
    relayId: ops.relayId,
    async close() {
      ops.state.draining = true;
      sockets.closeAll();
      await app.close();
      await services.sweeper.stop();
      await topics.writer.drain();
      await log.checkpointer.close();
      await deps.lease.release();
      stopCheckpoints();
      await deps.bus.close();
    },
  };
}
