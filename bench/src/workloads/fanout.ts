/**
 * Fan-out: S subscribers each on its own topic plus 3 subscribers to every topic; a publisher at
 * a fixed rate R. Delivery latency is send → arrival at the subscriber; every envelope is
 * accounted for (lost, duplicated, misdelivered).
 */
import { newSharedTopic, toBase64Url } from '@parley/core';
import { startGenerators, stopGenerators, type Generator } from '../generator/handle.js';
import type { PublisherResult, SubscriberResult } from '../generator/protocol.js';
import { random } from '../generator/session.js';
import { watchProcess } from '../proc-stats.js';
import { startRelay } from '../relay-process.js';
import { percentiles, spread, spreadPercentiles, type Percentiles, type Spread } from '../stats.js';
import { accountDeliveries } from './fanout-accounting.js';

/** Figures at one (S, R). */
export interface FanoutFigures {
  readonly subscribers: number;
  readonly allTopicSubscribers: number;
  readonly ratePerSecond: number;
  readonly published: Spread;
  /** Sending rate the publisher achieved. */
  readonly achievedRatePerSecond: Spread;
  /** Acknowledged envelopes over the time from the first send to the last receipt. */
  readonly acknowledgedPerSecond: Spread;
  readonly deliveries: Spread;
  readonly deliveryLatencyMs: Record<keyof Percentiles, Spread>;
  readonly lost: number;
  readonly duplicated: number;
  readonly misdelivered: number;
  readonly publishErrors: number;
  readonly sampledFramesChecked: number;
  readonly sampledFramesCorrupt: number;
  readonly relayCpuPercent: Spread;
  readonly relayPeakRssBytes: Spread;
  /** The relay could not keep up with R (its receipts lagged the sending by far). */
  readonly saturated: boolean;
  readonly note?: string;
}

/** Fan-out options. */
export interface FanoutOptions {
  readonly subscribers: readonly number[];
  readonly rates: readonly number[];
  readonly allTopicSubscribers: number;
  readonly durationMs: number;
  readonly payloadBytes: number;
  readonly publisherConnections: number;
  readonly drainTimeoutMs: number;
  readonly runs: number;
  readonly onProgress: (line: string) => void;
}

/**
 * A run whose last receipt came more than this many times the sending time after the start shows
 * a relay that cannot keep up with R: further runs would measure the same backlog, so that
 * configuration runs once (stated in the results) to keep `npm run bench` within its budget.
 */
const SATURATION_FACTOR = 3;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until subscribers hold `expected` frames or nothing arrived for `quietMs`. */
async function drain(subscribers: readonly Generator[], expected: number, quietMs: number) {
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const counts = await Promise.all(subscribers.map((g) => g.request({ type: 'count' }, 'count')));
    const total = counts.reduce((n, c) => n + c.received, 0);
    if (total >= expected) return;
    if (total !== last) {
      last = total;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > quietMs) {
      return;
    }
    await sleep(50);
  }
}

/** Runs every (S, R) pair: one relay and one set of subscribers per S, `runs` runs per R. */
export async function runFanout(options: FanoutOptions): Promise<FanoutFigures[]> {
  const figures: FanoutFigures[] = [];
  for (const s of options.subscribers) {
    const relay = await startRelay();
    const subscribers = startGenerators(2);
    const publisher = startGenerators(1);
    try {
      const topics = Array.from({ length: s }, () => toBase64Url(newSharedTopic(random)));
      // Connection c of generator g: own topic for c < its share, then the all-topic ones.
      const layout: number[][][] = [[], []];
      topics.forEach((_, i) => layout[i % 2]?.push([i]));
      const all = topics.map((_, i) => i);
      for (let a = 0; a < options.allTopicSubscribers; a++) layout[a % 2]?.push(all);
      await Promise.all([
        ...subscribers.map((g, i) =>
          g.request(
            {
              type: 'setup',
              job: {
                role: 'subscriber',
                relayUrl: relay.url,
                wsUrl: relay.wsUrl,
                subscriptions: (layout[i] ?? []).map((c) => c.map((t) => topics[t] ?? '')),
              },
            },
            'ready',
          ),
        ),
        ...publisher.map((g) =>
          g.request(
            {
              type: 'setup',
              job: {
                role: 'publisher',
                relayUrl: relay.url,
                wsUrl: relay.wsUrl,
                connections: options.publisherConnections,
                topics,
                payloadBytes: options.payloadBytes,
              },
            },
            'ready',
          ),
        ),
      ]);
      options.onProgress(`fanout S=${s}: ${s + options.allTopicSubscribers} subscribers ready`);
      const pub = publisher[0] as Generator;
      for (const rate of options.rates) {
        const runs: Run[] = [];
        let saturated = false;
        for (let run = 0; run < options.runs && !saturated; run++) {
          await pub.request(
            { type: 'prepare', count: Math.round((rate * options.durationMs) / 1000) },
            'prepared',
          );
          const watch = watchProcess(relay.pid);
          const sent = (await pub.request({ type: 'start', ratePerSecond: rate }, 'done'))
            .result as PublisherResult;
          const acked = sent.acked.reduce((n, a) => n + a, 0);
          saturated = sent.lastAckAt - sent.firstSendAt > SATURATION_FACTOR * options.durationMs;
          await drain(
            subscribers,
            acked * (1 + options.allTopicSubscribers),
            options.drainTimeoutMs,
          );
          const usage = watch.stop();
          const received = await Promise.all(
            subscribers.map((g) => g.request({ type: 'collect' }, 'collected')),
          );
          runs.push(
            account(
              sent,
              received.map((r) => r.result),
              layout,
              s,
              usage,
            ),
          );
          options.onProgress(
            `fanout S=${s} R=${rate} run ${run + 1}: p99 ${runs.at(-1)?.latency.p99.toFixed(1)} ms, lost ${runs.at(-1)?.lost}`,
          );
          await sleep(500);
        }
        figures.push({
          ...summarize(s, rate, options.allTopicSubscribers, runs),
          saturated,
          ...(saturated && options.runs > 1
            ? {
                note: `relay acknowledged the last envelope more than ${SATURATION_FACTOR}× the sending time after the start: it cannot sustain R, so this configuration ran once`,
              }
            : {}),
        });
      }
    } finally {
      await stopGenerators([...subscribers, ...publisher]);
      await relay.stop();
    }
  }
  return figures;
}

interface Run {
  readonly published: number;
  readonly rate: number;
  readonly ackRate: number;
  readonly deliveries: number;
  readonly latency: Percentiles;
  readonly lost: number;
  readonly duplicated: number;
  readonly misdelivered: number;
  readonly errors: number;
  readonly checked: number;
  readonly corrupt: number;
  readonly cpu: number;
  readonly rss: number;
}

function account(
  sent: PublisherResult,
  received: readonly SubscriberResult[],
  layout: readonly (readonly (readonly number[])[])[],
  topicCount: number,
  usage: { cpuPercent: number; peakRssBytes: number },
): Run {
  const tally = accountDeliveries(sent, received, layout, topicCount);
  const duration = (sent.lastSendAt - sent.firstSendAt) / 1000;
  return {
    published: sent.cids.length,
    rate: duration > 0 ? (sent.cids.length - 1) / duration : Number.NaN,
    ackRate: sent.acked.reduce((n, a) => n + a, 0) / ((sent.lastAckAt - sent.firstSendAt) / 1000),
    deliveries: tally.latencies.length,
    latency: percentiles(tally.latencies),
    lost: tally.lost,
    duplicated: tally.duplicated,
    misdelivered: tally.misdelivered,
    errors: sent.errors,
    checked: received.reduce((n, r) => n + r.checked, 0),
    corrupt: received.reduce((n, r) => n + r.corrupt, 0),
    cpu: usage.cpuPercent,
    rss: usage.peakRssBytes,
  };
}

function summarize(
  s: number,
  rate: number,
  allTopic: number,
  runs: readonly Run[],
): Omit<FanoutFigures, 'saturated' | 'note'> {
  const sum = (pick: (r: Run) => number): number => runs.reduce((n, r) => n + pick(r), 0);
  return {
    subscribers: s,
    allTopicSubscribers: allTopic,
    ratePerSecond: rate,
    published: spread(runs.map((r) => r.published)),
    achievedRatePerSecond: spread(runs.map((r) => r.rate)),
    acknowledgedPerSecond: spread(runs.map((r) => r.ackRate)),
    deliveries: spread(runs.map((r) => r.deliveries)),
    deliveryLatencyMs: spreadPercentiles(runs.map((r) => r.latency)),
    lost: sum((r) => r.lost),
    duplicated: sum((r) => r.duplicated),
    misdelivered: sum((r) => r.misdelivered),
    publishErrors: sum((r) => r.errors),
    sampledFramesChecked: sum((r) => r.checked),
    sampledFramesCorrupt: sum((r) => r.corrupt),
    relayCpuPercent: spread(runs.map((r) => r.cpu)),
    relayPeakRssBytes: spread(runs.map((r) => r.rss)),
  };
}
