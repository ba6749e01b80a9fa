/**
 * The topics service: publishing (write proofs, publish limits, inbox quotas, group commit),
 * reading pages, acknowledging, and signing receipts. The envelope routes and the socket use it.
 */
import type { CryptoSuite, WriteProof } from '@parley/core';
import type { Session } from '../auth/sessions.js';
import type { Bus } from '../bus/bus.js';
import type { RelayConfig } from '../config/config.js';
import { InboxQuotas } from '../limits/inbox-quota.js';
import { TokenBuckets } from '../limits/token-bucket.js';
import type { WireReceipt } from '../log/receipts.js';
import type { RelayMetrics } from '../ops/metrics.js';
import type { StoredReceipt, TopicStore } from '../store/topic-store.js';
import { acceptEnvelope, type AcceptDependencies } from './accept-envelope.js';
import type { EnvelopeWriter } from './envelope-writer.js';
import { acknowledgeTopic, type AcknowledgeDependencies } from './write-proof.js';

/** What the envelope routes and the socket use. */
export interface TopicService extends AcceptDependencies, AcknowledgeDependencies {
  readonly bus: Bus;
  /** Turns a stored receipt into its signed wire form. */
  signReceipt(receipt: StoredReceipt): Promise<WireReceipt>;
  /**
   * Validates, rate-limits and durably stores one envelope for `session`.
   * @throws RelayError as `acceptEnvelope`
   */
  accept(session: Session, bytes: Uint8Array, proof?: WriteProof): Promise<StoredReceipt>;
  /** Moves a cursor for `session`. @throws RelayError as `acknowledgeTopic` */
  acknowledge(
    session: Session,
    topic: Uint8Array,
    seq: number,
    fields: { reader?: unknown; writer?: unknown; sig?: unknown },
  ): Promise<void>;
}

/** The dependencies and settings of the topics service. */
export interface TopicServiceOptions {
  readonly store: TopicStore;
  readonly bus: Bus;
  readonly writer: EnvelopeWriter;
  readonly clock: () => number;
  readonly suite: CryptoSuite;
  /** The inbox quota key: 32 fresh random bytes, kept only in this process. */
  readonly quotaKey: Uint8Array;
  readonly limits: RelayConfig['limits'];
  readonly metrics: RelayMetrics;
  readonly signReceipt: (receipt: StoredReceipt) => Promise<WireReceipt>;
}

/** Builds the topics service. @throws RangeError on a limit that is not positive */
export function createTopicService(options: TopicServiceOptions): TopicService {
  const { limits } = options;
  const service: TopicService = {
    store: options.store,
    bus: options.bus,
    writer: options.writer,
    clock: options.clock,
    suite: options.suite,
    limits,
    metrics: options.metrics,
    signReceipt: options.signReceipt,
    publishLimits: new TokenBuckets(limits.publishPerSecond, limits.publishBurst),
    cursorLimits: new TokenBuckets(limits.cursorsPerMinute / 60, limits.cursorsPerMinute),
    // The key lives only in this process: see InboxQuotas and relay-api.md §Inbox quotas.
    inboxQuotas: new InboxQuotas(options.quotaKey, limits.maxInboxBytesPerSender),
    accept: (session, bytes, proof) => acceptEnvelope(service, session, bytes, proof),
    acknowledge: (session, topic, seq, fields) =>
      acknowledgeTopic(service, session, topic, seq, fields),
  };
  return service;
}
