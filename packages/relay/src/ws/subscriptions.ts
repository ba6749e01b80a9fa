/**
 * A connection's subscriptions: catch-up from the store joined to live pushes from the bus
 * without a gap or a repeat (docs/spec/relay-api.md §WebSocket), and the fan-out of each push.
 */
import { isInboxTopic, type RelayFrame } from '@parley/core';
import type { Session } from '../auth/sessions.js';
import type { AcceptedEnvelope } from '../bus/bus.js';
import { RelayError } from '../errors.js';
import type { RelayMetrics } from '../ops/metrics.js';
import { OWNER_READER } from '../store/sqlite-write-keys.js';
import { assertMayRead } from '../topics/accept-envelope.js';
import type { TopicService } from '../topics/topic-service.js';
import { decodeBase64Url } from '../http/wire.js';
import { liveEnvelopeFrame, storedEnvelopeFrame } from './frames.js';

const CATCH_UP_PAGE = 500;

interface Subscription {
  lastSent: number;
  catchingUp: boolean;
  readonly buffered: AcceptedEnvelope[];
  unsubscribe: () => void;
}

/** What the subscriptions of one connection use. */
export interface SubscriptionsOptions {
  readonly topics: TopicService;
  readonly metrics: RelayMetrics;
  /** Queues a frame on the connection's socket (it may cut the connection off instead). */
  readonly send: (frame: RelayFrame | string) => void;
  /** Waits until the socket took most of what it holds; false if the connection is gone. */
  readonly drained: () => Promise<boolean>;
}

/** The topics one connection follows. */
export class Subscriptions {
  readonly #options: SubscriptionsOptions;
  readonly #byTopic = new Map<string, Subscription>();

  constructor(options: SubscriptionsOptions) {
    this.#options = options;
  }

  /**
   * Follows topic `key` (base64url) after seq `after` (default: an inbox's cursor, else 0): sends
   * the backlog page by page, then every live push, then `subscribed`.
   * @throws RelayError RELAY_BAD_ENCODING | RELAY_INVALID_REQUEST | RELAY_TOO_MANY_SUBSCRIPTIONS |
   *   RELAY_FORBIDDEN
   */
  async subscribe(session: Session, key: string, afterField: unknown): Promise<void> {
    const { topics, metrics, send } = this.#options;
    const topic = decodeBase64Url(key, 'topic', 32);
    if (this.#byTopic.has(key))
      throw new RelayError('RELAY_INVALID_REQUEST', '(already subscribed)');
    if (this.#byTopic.size >= topics.limits.maxSubscriptionsPerConnection) {
      throw new RelayError('RELAY_TOO_MANY_SUBSCRIPTIONS');
    }
    if (
      afterField !== undefined &&
      (typeof afterField !== 'number' || !Number.isSafeInteger(afterField) || afterField < 0)
    ) {
      throw new RelayError('RELAY_INVALID_REQUEST', '(after must be a non-negative integer)');
    }
    assertMayRead(session, topic);
    const subscription: Subscription = {
      lastSent: 0,
      catchingUp: true,
      buffered: [],
      unsubscribe: () => undefined,
    };
    // Listen first, read the backlog second: whatever commits in between is both buffered
    // and read, and the seq check below sends it once.
    subscription.unsubscribe = topics.bus.subscribe(key, (event) => {
      if (subscription.catchingUp) {
        subscription.buffered.push(event);
      } else if (event.seq > subscription.lastSent) {
        subscription.lastSent = event.seq;
        metrics.envelopesOut.inc();
        send(liveEnvelopeFrame(event));
      }
    });
    this.#byTopic.set(key, subscription);
    metrics.subscriptions.inc();
    // Subscribing stores nothing: only an acknowledgement makes a cursor. An inbox resumes at
    // its owner's cursor; a chat at `after` (its reader's cursor is a pseudonym the relay
    // cannot tie to this session).
    const acknowledged = isInboxTopic(topic)
      ? await topics.store.acknowledgedSeq(topic, OWNER_READER)
      : undefined;
    const requested = typeof afterField === 'number' ? afterField : (acknowledged ?? 0);
    // An `after` beyond the topic's end (a client ahead of this relay) resumes at the end, so
    // live pushes are not mistaken for ones already sent.
    subscription.lastSent = Math.min(requested, await topics.store.lastSeq(topic));
    for (;;) {
      // Pages are bounded in bytes too, and the next is read only once the client has taken
      // most of this one: a backlog never sits whole in the relay's memory.
      const page = await topics.store.listEnvelopes(topic, subscription.lastSent, CATCH_UP_PAGE, {
        maxBytes: topics.limits.maxPageBytes,
      });
      for (const stored of page) {
        send(storedEnvelopeFrame(key, stored));
        subscription.lastSent = stored.seq;
      }
      metrics.envelopesOut.inc(page.length);
      if (page.length === 0 || this.#byTopic.get(key) !== subscription) break;
      if (!(await this.#options.drained())) return;
    }
    for (const event of subscription.buffered.splice(0)) {
      if (event.seq > subscription.lastSent) {
        subscription.lastSent = event.seq;
        send(liveEnvelopeFrame(event));
      }
    }
    subscription.catchingUp = false;
    send({ type: 'subscribed', topic: key, lastSeq: subscription.lastSent });
  }

  /** Stops following topic `key` (a no-op if not followed), then sends `unsubscribed`. */
  unsubscribe(key: string): void {
    const subscription = this.#byTopic.get(key);
    if (subscription !== undefined) {
      subscription.unsubscribe();
      this.#byTopic.delete(key);
      this.#options.metrics.subscriptions.dec();
    }
    this.#options.send({ type: 'unsubscribed', topic: key });
  }

  /** Stops following every topic (the connection closed). */
  dispose(): void {
    for (const subscription of this.#byTopic.values()) subscription.unsubscribe();
    this.#options.metrics.subscriptions.dec(this.#byTopic.size);
    this.#byTopic.clear();
  }
}
