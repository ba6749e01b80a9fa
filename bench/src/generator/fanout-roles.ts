/** Fan-out load: a paced publisher over many topics, and subscribers that record every arrival. */
import { decodeEnvelope, fromBase64Url, toBase64Url } from '@parley/core';
import type WebSocket from 'ws';
import { buildPublishFrames, type PreparedFrames } from './frames.js';
import type { PublisherJob, PublisherResult, SubscriberJob, SubscriberResult } from './protocol.js';
import { forEachLimited, login, openSocket, type Frame } from './session.js';

/** Publishes envelope k to topic k mod S over connection k mod C at a fixed rate. */
export class PublisherRole {
  readonly #job: PublisherJob;
  readonly #sockets: WebSocket[] = [];
  #prepared: PreparedFrames = { frames: [], cids: [] };
  #sentAt = new Float64Array(0);
  #acked = new Uint8Array(0);
  #answered = 0;
  #errors = 0;
  #lastAckAt = 0;
  #finish: (() => void) | undefined;

  constructor(job: PublisherJob) {
    this.#job = job;
  }

  /** Logs in and opens the publishing connections. */
  async setup(): Promise<void> {
    const token = await login(this.#job.relayUrl);
    for (let i = 0; i < this.#job.connections; i++) {
      this.#sockets.push(
        await openSocket(this.#job.wsUrl, token, (frame) => {
          this.#onFrame(frame);
        }),
      );
    }
  }

  /** Builds the next run's `count` envelopes. */
  async prepare(count: number): Promise<void> {
    const topics = this.#job.topics;
    this.#prepared = await buildPublishFrames(
      count,
      this.#job.payloadBytes,
      (k) => topics[k % topics.length] ?? '',
    );
    this.#sentAt = new Float64Array(count);
    this.#acked = new Uint8Array(count);
    this.#answered = 0;
    this.#errors = 0;
    this.#lastAckAt = 0;
  }

  /** Sends every prepared envelope at `ratePerSecond` and waits for every answer. */
  async run(ratePerSecond: number): Promise<PublisherResult> {
    const total = this.#prepared.frames.length;
    const done = new Promise<void>((resolve) => (this.#finish = resolve));
    const start = performance.timeOrigin + performance.now();
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.timeOrigin + performance.now();
        const due = Math.min(total, Math.floor(((now - start) * ratePerSecond) / 1000) + 1);
        for (; next < due; next++) {
          this.#sentAt[next] = performance.timeOrigin + performance.now();
          this.#sockets[next % this.#sockets.length]?.send(this.#prepared.frames[next] ?? '');
        }
        if (next >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    const lastSendAt = this.#sentAt[total - 1] ?? start;
    if (this.#answered < total) await done;
    const topicIndex = new Uint32Array(total);
    for (let k = 0; k < total; k++) topicIndex[k] = k % this.#job.topics.length;
    return {
      cids: this.#prepared.cids,
      topicIndex,
      sentAt: this.#sentAt,
      acked: this.#acked,
      errors: this.#errors,
      firstSendAt: start,
      lastSendAt,
      lastAckAt: this.#lastAckAt,
    };
  }

  #onFrame(frame: Frame): void {
    if (frame.ref === undefined) return;
    if (frame.type === 'receipt') {
      this.#acked[Number(frame.ref)] = 1;
      this.#lastAckAt = performance.timeOrigin + performance.now();
    } else if (frame.type === 'error') this.#errors++;
    else return;
    this.#answered++;
    if (this.#answered >= this.#prepared.frames.length) this.#finish?.();
  }
}

interface Received {
  readonly topics: ReadonlySet<string>;
  cids: string[];
  receivedAt: number[];
  wrongTopic: number;
}

// Decoding every frame would load this process (and the shared CPU) more than the relay; one in
// SAMPLE_EVERY is decoded in full to check that its bytes hash to its CID and name its topic.
const SAMPLE_EVERY = 16;

/** Subscriber connections, each with its own login; records CID and arrival time of each frame. */
export class SubscriberRole {
  readonly #job: SubscriberJob;
  readonly #received: Received[] = [];
  #total = 0;
  #checked = 0;
  #corrupt = 0;

  constructor(job: SubscriberJob) {
    this.#job = job;
  }

  /** Logs in, connects and subscribes every connection; resolves once all are `subscribed`. */
  async setup(): Promise<void> {
    const job = this.#job;
    for (const topics of job.subscriptions) {
      this.#received.push({ topics: new Set(topics), cids: [], receivedAt: [], wrongTopic: 0 });
    }
    await forEachLimited(this.#received, 8, async (received) => {
      const token = await login(job.relayUrl);
      let pending = received.topics.size;
      let onSubscribed: () => void = () => undefined;
      const allSubscribed = new Promise<void>((resolve) => (onSubscribed = resolve));
      const socket = await openSocket(job.wsUrl, token, (frame, atMs) => {
        if (frame.type === 'envelope') this.#onEnvelope(received, frame, atMs);
        else if (frame.type === 'subscribed' && --pending === 0) onSubscribed();
        else if (frame.type === 'error') throw new Error(`subscribe refused: ${frame.code ?? ''}`);
      });
      for (const topic of received.topics)
        socket.send(JSON.stringify({ type: 'subscribe', topic }));
      await allSubscribed;
    });
  }

  /** Frames received since the last collect. */
  count(): number {
    return this.#total;
  }

  /** Hands over what arrived since the last collect and starts afresh. */
  collect(): SubscriberResult {
    const result: SubscriberResult = {
      connections: this.#received.map((r) => ({
        cids: r.cids,
        receivedAt: Float64Array.from(r.receivedAt),
        wrongTopic: r.wrongTopic,
      })),
      checked: this.#checked,
      corrupt: this.#corrupt,
    };
    for (const r of this.#received) {
      r.cids = [];
      r.receivedAt = [];
      r.wrongTopic = 0;
    }
    this.#total = 0;
    this.#checked = 0;
    this.#corrupt = 0;
    return result;
  }

  #onEnvelope(received: Received, frame: Frame, atMs: number): void {
    this.#total++;
    received.cids.push(frame.cid ?? '');
    received.receivedAt.push(atMs);
    if (frame.topic === undefined || !received.topics.has(frame.topic)) received.wrongTopic++;
    if (this.#total % SAMPLE_EVERY === 0) {
      this.#checked++;
      try {
        const decoded = decodeEnvelope(fromBase64Url(frame.envelope ?? ''));
        const isIntact =
          decoded.cid.toString() === frame.cid &&
          received.topics.has(toBase64Url(decoded.envelope.topic));
        if (!isIntact) this.#corrupt++;
      } catch {
        this.#corrupt++;
      }
    }
  }
}
