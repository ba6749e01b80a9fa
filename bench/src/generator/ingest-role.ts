/** Ingest load: each connection keeps a fixed number of publishes in flight until time or count. */
import { newSharedTopic, toBase64Url } from '@parley/core';
import type WebSocket from 'ws';
import { buildPublishFrames, type PreparedFrames } from './frames.js';
import type { IngestJob, IngestResult } from './protocol.js';
import { forEachLimited, login, openSocket, random, type Frame } from './session.js';

interface Connection {
  socket: WebSocket | undefined;
  prepared: PreparedFrames;
  sentAt: Float64Array;
  next: number;
  outstanding: number;
}

/** One ingest generator: `setup` logs in and connects, `run` measures. */
export class IngestRole {
  readonly #job: IngestJob;
  readonly #connections: Connection[] = [];
  #latencies: number[] = [];
  #acked = 0;
  #errors = 0;
  #lastAckAt = 0;
  #deadline = Number.POSITIVE_INFINITY;
  #finish: (() => void) | undefined;

  constructor(job: IngestJob) {
    this.#job = job;
  }

  /** Logs in one identity per connection, each on its own topic, and builds every envelope. */
  async setup(): Promise<void> {
    const job = this.#job;
    for (let i = 0; i < job.connections; i++) {
      const topic = toBase64Url(newSharedTopic(random));
      this.#connections.push({
        socket: undefined,
        prepared: await buildPublishFrames(
          job.envelopesPerConnection,
          job.payloadBytes,
          () => topic,
        ),
        sentAt: new Float64Array(job.envelopesPerConnection),
        next: 0,
        outstanding: 0,
      });
    }
    await forEachLimited(this.#connections, 8, async (connection) => {
      const token = await login(job.relayUrl);
      connection.socket = await openSocket(job.wsUrl, token, (frame, atMs) => {
        this.#onFrame(connection, frame, atMs);
      });
    });
  }

  /** Publishes until `durationMs` passed or every envelope is acknowledged. */
  run(): Promise<IngestResult> {
    const start = performance.timeOrigin + performance.now();
    this.#deadline = start + this.#job.durationMs;
    const done = new Promise<void>((resolve) => (this.#finish = resolve));
    for (const connection of this.#connections) {
      for (let i = 0; i < this.#job.inFlight; i++) this.#sendNext(connection);
    }
    return done.then(() => {
      const sent = this.#connections.reduce((n, c) => n + c.next, 0);
      for (const c of this.#connections) c.socket?.close();
      return {
        sent,
        acked: this.#acked,
        errors: this.#errors,
        firstSendAt: start,
        lastAckAt: this.#lastAckAt,
        ackLatencyMs: Float64Array.from(this.#latencies),
      };
    });
  }

  #sendNext(connection: Connection): void {
    const now = performance.timeOrigin + performance.now();
    if (connection.next >= connection.prepared.frames.length || now >= this.#deadline) return;
    const k = connection.next++;
    connection.outstanding++;
    connection.sentAt[k] = now;
    connection.socket?.send(connection.prepared.frames[k] ?? '');
  }

  #onFrame(connection: Connection, frame: Frame, atMs: number): void {
    if (frame.ref === undefined || (frame.type !== 'receipt' && frame.type !== 'error')) return;
    connection.outstanding--;
    if (frame.type === 'receipt') {
      this.#acked++;
      this.#lastAckAt = atMs;
      this.#latencies.push(atMs - (connection.sentAt[Number(frame.ref)] ?? atMs));
    } else {
      this.#errors++;
    }
    this.#sendNext(connection);
    if (this.#connections.every((c) => c.outstanding === 0)) this.#finish?.();
  }
}
