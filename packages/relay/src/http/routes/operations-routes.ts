/** Operations routes: relay info, health, readiness, metrics and the OpenAPI document. */
import { toBase64Url } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import type { LogService } from '../../log/log-service.js';
import type { OpsService } from '../../ops/ops-service.js';
import { RelayError } from '../../errors.js';
import { RELAY_VERSION } from '../../version.js';

/** Registers /v1/info, /healthz, /readyz, /metrics and /docs. */
export function registerOperationsRoutes(
  app: FastifyInstance,
  { ops, log }: { ops: OpsService; log: LogService },
): void {
  const { limits, auth, retention, allowlist } = ops.config;
  const info = {
    relayId: ops.relayId,
    publicKey: toBase64Url(log.publicKey),
    version: RELAY_VERSION,
    log: { origin: log.origin, publicKey: toBase64Url(log.publicKey) },
    limits: { ...limits },
    policies: {
      allowlist: allowlist.mode,
      sessionTtlMs: auth.sessionTtlSeconds * 1000,
      challengeTtlMs: auth.challengeTtlSeconds * 1000,
      retention: {
        maxAgeMs: retention.maxAgeSeconds * 1000,
        maxBytesPerTopic: retention.maxBytesPerTopic,
      },
    },
  };
  app.get(
    '/v1/info',
    { schema: { summary: 'Relay id, version, limits and policies', tags: ['relay'] } },
    () => info,
  );

  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['operations'] } }, () => ({
    status: 'ok',
  }));

  app.get('/readyz', { schema: { summary: 'Readiness', tags: ['operations'] } }, async () => {
    if (ops.state.draining || !(await ops.isHealthy())) throw new RelayError('RELAY_NOT_READY');
    return { status: 'ready' };
  });

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['operations'] } },
    async (_request, reply) => {
      const text = await ops.metrics.registry.metrics();
      return reply.type(ops.metrics.registry.contentType).send(text);
    },
  );

  app.get('/docs', { schema: { hide: true } }, () => app.swagger());
}
