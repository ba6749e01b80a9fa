/**
 * The WebSocket endpoint (docs/spec/relay-api.md §WebSocket): authenticate, subscribe with
 * catch-up joined to live pushes without a gap, publish with receipts, acknowledge.
 */
import { isInboxTopic, toBase64Url } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import type { Session } from '../auth/sessions.js';
import type { AcceptedEnvelope } from '../bus/bus.js';
import { acceptEnvelope, assertMayRead, type RelayContext } from '../context.js';
import { RelayError, isRelayError } from '../errors.js';
import { refusalBody, toRelayError } from '../http/error-mapping.js';
import { decodeBase64Url } from '../http/wire.js';
import { OWNER_READER } from '../store/sqlite-write-keys.js';
import { acknowledgeTopic, writeProofFrom } from '../topics/write-proof.js';

const CATCH_UP_PAGE = 500;
/** How long catch-up waits for a client to read what it was sent before cutting it off. */
const DRAIN_TIMEOUT_MS = 30_000;
const DRAIN_POLL_MS = 20;
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_TOO_SLOW = 4408;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Subscription {
  readonly topic: Uint8Array;
  lastSent: number;
  catchingUp: boolean;
  readonly buffered: AcceptedEnvelope[];
  unsubscribe: () => void;
}

// One JSON frame per accepted envelope, shared by every subscriber that receives it.
const frames = new WeakMap<AcceptedEnvelope, string>();
function envelopeFrame(event: AcceptedEnvelope): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = JSON.stringify({
      type: 'envelope',
      topic: event.topicKey,
      seq: event.seq,
      cid: event.cid,
      receivedAt: event.receivedAt,
      leafIndex: event.leafIndex,
      envelope: toBase64Url(event.bytes),
    });
    frames.set(event, frame);
  }
  return frame;
}

/** What the relay does with all its sockets. */
export interface Sockets {
  /** Closes every socket (1001) on shutdown. */
  closeAll(): void;
  /** Sends `{ type: 'checkpoint', note }` to every authenticated socket. */
  broadcastCheckpoint(note: string): void;
}

/** Registers GET /v1/ws; returns the handle on every open socket. */
export function registerSocketRoute(app: FastifyInstance, ctx: RelayContext): Sockets {
  const open = new Set<WebSocket>();
  const connections = new Set<Connection>();
  const buffers = new SendBudget(
    ctx.config.limits.maxBufferedBytesTotal,
    () => connections,
    ctx.clock,
  );

  app.get(
    '/v1/ws',
    {
      websocket: true,
      schema: {
        summary: 'WebSocket: subscribe, publish, acknowledge (see relay-api.md)',
        tags: ['envelopes'],
      },
      preValidation: (request, reply, done) => {
        if (ctx.state.draining) {
          void reply.code(503).send(refusalBody('RELAY_NOT_READY', 'The relay is shutting down.'));
          return;
        }
        const refusal = ctx.admission.admit(request.ip);
        if (refusal !== undefined) {
          ctx.metrics.errors.inc({ code: refusal });
          void reply
            .code(503)
            .send(
              refusalBody(
                refusal,
                refusal === 'RELAY_TOO_MANY_CONNECTIONS'
                  ? 'The relay has as many connections as it allows.'
                  : 'This address (or the relay) has as many unauthenticated connections as allowed.',
              ),
            );
          return;
        }
        done();
      },
    },
    (socket, request) => {
      open.add(socket);
      ctx.state.connections += 1;
      ctx.metrics.connections.inc();
      const connection = new Connection(ctx, socket, request.ip, buffers);
      connections.add(connection);
      socket.on('close', () => {
        open.delete(socket);
        connections.delete(connection);
        ctx.state.connections -= 1;
        ctx.metrics.connections.dec();
        ctx.admission.release(request.ip, connection.isAuthenticated);
        connection.dispose();
      });
    },
  );

  return {
    closeAll() {
      for (const socket of open) socket.close(1001, 'relay shutting down');
    },
    broadcastCheckpoint(note) {
      const frame = JSON.stringify({ type: 'checkpoint', note });
      for (const connection of connections) connection.sendIfAuthenticated(frame);
    },
  };
}

/** One client connection. */
class Connection {
  readonly #ctx: RelayContext;
  readonly #socket: WebSocket;
  readonly #subscriptions = new Map<string, Subscription>();
  /** The peer's address: admission and the per-peer log budget. */
  readonly #address: string;
  readonly #buffers: SendBudget;
  #session: Session | undefined;
  #authTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;

  constructor(ctx: RelayContext, socket: WebSocket, address: string, buffers: SendBudget) {
    this.#ctx = ctx;
    this.#socket = socket;
    this.#address = address;
    this.#buffers = buffers;
    this.#authTimer = setTimeout(() => {
      socket.close(CLOSE_UNAUTHENTICATED, 'authentication timed out');
    }, ctx.config.limits.authTimeoutMs);
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

  dispose(): void {
    clearTimeout(this.#authTimer);
    clearTimeout(this.#expiryTimer);
    for (const subscription of this.#subscriptions.values()) subscription.unsubscribe();
    this.#ctx.metrics.subscriptions.dec(this.#subscriptions.size);
    this.#subscriptions.clear();
  }

  /** Closes the socket when the session expires (timers cap at 2^31 - 1 ms, so re-arm). */
  #closeAtExpiry(expiresAt: number): void {
    const delayMs = expiresAt - this.#ctx.clock();
    if (delayMs <= 0) {
      this.#socket.close(CLOSE_UNAUTHENTICATED, 'session expired');
      return;
    }
    this.#expiryTimer = setTimeout(
      () => {
        this.#closeAtExpiry(expiresAt);
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
  }

  #send(message: string | object): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    const frame = typeof message === 'string' ? message : JSON.stringify(message);
    if (
      this.#socket.bufferedAmount + frame.length >
      this.#ctx.config.limits.maxBufferedBytesPerSocket
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
    const deadline = this.#ctx.clock() + DRAIN_TIMEOUT_MS;
    while (this.#socket.bufferedAmount > this.#ctx.config.limits.maxPageBytes) {
      if (this.#socket.readyState !== this.#socket.OPEN) return false;
      if (this.#ctx.clock() > deadline) {
        this.cutOff();
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    return this.#socket.readyState === this.#socket.OPEN;
  }

  async #receive(data: unknown, isBinary: boolean): Promise<void> {
    let ref: string | undefined;
    try {
      if (isBinary) throw new RelayError('RELAY_UNSUPPORTED_MEDIA_TYPE', '(send JSON text frames)');
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        throw new RelayError('RELAY_MALFORMED_BODY', '(a frame must be one JSON object)');
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        throw new RelayError('RELAY_INVALID_REQUEST', '(a frame must be a JSON object)');
      }
      const fields = message as Record<string, unknown>;
      if (typeof fields.ref === 'string' && fields.ref.length <= 128) ref = fields.ref;
      await this.#handle(fields, ref);
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
      this.#ctx.peerLog.report(this.#address, error, relayError, { route: '/v1/ws' });
      this.#ctx.metrics.errors.inc({ code: relayError.code });
      this.#send({
        type: 'error',
        code: relayError.code,
        message: relayError.message,
        ...(ref === undefined ? {} : { ref }),
        ...(relayError.retryAfterSeconds === undefined
          ? {}
          : { retryAfter: relayError.retryAfterSeconds }),
      });
    }
  }

  async #handle(fields: Record<string, unknown>, ref: string | undefined): Promise<void> {
    const ctx = this.#ctx;
    if (fields.type === 'auth') {
      if (this.#session !== undefined)
        throw new RelayError('RELAY_INVALID_REQUEST', '(already authenticated)');
      const token = typeof fields.token === 'string' ? fields.token : undefined;
      const session = await ctx.sessions.authenticate(token, ctx.clock());
      this.#session = session;
      ctx.admission.authenticated(this.#address);
      clearTimeout(this.#authTimer);
      this.#closeAtExpiry(session.expiresAt);
      this.#send({ type: 'ready', accountId: session.account, expiresAt: session.expiresAt });
      return;
    }
    const session = this.#session;
    if (session === undefined) throw new RelayError('RELAY_UNAUTHENTICATED', '(send auth first)');
    switch (fields.type) {
      case 'subscribe':
        await this.#subscribe(session, stringField(fields, 'topic'), fields.after);
        return;
      case 'unsubscribe': {
        const key = stringField(fields, 'topic');
        const subscription = this.#subscriptions.get(key);
        if (subscription !== undefined) {
          subscription.unsubscribe();
          this.#subscriptions.delete(key);
          ctx.metrics.subscriptions.dec();
        }
        this.#send({ type: 'unsubscribed', topic: key });
        return;
      }
      case 'publish': {
        const bytes = decodeBase64Url(stringField(fields, 'envelope'), 'envelope');
        const receipt = await acceptEnvelope(ctx, session, bytes, writeProofFrom(fields));
        this.#send({
          type: 'receipt',
          ...(ref === undefined ? {} : { ref }),
          ...(await ctx.signReceipt(receipt)),
          duplicate: receipt.duplicate,
        });
        return;
      }
      case 'ack': {
        const topic = decodeBase64Url(stringField(fields, 'topic'), 'topic', 32);
        const seq = fields.seq;
        if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
          throw new RelayError('RELAY_INVALID_REQUEST', '(seq must be a non-negative integer)');
        }
        await acknowledgeTopic(ctx, session, topic, seq, fields);
        return;
      }
      default:
        throw new RelayError('RELAY_INVALID_REQUEST', '(unknown frame type)');
    }
  }

  async #subscribe(session: Session, key: string, afterField: unknown): Promise<void> {
    const ctx = this.#ctx;
    const topic = decodeBase64Url(key, 'topic', 32);
    if (this.#subscriptions.has(key))
      throw new RelayError('RELAY_INVALID_REQUEST', '(already subscribed)');
    if (this.#subscriptions.size >= ctx.config.limits.maxSubscriptionsPerConnection) {
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
      topic,
      lastSent: 0,
      catchingUp: true,
      buffered: [],
      unsubscribe: () => undefined,
    };
    // Listen first, read the backlog second: whatever commits in between is both buffered
    // and read, and the seq check below sends it once.
    subscription.unsubscribe = ctx.bus.subscribe(key, (event) => {
      if (subscription.catchingUp) {
        subscription.buffered.push(event);
      } else if (event.seq > subscription.lastSent) {
        subscription.lastSent = event.seq;
        ctx.metrics.envelopesOut.inc();
        this.#send(envelopeFrame(event));
      }
    });
    this.#subscriptions.set(key, subscription);
    ctx.metrics.subscriptions.inc();
    // Subscribing stores nothing: only an acknowledgement makes a cursor. An inbox resumes at
    // its owner's cursor; a chat at `after` (its reader's cursor is a pseudonym the relay
    // cannot tie to this session).
    const acknowledged = isInboxTopic(topic)
      ? await ctx.stores.topics.acknowledgedSeq(topic, OWNER_READER)
      : undefined;
    const requested = typeof afterField === 'number' ? afterField : (acknowledged ?? 0);
    // An `after` beyond the topic's end (a client ahead of this relay) resumes at the end, so
    // live pushes are not mistaken for ones already sent.
    subscription.lastSent = Math.min(requested, await ctx.stores.topics.lastSeq(topic));
    for (;;) {
      // Pages are bounded in bytes too, and the next is read only once the client has taken
      // most of this one: a backlog never sits whole in the relay's memory.
      const page = await ctx.stores.topics.listEnvelopes(
        topic,
        subscription.lastSent,
        CATCH_UP_PAGE,
        {
          maxBytes: ctx.config.limits.maxPageBytes,
        },
      );
      for (const stored of page) {
        this.#send({
          type: 'envelope',
          topic: key,
          seq: stored.seq,
          cid: stored.cid,
          receivedAt: stored.receivedAt,
          leafIndex: stored.leafIndex,
          envelope: toBase64Url(stored.bytes),
        });
        subscription.lastSent = stored.seq;
      }
      ctx.metrics.envelopesOut.inc(page.length);
      if (page.length === 0 || this.#subscriptions.get(key) !== subscription) break;
      if (!(await this.#drained())) return;
    }
    for (const event of subscription.buffered.splice(0)) {
      if (event.seq > subscription.lastSent) {
        subscription.lastSent = event.seq;
        this.#send(envelopeFrame(event));
      }
    }
    subscription.catchingUp = false;
    this.#send({ type: 'subscribed', topic: key, lastSeq: subscription.lastSent });
  }
}

/**
 * The relay-wide cap on bytes queued on sockets: when it would be passed, the connection holding
 * the most is cut off (it is the slowest reader), so fast readers are not punished.
 */
class SendBudget {
  readonly #maxBytes: number;
  readonly #connections: () => Iterable<Connection>;
  readonly #clock: () => number;
  #total = 0;
  #measuredAt = 0;

  constructor(maxBytes: number, connections: () => Iterable<Connection>, clock: () => number) {
    this.#maxBytes = maxBytes;
    this.#connections = connections;
    this.#clock = clock;
  }

  /** Whether `connection` may queue `bytes` more; may cut off the slowest connection instead. */
  mayQueue(connection: Connection, bytes: number): boolean {
    // Summing every socket on every frame would be O(connections): re-measure at most every
    // few milliseconds, and count what is queued in between.
    const now = this.#clock();
    if (now - this.#measuredAt > 5 || this.#total + bytes > this.#maxBytes) this.#measure(now);
    if (this.#total + bytes <= this.#maxBytes) {
      this.#total += bytes;
      return true;
    }
    let slowest: Connection | undefined;
    for (const candidate of this.#connections()) {
      if (slowest === undefined || candidate.bufferedBytes > slowest.bufferedBytes)
        slowest = candidate;
    }
    slowest?.cutOff();
    if (slowest === connection || slowest === undefined) return false;
    this.#measure(now);
    this.#total += bytes;
    return true;
  }

  #measure(now: number): void {
    let total = 0;
    for (const connection of this.#connections()) total += connection.bufferedBytes;
    this.#total = total;
    this.#measuredAt = now;
  }
}

function stringField(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string')
    throw new RelayError('RELAY_INVALID_REQUEST', `(${name} must be a string)`);
  return value;
}
