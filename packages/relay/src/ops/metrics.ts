/** Prometheus metrics of one relay, in its own registry (no global state). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The relay's instruments. */
export interface RelayMetrics {
  readonly registry: Registry;
  readonly connections: Gauge;
  readonly subscriptions: Gauge;
  readonly envelopesIn: Counter<'duplicate'>;
  readonly envelopesOut: Counter;
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  readonly commitDuration: Histogram;
  readonly storeBytes: Gauge;
  readonly errors: Counter<'code'>;
  readonly logSize: Gauge;
  readonly checkpoints: Counter;
  readonly witnessFailures: Counter<'witness'>;
}

/**
 * Creates the instruments; `storeBytes` and `logSize` read the store at scrape time.
 */
export function createMetrics(
  readStoreBytes: () => Promise<number>,
  readLogSize: () => Promise<number>,
): RelayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_relay_' });
  return {
    registry,
    connections: new Gauge({
      name: 'parley_relay_websocket_connections',
      help: 'Open WebSocket connections.',
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'parley_relay_subscriptions',
      help: 'Live topic subscriptions over all connections.',
      registers: [registry],
    }),
    envelopesIn: new Counter({
      name: 'parley_relay_envelopes_in_total',
      help: 'Envelopes accepted (duplicate="true" for ones already stored).',
      labelNames: ['duplicate'],
      registers: [registry],
    }),
    envelopesOut: new Counter({
      name: 'parley_relay_envelopes_out_total',
      help: 'Envelopes pushed or served to subscribers.',
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'parley_relay_http_request_duration_seconds',
      help: 'HTTP request latency.',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    commitDuration: new Histogram({
      name: 'parley_relay_store_commit_duration_seconds',
      help: 'Duration of one durable group commit of envelopes.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    storeBytes: new Gauge({
      name: 'parley_relay_store_bytes',
      help: 'Bytes the store occupies on disk.',
      registers: [registry],
      async collect() {
        this.set(await readStoreBytes());
      },
    }),
    errors: new Counter({
      name: 'parley_relay_errors_total',
      help: 'Error answers by code.',
      labelNames: ['code'],
      registers: [registry],
    }),
    logSize: new Gauge({
      name: 'parley_relay_log_size',
      help: 'Leaves in the transparency log (signed or not yet).',
      registers: [registry],
      async collect() {
        this.set(await readLogSize());
      },
    }),
    checkpoints: new Counter({
      name: 'parley_relay_log_checkpoints_total',
      help: 'Checkpoints signed and stored since start.',
      registers: [registry],
    }),
    witnessFailures: new Counter({
      name: 'parley_relay_log_witness_failures_total',
      help: 'Witnesses that did not cosign a checkpoint (error, refusal or timeout), by name.',
      labelNames: ['witness'],
      registers: [registry],
    }),
  };
}
