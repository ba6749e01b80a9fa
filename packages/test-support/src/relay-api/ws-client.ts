/** A WebSocket client of a relay under test: queues every frame, hands them out by predicate. */
import { checkWire, relayFrameSchemas, toBase64Url, type RelayFrameOf } from '@parley/core';
import WebSocket from 'ws';

/** A frame the relay sent (one JSON object with a `type`). */
export interface Frame {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** An envelope pushed on a subscription (core's `envelope` relay frame). */
export type EnvelopeFrame = Frame & RelayFrameOf<'envelope'>;

/** How the relay closed a socket. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

interface Waiter {
  readonly predicate: (frame: Frame) => boolean;
  readonly resolve: (frame: Frame) => void;
}

/** A WebSocket client that queues every frame and hands them out by predicate. */
export class WsClient {
  private readonly queue: Frame[] = [];
  private readonly waiters = new Set<Waiter>();
  private closeInfo: CloseInfo | undefined;
  /** Resolves when the socket is closed, with the close code and reason. */
  readonly closed: Promise<CloseInfo>;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.from(data).toString('utf8');
      let frame: Frame;
      try {
        frame = JSON.parse(text) as Frame;
      } catch {
        frame = { type: '(not JSON)', text, isBinary };
      }
      for (const waiter of this.waiters) {
        if (waiter.predicate(frame)) {
          this.waiters.delete(waiter);
          waiter.resolve(frame);
          return;
        }
      }
      this.queue.push(frame);
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        resolve(this.closeInfo);
      });
    });
    // Errors after the handshake end in 'close'; without a listener they would throw.
    socket.on('error', () => undefined);
  }

  /**
   * Opens a socket to `wsUrl` (from `localAddress`, e.g. 127.0.0.2, to look like another
   * client address). Resolves with the client, or with the HTTP status and body of a refused
   * upgrade.
   */
  static connect(
    wsUrl: string,
    options: { readonly localAddress?: string } = {},
  ): Promise<
    { kind: 'open'; client: WsClient } | { kind: 'refused'; status: number; text: string }
  > {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(
        wsUrl,
        options.localAddress === undefined ? {} : { localAddress: options.localAddress },
      );
      socket.once('open', () => {
        resolve({ kind: 'open', client: new WsClient(socket) });
      });
      socket.once('unexpected-response', (request, response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          request.destroy();
          resolve({ kind: 'refused', status: response.statusCode ?? 0, text });
        });
      });
      socket.once('error', reject);
    });
  }

  /** Opens a socket that must be accepted. */
  static async open(
    wsUrl: string,
    options: { readonly localAddress?: string } = {},
  ): Promise<WsClient> {
    const result = await WsClient.connect(wsUrl, options);
    if (result.kind === 'refused') {
      throw new Error(`WebSocket upgrade refused: ${result.status} ${result.text}`);
    }
    return result.client;
  }

  /** Opens a socket and authenticates it; resolves after the relay's `ready`. */
  static async authenticated(
    wsUrl: string,
    token: string,
    options: { readonly localAddress?: string } = {},
  ): Promise<WsClient> {
    const client = await WsClient.open(wsUrl, options);
    client.send({ type: 'auth', token });
    await client.next((frame) => frame.type === 'ready');
    return client;
  }

  /** Stops reading from the TCP socket, as a consumer that never reads; `resumeReading` undoes it. */
  pauseReading(): void {
    (this.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  /** Reads from the TCP socket again. */
  resumeReading(): void {
    (this.socket as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  /** Sends a text frame (an object as JSON, a string as is) or, for bytes, a binary frame. */
  send(frame: object | string | Uint8Array): void {
    if (frame instanceof Uint8Array) this.socket.send(frame, { binary: true });
    else this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * The first frame (queued or future) matching `predicate`, removed from the queue. Rejects
   * after `timeoutMs`, listing the frames queued meanwhile.
   */
  next(predicate: (frame: Frame) => boolean = () => true, timeoutMs = 5_000): Promise<Frame> {
    const index = this.queue.findIndex(predicate);
    if (index >= 0) {
      const [frame] = this.queue.splice(index, 1);
      if (frame !== undefined) return Promise.resolve(frame);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.queue.map((frame) => JSON.stringify(frame).slice(0, 200)).join('\n');
        const state = this.closeInfo === undefined ? 'open' : `closed ${this.closeInfo.code}`;
        reject(
          new Error(`no matching frame within ${timeoutMs} ms (socket ${state}); queued:\n${seen}`),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Every queued frame matching `predicate`, removed from the queue, without waiting. */
  take(predicate: (frame: Frame) => boolean = () => true): Frame[] {
    const taken: Frame[] = [];
    for (let index = 0; index < this.queue.length;) {
      const frame = this.queue[index];
      if (frame !== undefined && predicate(frame)) {
        taken.push(frame);
        this.queue.splice(index, 1);
      } else {
        index += 1;
      }
    }
    return taken;
  }

  /** Collects `count` envelope frames of `topic`, in arrival order. */
  async envelopes(topic: string, count: number, timeoutMs = 5_000): Promise<EnvelopeFrame[]> {
    const frames: EnvelopeFrame[] = [];
    const deadline = Date.now() + timeoutMs;
    while (frames.length < count) {
      const frame = await this.next(
        (candidate) => candidate.type === 'envelope' && candidate.topic === topic,
        Math.max(1, deadline - Date.now()),
      );
      const checked = checkWire(relayFrameSchemas.envelope, frame, 'frame');
      if (!checked.ok)
        throw new Error(`${checked.detail ?? checked.reason}: ${JSON.stringify(frame)}`);
      frames.push(frame as EnvelopeFrame);
    }
    return frames;
  }

  /** Whether the socket is open. */
  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(1000);
    const timer = setTimeout(() => {
      this.socket.terminate();
    }, 2_000);
    await this.closed;
    clearTimeout(timer);
  }
}

/** Predicate: a frame of `type` (and, if given, whose `ref` or `topic` matches). */
export function frameOf(
  type: string,
  match: { ref?: string; topic?: string } = {},
): (frame: Frame) => boolean {
  return (frame) =>
    frame.type === type &&
    (match.ref === undefined || frame.ref === match.ref) &&
    (match.topic === undefined || frame.topic === match.topic);
}

/** The base64url text of a topic, as the relay writes it in frames and receipts. */
export function topicText(topic: Uint8Array): string {
  return toBase64Url(topic);
}

/** The base64url text of envelope bytes. */
export function bytesText(bytes: Uint8Array): string {
  return toBase64Url(bytes);
}
