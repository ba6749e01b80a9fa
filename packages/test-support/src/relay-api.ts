/**
 * A small typed client of the relay API (docs/spec/relay-api.md) over real HTTP and WebSocket,
 * for the end-to-end tests: login, envelopes, topics, and a WebSocket client with a frame queue.
 */
import {
  newSharedTopic,
  createCryptoSuite,
  createEnvelope,
  generateIdentity,
  loginMessage,
  signFor,
  toBase64Url,
  fromBase64Url,
  type AccountId,
  type EncodedEnvelope,
  type Identity,
  type SignatureContext,
  type Topic,
} from '@parley/core';
import WebSocket from 'ws';
import {
  proofFields,
  proofHeaders,
  unsafeStandInCursor,
  unsafeStandInProof,
} from './stand-in-writer.js';

export { proofFields, unsafeStandInProof };

/** The crypto suite and randomness the tests use (Node's WebCrypto). */
export const suite = createCryptoSuite(globalThis.crypto.subtle);

/** Cryptographically random bytes. */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < length; offset += 65_536) {
    globalThis.crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

/** A fresh identity. */
export function newIdentity(): Promise<Identity> {
  return generateIdentity(suite, randomBytes);
}

/** A fresh shared topic (0x00 then 31 random bytes: never in the inbox namespace). */
export function randomTopic(): Topic {
  return newSharedTopic(randomBytes);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** An HTTP answer with its body read as text and, when it is JSON, parsed. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  readonly json: unknown;
}

/** What `call` sends. */
export interface CallOptions {
  readonly token?: string;
  /** Serialized with JSON.stringify, sent as application/json. */
  readonly json?: unknown;
  /** Sent as is, with `contentType`. */
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends one request to the relay and reads the whole answer. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: Uint8Array<ArrayBuffer> | string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : new Uint8Array(options.body);
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Describes an answer for assertion messages. */
export function describeAnswer(answer: Answer): string {
  return `${answer.status} ${answer.text.slice(0, 500)}`;
}

/** Returns the JSON body of an answer that must have `status`; throws with the answer if not. */
// T is the caller's statement of the body's shape (the spec's), which the relay must follow.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function bodyOf<T>(answer: Answer, status: number | readonly number[]): T {
  const expected = typeof status === 'number' ? [status] : status;
  if (!expected.includes(answer.status)) {
    throw new Error(`expected HTTP ${expected.join(' or ')}, got ${describeAnswer(answer)}`);
  }
  return answer.json as T;
}

// ---------------------------------------------------------------------------------------------
// Login

/** `POST /v1/auth/challenge`. */
export interface Challenge {
  readonly relayId: string;
  readonly nonce: string;
  readonly expiresAt: number;
}

/** `POST /v1/auth/session`. */
export interface Session {
  readonly token: string;
  readonly accountId: AccountId;
  readonly expiresAt: number;
}

/** The body of `POST /v1/auth/session`. */
export interface SessionRequest {
  readonly accountId: string;
  readonly publicKey: string;
  readonly nonce: string;
  readonly signature: string;
  readonly inviteCode?: string;
}

/** Asks the relay for a login challenge. */
export async function requestChallenge(baseUrl: string): Promise<Challenge> {
  return bodyOf<Challenge>(await call(baseUrl, 'POST', '/v1/auth/challenge', { json: {} }), 200);
}

/** Ways to build a wrong login, for the failure tests. */
export interface LoginTamper {
  readonly context?: SignatureContext;
  /** The public key sent (and the seed that signs), instead of the identity's own. */
  readonly signer?: Identity;
  /** Flip one bit of the signature. */
  readonly corruptSignature?: boolean;
  readonly inviteCode?: string;
}

/** Signs `challenge` as docs/spec/relay-api.md §Login says, optionally tampered with. */
export async function signChallenge(
  identity: Identity,
  challenge: Challenge,
  tamper: LoginTamper = {},
): Promise<SessionRequest> {
  const signer = tamper.signer ?? identity;
  const message = loginMessage({
    relay: challenge.relayId,
    account: identity.accountId,
    nonce: fromBase64Url(challenge.nonce),
    expiresAt: challenge.expiresAt,
  });
  const signature = await signFor(
    suite,
    tamper.context ?? 'login',
    signer.secrets.signingSeed,
    message,
  );
  if (tamper.corruptSignature === true) signature[7] = (signature[7] ?? 0) ^ 0x01;
  return {
    accountId: identity.accountId,
    publicKey: toBase64Url(signer.signingPublicKey),
    nonce: challenge.nonce,
    signature: toBase64Url(signature),
    ...(tamper.inviteCode === undefined ? {} : { inviteCode: tamper.inviteCode }),
  };
}

/** `POST /v1/auth/session` with a prepared body. */
export function requestSession(baseUrl: string, body: SessionRequest): Promise<Answer> {
  return call(baseUrl, 'POST', '/v1/auth/session', { json: body });
}

/** Challenge, sign, session: the answer of the last step, whatever it is. */
export async function tryLogin(
  baseUrl: string,
  identity: Identity,
  tamper: LoginTamper = {},
): Promise<Answer> {
  const challenge = await requestChallenge(baseUrl);
  return requestSession(baseUrl, await signChallenge(identity, challenge, tamper));
}

/** Logs in and returns the session; throws with the relay's answer if it is not 200. */
export async function login(
  baseUrl: string,
  identity: Identity,
  options: { inviteCode?: string } = {},
): Promise<Session> {
  return bodyOf<Session>(await tryLogin(baseUrl, identity, options), 200);
}

/** A new identity and a session for it. */
export async function newSession(baseUrl: string): Promise<Session & { identity: Identity }> {
  const identity = await newIdentity();
  return { ...(await login(baseUrl, identity)), identity };
}

// ---------------------------------------------------------------------------------------------
// Envelopes and topics

/** A receipt for an accepted envelope, signed by the relay (docs/spec/relay-api.md §Log). */
export interface Receipt {
  readonly cid: string;
  readonly topic: string;
  readonly seq: number;
  readonly receivedAt: number;
  readonly leafIndex: number;
  readonly mergeBy: number;
  readonly signature: string;
}

/** An envelope as `GET /v1/topics/{topic}/envelopes` lists it. */
export interface StoredEnvelope {
  readonly seq: number;
  readonly cid: string;
  readonly receivedAt: number;
  readonly leafIndex: number;
  readonly envelope: string;
}

/** One page of a topic. */
export interface EnvelopePage {
  readonly envelopes: readonly StoredEnvelope[];
  readonly lastSeq: number;
}

/** A new envelope on `topic` with `payloadBytes` random payload bytes. */
export function makeEnvelope(topic: Uint8Array, payloadBytes = 32): EncodedEnvelope {
  return createEnvelope(
    { topic, payload: randomBytes(payloadBytes), createdAt: Date.now() },
    { maxBytes: Number.MAX_SAFE_INTEGER },
  );
}

/** How an envelope is posted: its canonical bytes as application/cbor, or JSON with base64url. */
export type PostForm = 'cbor' | 'json';

/**
 * `POST /v1/envelopes`, with the topic's stand-in member's write proof on a chat topic
 * (stand-in-writer.ts) unless `unsigned`.
 */
export async function postEnvelope(
  baseUrl: string,
  token: string,
  bytes: Uint8Array,
  form: PostForm = 'cbor',
  unsigned = false,
): Promise<Answer> {
  const headers = unsigned ? {} : proofHeaders(await unsafeStandInProof(bytes));
  return form === 'cbor'
    ? call(baseUrl, 'POST', '/v1/envelopes', {
        token,
        body: bytes,
        contentType: 'application/cbor',
        headers,
      })
    : call(baseUrl, 'POST', '/v1/envelopes', {
        token,
        json: { envelope: toBase64Url(bytes) },
        headers,
      });
}

/** A WebSocket publish frame for `bytes`, with the stand-in's write proof on a chat topic. */
export async function publishFrame(ref: string, bytes: Uint8Array): Promise<object> {
  return {
    type: 'publish',
    ref,
    envelope: toBase64Url(bytes),
    ...proofFields(await unsafeStandInProof(bytes)),
  };
}

/** Posts an envelope that must be accepted (201 or 200) and returns its receipt. */
export async function publish(
  baseUrl: string,
  token: string,
  bytes: Uint8Array,
  form: PostForm = 'cbor',
): Promise<Receipt> {
  return bodyOf<Receipt>(await postEnvelope(baseUrl, token, bytes, form), [200, 201]);
}

/** The path segment of a topic. */
export function topicPath(topic: Uint8Array | string): string {
  return typeof topic === 'string' ? topic : toBase64Url(topic);
}

/** `GET /v1/topics/{topic}/envelopes?after=&limit=`. */
export function fetchEnvelopes(
  baseUrl: string,
  token: string,
  topic: Uint8Array | string,
  query: { after?: number | string; limit?: number | string } = {},
): Promise<Answer> {
  const params = new URLSearchParams();
  if (query.after !== undefined) params.set('after', String(query.after));
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  const search = params.size > 0 ? `?${params.toString()}` : '';
  return call(baseUrl, 'GET', `/v1/topics/${topicPath(topic)}/envelopes${search}`, { token });
}

/** Reads a whole topic page by page; returns every envelope and the pages' sizes. */
export async function fetchAll(
  baseUrl: string,
  token: string,
  topic: Uint8Array | string,
  limit = 100,
  after = 0,
): Promise<{ envelopes: StoredEnvelope[]; pageSizes: number[]; lastSeq: number }> {
  const envelopes: StoredEnvelope[] = [];
  const pageSizes: number[] = [];
  let cursor = after;
  let lastSeq = 0;
  for (;;) {
    const page = bodyOf<EnvelopePage>(
      await fetchEnvelopes(baseUrl, token, topic, { after: cursor, limit }),
      200,
    );
    lastSeq = page.lastSeq;
    if (page.envelopes.length === 0) break;
    pageSizes.push(page.envelopes.length);
    envelopes.push(...page.envelopes);
    const last = page.envelopes.at(-1);
    if (last === undefined || last.seq <= cursor) throw new Error('paging did not advance');
    cursor = last.seq;
    if (pageSizes.length > 10_000) throw new Error('paging does not end');
  }
  return { envelopes, pageSizes, lastSeq };
}

/**
 * `POST /v1/topics/{topic}/ack`; on a chat topic as the stand-in's reader named by the token,
 * with its cursor proof.
 */
export async function ack(
  baseUrl: string,
  token: string,
  topic: Uint8Array | string,
  seq: number,
): Promise<Answer> {
  const bytes = typeof topic === 'string' ? fromBase64Url(topic) : topic;
  const cursor = bytes.length === 32 ? await unsafeStandInCursor(bytes, seq, token) : {};
  return call(baseUrl, 'POST', `/v1/topics/${topicPath(topic)}/ack`, {
    token,
    json: { seq, ...cursor },
  });
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The error body every 4xx/5xx carries. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/**
 * Signs of a leaked stack trace or source location in a body: a stack frame, an absolute path to
 * a source file, node_modules, a file:line location or a file URL.
 */
const LEAK =
  /\n\s*at |\bat [\w.<>]+ \(|(?:^|[\s"'(])\/[\w.-]+(?:\/[\w.-]+)*\.[cm]?[jt]s\b|node_modules|\.[jt]s:\d+|file:\/\//;

/**
 * Why `body` (parsed) and `text` (raw) are not a well-formed error answer: exactly
 * `{ error: { code, message } }`, a RELAY_ code, a message, no stack trace or file path. Returns
 * undefined when they are.
 */
export function errorShapeProblem(body: unknown, text: string): string | undefined {
  if (typeof body !== 'object' || body === null) return `not a JSON object: ${text.slice(0, 200)}`;
  if (Object.keys(body).join() !== 'error') return `top-level keys are not [error]: ${text}`;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return `error is not an object: ${text}`;
  const keys = Object.keys(error).sort().join();
  if (keys !== 'code,message') return `error keys are [${keys}], not [code,message]: ${text}`;
  const { code, message } = error as { code: unknown; message: unknown };
  if (typeof code !== 'string' || !/^RELAY_[A-Z_]+$/.test(code)) return `bad code: ${text}`;
  if (typeof message !== 'string' || message.length === 0) return `bad message: ${text}`;
  if (LEAK.test(text)) return `leaks a stack trace or path: ${text}`;
  return undefined;
}

/** The error code of an answer, after checking the body is a well-formed error. */
export function errorCode(answer: Answer): string {
  const problem = errorShapeProblem(answer.json, answer.text);
  if (problem !== undefined) throw new Error(`HTTP ${answer.status}: ${problem}`);
  return (answer.json as ErrorBody).error.code;
}

// ---------------------------------------------------------------------------------------------
// WebSocket

/** A frame the relay sent (one JSON object with a `type`). */
export interface Frame {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** An envelope pushed on a subscription. */
export interface EnvelopeFrame extends Frame {
  readonly type: 'envelope';
  readonly topic: string;
  readonly seq: number;
  readonly cid: string;
  readonly receivedAt: number;
  readonly leafIndex: number;
  readonly envelope: string;
}

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
