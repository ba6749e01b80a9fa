/**
 * The live connection: a WebSocket that authenticates, subscribes to the client's topics and
 * hands the client each envelope the relay pushes (frames decoded with core's wire module: the
 * push carries the whole envelope, so nothing is downloaded again); it reconnects with backoff
 * when dropped.
 */
import { decodeRelayFrame, envelopeOfFrame, toBase64Url } from '@parley/core';
import type { TopicEnvelope } from './relay-api.js';

/** What the SDK needs of a WebSocket (the browser's, or the `ws` package's in Node 20). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** A WebSocket constructor. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** How the connection schedules its reconnects: the global timers unless a test gives its own. */
export interface LiveTimers {
  setTimeout(run: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

const GLOBAL_TIMERS: LiveTimers = {
  setTimeout: (run, delayMs) => setTimeout(run, delayMs),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** Options of the live connection. */
export interface LiveOptions {
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  readonly token: () => Promise<string>;
  readonly topics: () => Promise<{ topic: Uint8Array; after: number }[]>;
  /**
   * The relay pushed an envelope of `topic`; `envelope` is undefined if the frame did not decode
   * (the client then pulls the topic).
   */
  readonly onEnvelope: (topic: Uint8Array, envelope: TopicEnvelope | undefined) => void;
  /** The relay signed a new checkpoint of its log. */
  readonly onCheckpoint?: () => void;
  readonly onReconnect: () => void;
  /** Default: the global setTimeout and clearTimeout. */
  readonly timers?: LiveTimers;
}

/** Keeps one WebSocket open while started. */
export class LiveConnection {
  readonly #options: LiveOptions;
  #socket: WebSocketLike | undefined;
  #stopped = true;
  #attempt = 0;
  #timer: unknown;
  readonly #topicsByKey = new Map<string, Uint8Array>();

  readonly #timers: LiveTimers;

  constructor(options: LiveOptions) {
    this.#options = options;
    this.#timers = options.timers ?? GLOBAL_TIMERS;
  }

  start(): void {
    this.#stopped = false;
    this.#open();
  }

  stop(): void {
    this.#stopped = true;
    this.#timers.clearTimeout(this.#timer);
    this.#socket?.close(1000, 'client closing');
    this.#socket = undefined;
  }

  /** Subscribes to one more topic on the open connection. */
  subscribe(topic: Uint8Array, after: number): void {
    const key = toBase64Url(topic);
    this.#topicsByKey.set(key, topic);
    if (this.#socket?.readyState === 1)
      this.#socket.send(JSON.stringify({ type: 'subscribe', topic: key, after }));
  }

  #open(): void {
    if (this.#stopped) return;
    const wsUrl = `${this.#options.url.replace(/^http/, 'ws').replace(/\/+$/, '')}/v1/ws`;
    const socket = new this.#options.WebSocket(wsUrl);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      void this.#options.token().then(
        (token) => {
          socket.send(JSON.stringify({ type: 'auth', token }));
        },
        () => {
          socket.close();
        },
      );
    });
    socket.addEventListener('message', (event) => {
      this.#onFrame(event.data);
    });
    socket.addEventListener('close', () => {
      if (this.#socket !== socket || this.#stopped) return;
      this.#attempt += 1;
      const delayMs = Math.min(10_000, 250 * 2 ** Math.min(this.#attempt, 6));
      this.#timer = this.#timers.setTimeout(() => {
        this.#open();
      }, delayMs);
    });
    socket.addEventListener('error', () => undefined);
  }

  #onFrame(data: unknown): void {
    const decoded = decodeRelayFrame(typeof data === 'string' ? data : String(data));
    if (!decoded.ok) {
      // A frame this version cannot check: if it names a followed topic, that topic is pulled.
      const topic = this.#topicsByKey.get(looseTopicOf(data) ?? '');
      if (topic !== undefined) this.#options.onEnvelope(topic, undefined);
      return;
    }
    const frame = decoded.value;
    if (frame.type === 'ready') {
      const reconnected = this.#attempt > 0;
      this.#attempt = 0;
      void this.#options.topics().then((topics) => {
        for (const { topic, after } of topics) this.subscribe(topic, after);
      });
      if (reconnected) this.#options.onReconnect();
    } else if (frame.type === 'checkpoint') {
      this.#options.onCheckpoint?.();
    } else if (frame.type === 'envelope') {
      const topic = this.#topicsByKey.get(frame.topic);
      if (topic === undefined) return;
      const envelope = envelopeOfFrame(frame);
      this.#options.onEnvelope(topic, envelope.ok ? envelope.value : undefined);
    }
  }
}

/** The `topic` of an envelope frame that did not pass the wire check, if it has one. */
function looseTopicOf(data: unknown): string | undefined {
  try {
    const frame = JSON.parse(String(data)) as { type?: unknown; topic?: unknown };
    return frame.type === 'envelope' && typeof frame.topic === 'string' ? frame.topic : undefined;
  } catch {
    return undefined;
  }
}
