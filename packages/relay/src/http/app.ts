/**
 * createRelay: wires the store, bus, clock and randomness into a Fastify app with every route,
 * the WebSocket endpoint, error mapping, metrics and retention. It opens no port; the bin does.
 */
import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import {
  accountIdFromPublicKey,
  type CryptoSuite,
  type Identity,
  type RandomSource,
} from '@parley/core';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import { Allowlist } from '../auth/allowlist.js';
import { Challenges } from '../auth/challenges.js';
import { Sessions } from '../auth/sessions.js';
import type { Bus } from '../bus/bus.js';
import type { RelayConfig } from '../config/config.js';
import type { RelayContext } from '../context.js';
import { RelayError } from '../errors.js';
import { ConnectionAdmission } from '../limits/connection-admission.js';
import { InboxQuotas } from '../limits/inbox-quota.js';
import { TokenBuckets } from '../limits/token-bucket.js';
import { Checkpointer } from '../log/checkpointer.js';
import { createReceiptSigner } from '../log/receipts.js';
import { createMetrics } from '../ops/metrics.js';
import type { RelayStores } from '../store/relay-stores.js';
import { EnvelopeWriter } from '../topics/envelope-writer.js';
import { RELAY_VERSION } from '../version.js';
import { registerSocketRoute } from '../ws/socket.js';
import { createPeerErrorLog, errorBody, refusalBody, toRelayError } from './error-mapping.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerDirectoryRoutes } from './routes/directory-routes.js';
import { registerEnvelopeRoutes } from './routes/envelope-routes.js';
import { registerLogRoutes } from './routes/log-routes.js';
import { registerOperationsRoutes } from './routes/operations-routes.js';
import { registerWebRoutes } from './routes/web-routes.js';
import { registerWitnessRoutes } from './routes/witness-routes.js';
import { strictSchema } from './wire.js';

/** The dependencies of a relay. */
export interface RelayDependencies {
  readonly stores: RelayStores;
  readonly bus: Bus;
  readonly clock: () => number;
  readonly random: RandomSource;
  readonly suite: CryptoSuite;
  /** The relay's own identity (its key signs receipts and checkpoints). */
  readonly identity: Identity;
  readonly config: RelayConfig;
  readonly log: FastifyBaseLogger;
  /** Used to reach witnesses (`log.witnesses`); the bin passes the platform's fetch. */
  readonly fetch?: typeof fetch;
}

/** A relay ready to listen. */
export interface Relay {
  readonly app: FastifyInstance;
  readonly relayId: string;
  /** Stops accepting work, closes sockets, finishes pending writes; does not close the store. */
  close(): Promise<void>;
}

/** Builds a relay from its dependencies. */
export async function createRelay(deps: RelayDependencies): Promise<Relay> {
  const { config, stores, clock } = deps;
  const relayId = accountIdFromPublicKey(deps.identity.signingPublicKey);
  const metrics = createMetrics(
    () => stores.sizeBytes(),
    () => stores.log.logSize(),
  );
  const peerLog = createPeerErrorLog(deps.log, clock);
  const logOrigin = config.log.origin ?? `parley-relay/${relayId}`;
  const signingSeed = deps.identity.secrets.signingSeed;
  const checkpointer = new Checkpointer({
    store: stores.log,
    suite: deps.suite,
    seed: signingSeed,
    origin: logOrigin,
    clock,
    batchIntervalMs: config.log.batchIntervalMs,
    batchMaxLeaves: config.log.batchMaxLeaves,
    witnesses: config.log.witnesses,
    witnessTimeoutMs: config.log.witnessTimeoutMs,
    fetch: deps.fetch ?? globalThis.fetch,
    onCheckpoint: (checkpoint) => {
      metrics.checkpoints.inc();
      deps.bus
        .publishCheckpoint({ size: checkpoint.size, note: checkpoint.note })
        .catch((error: unknown) => {
          // Stored already: subscribers that missed it read GET /v1/log/checkpoint.
          deps.log.warn({ err: error }, 'the bus did not carry a checkpoint');
        });
    },
    onWitnessFailure: (witness, reason) => {
      metrics.witnessFailures.inc({ witness });
      deps.log.warn({ witness, reason }, 'witness did not cosign');
    },
    onError: (error) => {
      deps.log.error({ err: error }, 'closing a log batch failed');
    },
  });
  const challenges = new Challenges({
    ttlMs: config.auth.challengeTtlSeconds * 1000,
    random: deps.random,
  });
  const allowlist = new Allowlist({
    mode: config.allowlist.mode,
    file: config.allowlist.file,
    store: stores.membership,
  });
  const ctx: RelayContext = {
    config,
    stores,
    bus: deps.bus,
    clock,
    random: deps.random,
    suite: deps.suite,
    relayId,
    publicKey: deps.identity.signingPublicKey,
    signingSeed,
    logOrigin,
    checkpointer,
    signReceipt: createReceiptSigner({
      suite: deps.suite,
      seed: signingSeed,
      relayId,
      batchIntervalMs: config.log.batchIntervalMs,
      witnessTimeoutMs: config.log.witnessTimeoutMs,
    }),
    challenges,
    allowlist,
    sessions: new Sessions({
      store: stores.sessions,
      suite: deps.suite,
      random: deps.random,
      challenges,
      allowlist,
      relayId,
      ttlMs: config.auth.sessionTtlSeconds * 1000,
    }),
    writer: new EnvelopeWriter({
      store: stores.topics,
      bus: deps.bus,
      clock,
      maxBytesPerTopic: config.retention.maxBytesPerTopic,
      onCommit: (_count, durationMs) => {
        metrics.commitDuration.observe(durationMs / 1000);
        checkpointer.notify();
      },
      onPublishError: (error) => {
        deps.log.warn({ err: error }, 'the bus did not carry an envelope');
      },
    }),
    metrics,
    publishLimits: new TokenBuckets(config.limits.publishPerSecond, config.limits.publishBurst),
    claimLimits: new TokenBuckets(
      config.limits.claimsPerMinute / 60,
      config.limits.claimsPerMinute,
    ),
    cursorLimits: new TokenBuckets(
      config.limits.cursorsPerMinute / 60,
      config.limits.cursorsPerMinute,
    ),
    oneTimeClaimsPerPair: new TokenBuckets(
      config.limits.keyPackagesPerPairPerHour / 3600,
      config.limits.keyPackagesPerPairPerHour,
    ),
    oneTimeClaimsPerTarget: new TokenBuckets(
      config.limits.keyPackagesPerTargetPerHour / 3600,
      config.limits.keyPackagesPerTargetPerHour,
    ),
    addressLimits: new TokenBuckets(
      config.limits.authPerMinutePerAddress / 60,
      config.limits.authPerMinutePerAddress,
    ),
    admission: new ConnectionAdmission(config.limits),
    // The key lives only in this process: see InboxQuotas and relay-api.md §Inbox quotas.
    inboxQuotas: new InboxQuotas(deps.random(32), config.limits.maxInboxBytesPerSender),
    log: deps.log,
    peerLog,
    state: { draining: false, connections: 0 },
  };

  const app = Fastify({
    loggerInstance: deps.log,
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

  registerOperationsRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerDirectoryRoutes(app, ctx);
  registerEnvelopeRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  await registerWitnessRoutes(app, ctx);
  const socketRoute = registerSocketRoute(app, ctx);
  const stopCheckpoints = deps.bus.subscribeCheckpoints((checkpoint) => {
    socketRoute.broadcastCheckpoint(checkpoint.note);
  });
  registerWebRoutes(app, ctx);
  // After the sockets exist: resuming may close a batch at once, which is broadcast.
  await checkpointer.start();

  const sweepMs = config.retention.sweepIntervalSeconds * 1000;
  const sweeper = setInterval(() => {
    const now = clock();
    challenges.prune(now);
    ctx.publishLimits.prune(now);
    ctx.claimLimits.prune(now);
    ctx.cursorLimits.prune(now);
    ctx.oneTimeClaimsPerPair.prune(now);
    ctx.oneTimeClaimsPerTarget.prune(now);
    ctx.addressLimits.prune(now);
    void stores.sessions
      .deleteExpiredSessions(now)
      .then(() =>
        stores.topics.sweep({
          now,
          maxAgeMs: config.retention.maxAgeSeconds * 1000,
          maxBytesPerTopic: config.retention.maxBytesPerTopic,
        }),
      )
      .then((removed) => {
        if (removed > 0) deps.log.info({ removed }, 'retention removed envelopes');
      })
      .catch((error: unknown) => {
        deps.log.error({ err: error }, 'retention sweep failed');
      });
  }, sweepMs);
  sweeper.unref();

  return {
    app,
    relayId,
    async close() {
      ctx.state.draining = true;
      clearInterval(sweeper);
      socketRoute.closeAll();
      await app.close();
      await ctx.writer.drain();
      await checkpointer.close();
      stopCheckpoints();
      await deps.bus.close();
    },
  };
}
