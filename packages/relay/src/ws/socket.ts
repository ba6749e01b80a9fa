/**
 * The WebSocket endpoint (docs/spec/relay-api.md §WebSocket): authenticate, subscribe with
 * catch-up joined to live pushes without a gap, publish with receipts, acknowledge.
 */
import { toBase64Url } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import type { Session } from '../auth/sessions.js';
import type { AcceptedEnvelope } from '../bus/bus.js';
import { acceptEnvelope, assertMayRead, type RelayContext } from '../context.js';
import { RelayError, isRelayError } from '../errors.js';
import { toRelayError } from '../http/error-mapping.js';
import { decodeBase64Url } from '../http/wire.js';

const AUTH_TIMEOUT_MS = 10_000;
const CATCH_UP_PAGE = 500;
/** A client that lets this much pile up unread is cut off rather than grow the relay's memory. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
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

  app.get(
    '/v1/ws',
    {
      websocket: true,
      schema: {
        summary: 'WebSocket: subscribe, publish, acknowledge (see relay-api.md)',
        tags: ['envelopes'],
      },
      preValidation: (_request, reply, done) => {
        if (ctx.state.draining) {
          void reply
            .code(503)
            .send({ error: { code: 'RELAY_NOT_READY', message: 'The relay is shutting down.' } });
          return;
        }
        if (ctx.state.connections >= ctx.config.limits.maxConnections) {
          ctx.metrics.errors.inc({ code: 'RELAY_TOO_MANY_CONNECTIONS' });
          void reply.code(503).send({
            error: {
              code: 'RELAY_TOO_MANY_CONNECTIONS',
              message: 'The relay has as many connections as it allows.',
            },
          });
          return;
        }
        done();
      },
    },
    (socket, request) => {
      open.add(socket);
      ctx.state.connections += 1;
      ctx.metrics.connections.inc();
      const connection = new Connection(ctx, socket, request.ip);
      connections.add(connection);
      socket.on('close', () => {
        open.delete(socket);
        connections.delete(connection);
        ctx.state.connections -= 1;
        ctx.metrics.connections.dec();
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
  /** The peer's address, for the per-peer log budget. */
  readonly #peer: string;
  readonly #subscriptions = new Map<string, Subscription>();
  #session: Session | undefined;
  #authTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;

  constructor(ctx: RelayContext, socket: WebSocket, peer: string) {
    this.#peer = peer;
    this.#ctx = ctx;
    this.#socket = socket;
    this.#authTimer = setTimeout(() => {
      socket.close(CLOSE_UNAUTHENTICATED, 'authentication timed out');
    }, AUTH_TIMEOUT_MS);
    socket.on('message', (data, isBinary) => {
      void this.#receive(data, isBinary);
    });
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
    if (this.#socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#socket.close(CLOSE_TOO_SLOW, 'client too slow');
      return;
    }
    this.#socket.send(typeof message === 'string' ? message : JSON.stringify(message));
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
      this.#ctx.peerLog.report(this.#peer, error, relayError, { route: '/v1/ws' });
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
        const receipt = await acceptEnvelope(ctx, session, bytes);
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
        assertMayRead(session, topic);
        await ctx.store.acknowledge(session.account, topic, seq);
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
    const acknowledged = await ctx.store.acknowledgedSeq(session.account, topic);
    await ctx.store.addSubscriber(session.account, topic);
    const requested = typeof afterField === 'number' ? afterField : (acknowledged ?? 0);
    // An `after` beyond the topic's end (a client ahead of this relay) resumes at the end, so
    // live pushes are not mistaken for ones already sent.
    subscription.lastSent = Math.min(requested, await ctx.store.lastSeq(topic));
    for (;;) {
      const page = await ctx.store.listEnvelopes(topic, subscription.lastSent, CATCH_UP_PAGE);
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
      if (page.length < CATCH_UP_PAGE || this.#subscriptions.get(key) !== subscription) break;
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

function stringField(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string')
    throw new RelayError('RELAY_INVALID_REQUEST', `(${name} must be a string)`);
  return value;
}
