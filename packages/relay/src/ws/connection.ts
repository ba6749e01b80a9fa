/**
 * One client connection's state machine (docs/spec/relay-api.md §WebSocket): unauthenticated
 * until an `auth` frame (closed 4401 after `authTimeoutMs`), then authenticated until its session
 * expires (closed 4401); frames are answered in order, errors as `error` frames.
 */
import type { RelayFrame } from '@parley/core';
import type { WebSocket } from '@fastify/websocket';
import type { AuthService } from '../auth/auth-service.js';
import type { Session } from '../auth/sessions.js';
import { RelayError, isRelayError } from '../errors.js';
import { toRelayError } from '../http/error-mapping.js';
import { decodeBase64Url } from '../http/wire.js';
import type { OpsService } from '../ops/ops-service.js';
import { sleep, type TimerHandle, type Timers } from '../time/timers.js';
import type { TopicService } from '../topics/topic-service.js';
import { writeProofFrom } from '../topics/write-proof.js';
import {
  countField,
  errorFrame,
  readClientFrame,
  stringField,
  type FrameFields,
} from './frames.js';
import type { BufferedPeer, SendBudget } from './send-budget.js';
import { Subscriptions } from './subscriptions.js';

/** How long catch-up waits for a client to read what it was sent before cutting it off. */
const DRAIN_TIMEOUT_MS = 30_000;
const DRAIN_POLL_MS = 20;
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_TOO_SLOW = 4408;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The services a connection uses. */
export interface ConnectionServices {
  readonly auth: AuthService;
  readonly topics: TopicService;
  readonly ops: OpsService;
  readonly timers: Timers;
}

/** One client connection. */
export class Connection implements BufferedPeer {
  readonly #services: ConnectionServices;
  readonly #socket: WebSocket;
  readonly #subscriptions: Subscriptions;
  /** The peer's address: admission and the per-peer log budget. */
  readonly #address: string;
  readonly #buffers: SendBudget;
  #session: Session | undefined;
  #authTimer: TimerHandle | undefined;
  #expiryTimer: TimerHandle | undefined;

  constructor(
    services: ConnectionServices,
    socket: WebSocket,
    address: string,
    buffers: SendBudget,
  ) {
    this.#services = services;
    this.#socket = socket;
    this.#address = address;
    this.#buffers = buffers;
    this.#subscriptions = new Subscriptions({
      topics: services.topics,
      metrics: services.ops.metrics,
      send: (frame) => {
        this.#send(frame);
      },
      drained: () => this.#drained(),
    });
    this.#authTimer = services.timers.setTimeout(() => {
      socket.close(CLOSE_UNAUTHENTICATED, 'authentication timed out');
    }, services.ops.config.limits.authTimeoutMs);
    socket.on('message', (data, isBinary) => {
      void this.#receive(data, isBinary);
    });
  }

  /** Whether the connection has a session. */
  get isAuthenticated(): boolean {
    return this.#session !== undefined;
  }

  /** Bytes queued on the socket and not yet sent. */
  get bufferedBytes(): number {
    return this.#socket.bufferedAmount;
  }

  /** Cuts a consumer off that does not read what it is sent (close code 4408). */
  cutOff(): void {
    this.#socket.close(CLOSE_TOO_SLOW, 'client too slow');
  }

  /** Sends a frame if the connection has a session. */
  sendIfAuthenticated(frame: string): void {
    if (this.#session !== undefined) this.#send(frame);
  }

  /** Clears the timers and subscriptions (the socket closed). */
  dispose(): void {
    this.#services.timers.clearTimeout(this.#authTimer);
    this.#services.timers.clearTimeout(this.#expiryTimer);
    this.#subscriptions.dispose();
  }

  /** Closes the socket when the session expires (timers cap at 2^31 - 1 ms, so re-arm). */
  #closeAtExpiry(expiresAt: number): void {
    const delayMs = expiresAt - this.#services.auth.clock();
    if (delayMs <= 0) {
      this.#socket.close(CLOSE_UNAUTHENTICATED, 'session expired');
      return;
    }
    this.#expiryTimer = this.#services.timers.setTimeout(
      () => {
        this.#closeAtExpiry(expiresAt);
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
  }

  #send(message: RelayFrame | string): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    const frame = typeof message === 'string' ? message : JSON.stringify(message);
    if (
      this.#socket.bufferedAmount + frame.length >
      this.#services.ops.config.limits.maxBufferedBytesPerSocket
    ) {
      this.cutOff();
      return;
    }
    if (!this.#buffers.mayQueue(this, frame.length)) return;
    this.#socket.send(frame);
  }

  /**
   * Waits until the socket has sent all but one page of what it holds; false (and the
   * connection is cut off) if the client does not read within DRAIN_TIMEOUT_MS.
   */
  async #drained(): Promise<boolean> {
    const { auth, ops, timers } = this.#services;
    const deadline = auth.clock() + DRAIN_TIMEOUT_MS;
    while (this.#socket.bufferedAmount > ops.config.limits.maxPageBytes) {
      if (this.#socket.readyState !== this.#socket.OPEN) return false;
      if (auth.clock() > deadline) {
        this.cutOff();
        return false;
      }
      await sleep(timers, DRAIN_POLL_MS);
    }
    return this.#socket.readyState === this.#socket.OPEN;
  }

  async #receive(data: unknown, isBinary: boolean): Promise<void> {
    let ref: string | undefined;
    try {
      const frame = readClientFrame(data, isBinary);
      ref = frame.ref;
      await this.#handle(frame.fields, ref);
    } catch (error) {
      if (
        isRelayError(error, 'RELAY_UNAUTHENTICATED') ||
        isRelayError(error, 'RELAY_AUTH_FAILED')
      ) {
        this.#send({ type: 'error', code: error.code, message: error.message });
        this.#socket.close(CLOSE_UNAUTHENTICATED, error.code);
        return;
      }
      const relayError = toRelayError(error);
      this.#services.ops.peerLog.report(this.#address, error, relayError, { route: '/v1/ws' });
      this.#services.ops.metrics.errors.inc({ code: relayError.code });
      this.#send(errorFrame(relayError, ref));
    }
  }

  async #handle(fields: FrameFields, ref: string | undefined): Promise<void> {
    const { auth, topics, ops } = this.#services;
    if (fields.type === 'auth') {
      if (this.#session !== undefined)
        throw new RelayError('RELAY_INVALID_REQUEST', '(already authenticated)');
      const token = typeof fields.token === 'string' ? fields.token : undefined;
      const session = await auth.sessions.authenticate(token, auth.clock());
      this.#session = session;
      ops.admission.authenticated(this.#address);
      this.#services.timers.clearTimeout(this.#authTimer);
      this.#closeAtExpiry(session.expiresAt);
      this.#send({ type: 'ready', accountId: session.account, expiresAt: session.expiresAt });
      return;
    }
    const session = this.#session;
    if (session === undefined) throw new RelayError('RELAY_UNAUTHENTICATED', '(send auth first)');
    switch (fields.type) {
      case 'subscribe':
        await this.#subscriptions.subscribe(session, stringField(fields, 'topic'), fields.after);
        return;
      case 'unsubscribe':
        this.#subscriptions.unsubscribe(stringField(fields, 'topic'));
        return;
      case 'publish': {
        const bytes = decodeBase64Url(stringField(fields, 'envelope'), 'envelope');
        const receipt = await topics.accept(session, bytes, writeProofFrom(fields));
        this.#send({
          type: 'receipt',
          ...(ref === undefined ? {} : { ref }),
          ...(await topics.signReceipt(receipt)),
          duplicate: receipt.duplicate,
        });
        return;
      }
      case 'ack': {
        const topic = decodeBase64Url(stringField(fields, 'topic'), 'topic', 32);
        const seq = countField(fields, 'seq');
        if (seq === undefined) {
          throw new RelayError('RELAY_INVALID_REQUEST', '(seq must be a non-negative integer)');
        }
        await topics.acknowledge(session, topic, seq, fields);
        return;
      }
      default:
        throw new RelayError('RELAY_INVALID_REQUEST', '(unknown frame type)');
    }
  }
}
