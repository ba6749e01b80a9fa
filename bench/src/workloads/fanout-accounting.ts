/** Matches what subscribers received against what the publisher sent: latency, loss, repeats. */
import type { PublisherResult, SubscriberResult } from '../generator/protocol.js';

/** The outcome of one fan-out run. */
export interface DeliveryTally {
  /** Send → arrival of every first delivery of an envelope to a subscriber that should get it. */
  readonly latencies: Float64Array;
  /** Expected deliveries (acknowledged envelopes × their subscribers) that never arrived. */
  readonly lost: number;
  /** Second and later arrivals of the same envelope at the same subscriber. */
  readonly duplicated: number;
  /** Arrivals of an envelope at a subscriber not subscribed to its topic, or of unknown CIDs. */
  readonly misdelivered: number;
}

/**
 * `layout[g][c]` lists the topic indices connection c of subscriber process g subscribed to, in
 * the order the processes report their connections.
 */
export function accountDeliveries(
  sent: PublisherResult,
  received: readonly SubscriberResult[],
  layout: readonly (readonly (readonly number[])[])[],
  topicCount: number,
): DeliveryTally {
  const indexOfCid = new Map<string, number>();
  sent.cids.forEach((cid, k) => indexOfCid.set(cid, k));
  const ackedPerTopic = new Array<number>(topicCount).fill(0);
  for (let k = 0; k < sent.cids.length; k++) {
    if (sent.acked[k] === 1) {
      const t = sent.topicIndex[k] ?? 0;
      ackedPerTopic[t] = (ackedPerTopic[t] ?? 0) + 1;
    }
  }
  const latencies: number[] = [];
  let expected = 0;
  let delivered = 0;
  let duplicated = 0;
  let misdelivered = 0;
  received.forEach((result, g) => {
    result.connections.forEach((connection, c) => {
      const topics = new Set(layout[g]?.[c] ?? []);
      for (const t of topics) expected += ackedPerTopic[t] ?? 0;
      misdelivered += connection.wrongTopic;
      const seen = new Set<number>();
      connection.cids.forEach((cid, i) => {
        const k = indexOfCid.get(cid);
        if (k === undefined || !topics.has(sent.topicIndex[k] ?? -1)) {
          misdelivered++;
          return;
        }
        if (seen.has(k)) {
          duplicated++;
          return;
        }
        seen.add(k);
        if (sent.acked[k] === 1) delivered++;
        latencies.push((connection.receivedAt[i] ?? 0) - (sent.sentAt[k] ?? 0));
      });
    });
  });
  return {
    latencies: Float64Array.from(latencies),
    lost: expected - delivered,
    duplicated,
    misdelivered,
  };
}
