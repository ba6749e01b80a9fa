/**
 * The relay's ports (what createRelay is given) and its services (what the routes and the socket
 * get), built once from the ports: docs/adr/0017-relay-ports.md.
 */
import {
  accountIdFromPublicKey,
  type CryptoSuite,
  type Identity,
  type RandomSource,
} from '@parley/core';
import type { FastifyBaseLogger } from 'fastify';
import type { AnchorChain } from './anchor/anchor-chain.js';
import { createAuthService, type AuthService } from './auth/auth-service.js';
import type { BlobStore } from './blobs/blob-store.js';
import type { Bus } from './bus/bus.js';
import type { RelayConfig } from './config/config.js';
import { createDirectoryService, type DirectoryService } from './directory/directory-service.js';
import { createPeerErrorLog } from './http/error-mapping.js';
import type { Lease } from './lease/lease.js';
import { ConnectionAdmission } from './limits/connection-admission.js';
import { Checkpointer } from './log/checkpointer.js';
import type { LogService } from './log/log-service.js';
import { createReceiptSigner } from './log/receipts.js';
import { createMetrics } from './ops/metrics.js';
import type { OpsService } from './ops/ops-service.js';
import { Sweeper } from './ops/sweeper.js';
import type { RelayStores } from './store/relay-stores.js';
import type { Timers } from './time/timers.js';
import { EnvelopeWriter } from './topics/envelope-writer.js';
import { createTopicService, type TopicService } from './topics/topic-service.js';

/** The ports of a relay: everything it reaches outside itself, injected (none has a default). */
export interface RelayDependencies {
  readonly config: RelayConfig;
  readonly stores: RelayStores;
  /** Carries accepted envelopes and checkpoints to the sockets (of every relay process). */
  readonly bus: Bus;
  /** Content-addressed bytes (file chunks, DESIGN §Blobs); no route serves them yet. */
  readonly blobs: BlobStore;
  /** Where checkpoints are anchored (DESIGN §Anchoring); the "none" chain while it is off. */
  readonly anchor: AnchorChain;
  /** The log writer's lease: only its holder closes batches and signs checkpoints. */
  readonly lease: Lease;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Every delayed or repeated task of the relay. */
  readonly timers: Timers;
  readonly random: RandomSource;
  readonly logger: FastifyBaseLogger;
  readonly suite: CryptoSuite;
  /** The relay's own identity (its key signs receipts and checkpoints). */
  readonly identity: Identity;
  /** Used to reach witnesses (`log.witnesses`); the bin passes the platform's fetch. */
  readonly fetch: typeof fetch;
}

/** The services the routes and the socket are given, each with only what its concept needs. */
export interface RelayServices {
  readonly auth: AuthService;
  readonly topics: TopicService;
  readonly directory: DirectoryService;
  readonly log: LogService;
  readonly ops: OpsService;
  readonly sweeper: Sweeper;
}

/** Builds the services of a relay from its ports (starts nothing). @throws RangeError on bad limits */
export function createRelayServices(deps: RelayDependencies): RelayServices {
  const { config, stores, clock, logger } = deps;
  const relayId = accountIdFromPublicKey(deps.identity.signingPublicKey);
  const metrics = createMetrics(
    () => stores.sizeBytes(),
    () => stores.log.logSize(),
  );
  const origin = config.log.origin ?? `parley-relay/${relayId}`;
  const signingSeed = deps.identity.secrets.signingSeed;
  const checkpointer = new Checkpointer({
    store: stores.log,
    suite: deps.suite,
    seed: signingSeed,
    origin,
    clock,
    timers: deps.timers,
    lease: deps.lease,
    batchIntervalMs: config.log.batchIntervalMs,
    batchMaxLeaves: config.log.batchMaxLeaves,
    witnesses: config.log.witnesses,
    witnessTimeoutMs: config.log.witnessTimeoutMs,
    fetch: deps.fetch,
    onCheckpoint: (checkpoint) => {
      metrics.checkpoints.inc();
      deps.bus
        .publishCheckpoint({ size: checkpoint.size, note: checkpoint.note })
        .catch((error: unknown) => {
          // Stored already: subscribers that missed it read GET /v1/log/checkpoint.
          logger.warn({ err: error }, 'the bus did not carry a checkpoint');
        });
    },
    onWitnessFailure: (witness, reason) => {
      metrics.witnessFailures.inc({ witness });
      logger.warn({ witness, reason }, 'witness did not cosign');
    },
    onError: (error) => {
      logger.error({ err: error }, 'closing a log batch failed');
    },
  });
  const auth = createAuthService({
    relayId,
    clock,
    random: deps.random,
    suite: deps.suite,
    sessions: stores.sessions,
    membership: stores.membership,
    auth: config.auth,
    allowlist: config.allowlist,
    limits: config.limits,
  });
  const writer = new EnvelopeWriter({
    store: stores.topics,
    bus: deps.bus,
    clock,
    maxBytesPerTopic: config.retention.maxBytesPerTopic,
    onCommit: (_count, durationMs) => {
      metrics.commitDuration.observe(durationMs / 1000);
      checkpointer.notify();
    },
    onPublishError: (error) => {
      logger.warn({ err: error }, 'the bus did not carry an envelope');
    },
  });
  const topics = createTopicService({
    store: stores.topics,
    bus: deps.bus,
    writer,
    clock,
    suite: deps.suite,
    quotaKey: deps.random(32),
    limits: config.limits,
    metrics,
    signReceipt: createReceiptSigner({
      suite: deps.suite,
      seed: signingSeed,
      relayId,
      batchIntervalMs: config.log.batchIntervalMs,
      witnessTimeoutMs: config.log.witnessTimeoutMs,
    }),
  });
  const directory = createDirectoryService({
    store: stores.directory,
    suite: deps.suite,
    clock,
    limits: config.limits,
    leavesAdded: () => {
      checkpointer.notify();
    },
  });
  const sweeper = new Sweeper({
    timers: deps.timers,
    clock,
    retention: config.retention,
    sessions: stores.sessions,
    topics: stores.topics,
    prunables: [
      auth.challenges,
      auth.addressLimits,
      topics.publishLimits,
      topics.cursorLimits,
      directory.claimLimits,
      directory.oneTimeClaimsPerPair,
      directory.oneTimeClaimsPerTarget,
    ],
    onRemoved: (removed) => {
      logger.info({ removed }, 'retention removed envelopes');
    },
    onError: (error) => {
      logger.error({ err: error }, 'retention sweep failed');
    },
  });
  return {
    auth,
    topics,
    directory,
    log: {
      checkpointer,
      store: stores.log,
      origin,
      publicKey: deps.identity.signingPublicKey,
      signingSeed,
      suite: deps.suite,
      clock,
      witness: config.witness,
    },
    ops: {
      relayId,
      config,
      metrics,
      admission: new ConnectionAdmission(config.limits),
      peerLog: createPeerErrorLog(logger, clock),
      state: { draining: false, connections: 0 },
      isHealthy: () => stores.isHealthy(),
    },
    sweeper,
  };
}
