/**
 * Bad input against a real relay (docs/spec/relay-api.md, docs/errors.md): every malformed,
 * oversized, unauthorized or abusive request gets its documented status and code in the error
 * body `{ error: { code, message } }`, never a stack trace — while a well-behaved client on the
 * same relay keeps publishing and receiving, and loses nothing.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  concatBytes,
  createDirectoryEntry,
  encodeCanonical,
  inboxTopic,
  toBase64Url,
  utf8,
  type Identity,
} from '@parley/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WsClient,
  bodyOf,
  bytesText,
  call,
  errorCode,
  errorShapeProblem,
  fetchEnvelopes,
  frameOf,
  makeEnvelope,
  newIdentity,
  newSession,
  postEnvelope,
  randomBytes,
  randomTopic,
  sleep,
  suite,
  topicText,
  type Answer,
  type Frame,
  type Receipt,
  type Session,
  publishFrame,
} from '@parley/test-support/relay-api';
import {
  cleanupRelays,
  makeTempDir,
  runRelayCommand,
  startRelay,
  type RelayProcess,
} from '@parley/test-support/relay-process';

afterAll(cleanupRelays);

const LIMITS = {
  maxEnvelopeBytes: 4_096,
  maxBodyBytes: 16_384,
  publishPerSecond: 20,
  publishBurst: 20,
  maxConnections: 8,
  maxSubscriptionsPerConnection: 3,
  maxPageSize: 50,
} as const;

const FLAGS = {
  'max-envelope-bytes': LIMITS.maxEnvelopeBytes,
  'max-body-bytes': LIMITS.maxBodyBytes,
  'publish-per-second': LIMITS.publishPerSecond,
  'publish-burst': LIMITS.publishBurst,
  'max-connections': LIMITS.maxConnections,
  'max-subscriptions-per-connection': LIMITS.maxSubscriptionsPerConnection,
  'max-page-size': LIMITS.maxPageSize,
};

type Account = Session & { identity: Identity };

let relay: RelayProcess;
/** A second account, whose inbox and directory entry the others may not touch. */
let bob: Account;

/** A fresh session per request: each bad request has a rate-limit bucket of its own. */
function fresh(): Promise<Account> {
  return newSession(relay.url);
}

function validEnvelope(): Uint8Array {
  return makeEnvelope(randomTopic(), 16).bytes;
}

function envelopeFields(): {
  v: number;
  topic: Uint8Array;
  payload: Uint8Array;
  createdAt: number;
} {
  return { v: 1, topic: randomBytes(32), payload: utf8('hello'), createdAt: Date.now() };
}

/** CBOR text-string header and bytes for a short key (< 24 bytes). */
function cborKey(key: string): Uint8Array {
  const bytes = utf8(key);
  return concatBytes(new Uint8Array([0x60 + bytes.length]), bytes);
}

/** A well-formed envelope map whose keys are not in canonical (length-first) order. */
function unsortedEnvelope(): Uint8Array {
  const { topic, createdAt } = envelopeFields();
  const time = new Uint8Array(9);
  time[0] = 0x1b;
  new DataView(time.buffer).setBigUint64(1, BigInt(createdAt));
  return concatBytes(
    new Uint8Array([0xa4]),
    cborKey('topic'),
    new Uint8Array([0x58, 0x20]),
    topic,
    cborKey('v'),
    new Uint8Array([0x01]),
    cborKey('payload'),
    new Uint8Array([0x45]),
    utf8('hello'),
    cborKey('createdAt'),
    time,
  );
}

/** A valid envelope re-encoded with `v: 1` as a two-byte integer (not the shortest form). */
function longIntegerEnvelope(): Uint8Array {
  const bytes = validEnvelope();
  // a4 61 76 01 … → a4 61 76 18 01 …
  expect([...bytes.subarray(0, 4)]).toEqual([0xa4, 0x61, 0x76, 0x01]);
  return concatBytes(new Uint8Array([0xa4, 0x61, 0x76, 0x18, 0x01]), bytes.subarray(4));
}

function postCbor(token: string, body: Uint8Array): Promise<Answer> {
  return postEnvelope(relay.url, token, body, 'cbor');
}

function postJson(token: string, json: unknown): Promise<Answer> {
  return call(relay.url, 'POST', '/v1/envelopes', { token, json });
}

function postRawJson(token: string, text: string): Promise<Answer> {
  return call(relay.url, 'POST', '/v1/envelopes', {
    token,
    body: text,
    contentType: 'application/json',
  });
}

async function entryFor(
  identity: Identity,
  updatedAt: number,
): Promise<{ bytes: Uint8Array; signature: Uint8Array }> {
  const { bytes, entry } = await createDirectoryEntry(suite, identity, {
    devices: [],
    lastResort: randomBytes(64),
    updatedAt,
  });
  return { bytes, signature: entry.signature };
}

function putEntry(token: string, accountId: string, entry: Uint8Array): Promise<Answer> {
  return call(relay.url, 'PUT', `/v1/directory/${accountId}`, {
    token,
    json: { entry: bytesText(entry) },
  });
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack).indexOf(Buffer.from(needle));
}

interface BadRequest {
  readonly name: string;
  readonly status: number;
  readonly code: string;
  readonly send: () => Promise<Answer>;
  /** Further checks on the answer. */
  readonly check?: (answer: Answer) => void;
}

const badRequests: readonly BadRequest[] = [
  // Sizes.
  {
    name: 'an envelope over max-envelope-bytes, as CBOR',
    status: 413,
    code: 'RELAY_PAYLOAD_TOO_LARGE',
    send: async () => {
      const bytes = makeEnvelope(randomTopic(), LIMITS.maxEnvelopeBytes).bytes;
      expect(bytes.length).toBeLessThan(LIMITS.maxBodyBytes);
      return postCbor((await fresh()).token, bytes);
    },
  },
  {
    name: 'an envelope over max-envelope-bytes, as JSON',
    status: 413,
    code: 'RELAY_PAYLOAD_TOO_LARGE',
    send: async () =>
      postJson((await fresh()).token, {
        envelope: bytesText(makeEnvelope(randomTopic(), LIMITS.maxEnvelopeBytes).bytes),
      }),
  },
  {
    name: 'a CBOR body over max-body-bytes',
    status: 413,
    code: 'RELAY_PAYLOAD_TOO_LARGE',
    send: async () => postCbor((await fresh()).token, randomBytes(LIMITS.maxBodyBytes + 1_000)),
  },
  {
    name: 'a JSON body over max-body-bytes',
    status: 413,
    code: 'RELAY_PAYLOAD_TOO_LARGE',
    send: async () =>
      postJson((await fresh()).token, { envelope: 'A'.repeat(LIMITS.maxBodyBytes + 1_000) }),
  },
  // JSON shape.
  {
    name: 'malformed JSON',
    status: 400,
    code: 'RELAY_MALFORMED_BODY',
    send: async () => postRawJson((await fresh()).token, '{"envelope": '),
  },
  {
    name: 'an empty JSON body',
    status: 400,
    code: 'RELAY_MALFORMED_BODY',
    send: async () => postRawJson((await fresh()).token, ''),
  },
  {
    name: 'an envelope field of the wrong JSON type (number)',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () => postJson((await fresh()).token, { envelope: 42 }),
  },
  {
    name: 'a JSON array instead of an object',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () => postJson((await fresh()).token, [bytesText(validEnvelope())]),
  },
  {
    name: 'a JSON object without the envelope field',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () => postJson((await fresh()).token, {}),
  },
  {
    name: 'JSON nested 5,000 levels deep',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () =>
      postRawJson((await fresh()).token, `{"envelope":${'['.repeat(5_000)}${']'.repeat(5_000)}}`),
  },
  {
    name: 'an envelope in padded standard base64 instead of base64url',
    status: 400,
    code: 'RELAY_BAD_ENCODING',
    send: async () =>
      postJson((await fresh()).token, {
        envelope: `${Buffer.from(validEnvelope()).toString('base64').replace(/=+$/, '')}+/==`,
      }),
  },
  {
    name: 'a session request with fields of the wrong types',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: () =>
      call(relay.url, 'POST', '/v1/auth/session', {
        json: { accountId: 5, publicKey: true, nonce: [], signature: {} },
      }),
  },
  // Envelope bytes.
  {
    name: 'a CBOR envelope with unsorted map keys (non-canonical)',
    status: 400,
    code: 'RELAY_ENVELOPE_INVALID',
    send: async () => postCbor((await fresh()).token, unsortedEnvelope()),
  },
  {
    name: 'a CBOR envelope with an integer not in its shortest form (non-canonical)',
    status: 400,
    code: 'RELAY_ENVELOPE_INVALID',
    send: async () => postCbor((await fresh()).token, longIntegerEnvelope()),
  },
  {
    name: 'an envelope of version 2',
    status: 400,
    code: 'RELAY_ENVELOPE_INVALID',
    send: async () =>
      postCbor((await fresh()).token, encodeCanonical({ ...envelopeFields(), v: 2 })),
  },
  {
    name: 'an envelope whose topic is 31 bytes',
    status: 400,
    code: 'RELAY_ENVELOPE_INVALID',
    send: async () =>
      postCbor(
        (await fresh()).token,
        encodeCanonical({ ...envelopeFields(), topic: randomBytes(31) }),
      ),
  },
  {
    name: 'an envelope with an unknown field',
    status: 400,
    code: 'RELAY_ENVELOPE_INVALID',
    send: async () =>
      postCbor((await fresh()).token, encodeCanonical({ ...envelopeFields(), extra: 1 })),
  },
  {
    name: 'an envelope followed by trailing bytes',
    status: 400,
    code: 'RELAY_ENVELOPE_INVALID',
    send: async () =>
      postCbor((await fresh()).token, concatBytes(validEnvelope(), new Uint8Array([0x00]))),
  },
  {
    name: 'bytes that are not CBOR',
    status: 400,
    code: 'RELAY_ENVELOPE_INVALID',
    send: async () => postCbor((await fresh()).token, new Uint8Array([0xff, 0xfe, 0xfd, 0x1f])),
  },
  {
    name: 'a JSON-wrapped envelope that is not canonical',
    status: 400,
    code: 'RELAY_ENVELOPE_INVALID',
    send: async () => postJson((await fresh()).token, { envelope: bytesText(unsortedEnvelope()) }),
  },
  // Routes, methods, media types.
  {
    name: 'an unknown route',
    status: 404,
    code: 'RELAY_NOT_FOUND',
    send: () => call(relay.url, 'GET', '/v1/no-such-route'),
  },
  {
    name: 'a route with the wrong method (DELETE /v1/envelopes)',
    status: 404,
    code: 'RELAY_NOT_FOUND',
    send: async () => call(relay.url, 'DELETE', '/v1/envelopes', { token: (await fresh()).token }),
  },
  {
    name: 'an envelope sent as text/plain',
    status: 415,
    code: 'RELAY_UNSUPPORTED_MEDIA_TYPE',
    send: async () =>
      call(relay.url, 'POST', '/v1/envelopes', {
        token: (await fresh()).token,
        body: bytesText(validEnvelope()),
        contentType: 'text/plain',
      }),
  },
  // Authentication.
  {
    name: 'an authenticated route without a bearer token',
    status: 401,
    code: 'RELAY_UNAUTHENTICATED',
    send: () => call(relay.url, 'POST', '/v1/envelopes', { json: { envelope: 'AA' } }),
  },
  {
    name: 'a garbage bearer token',
    status: 401,
    code: 'RELAY_UNAUTHENTICATED',
    send: () => postCbor('%%% not a token %%%', validEnvelope()),
  },
  {
    name: 'a well-formed token the relay never issued',
    status: 401,
    code: 'RELAY_UNAUTHENTICATED',
    send: () => postCbor(toBase64Url(randomBytes(32)), validEnvelope()),
  },
  {
    name: 'a token under another scheme (Basic)',
    status: 401,
    code: 'RELAY_UNAUTHENTICATED',
    send: async () =>
      call(relay.url, 'GET', `/v1/topics/${topicText(randomTopic())}/envelopes`, {
        headers: { authorization: `Basic ${(await fresh()).token}` },
      }),
  },
  // Topics and paging.
  {
    name: 'a topic in the path that is not base64url',
    status: 400,
    code: 'RELAY_BAD_ENCODING',
    send: async () => fetchEnvelopes(relay.url, (await fresh()).token, 'not*a*topic'),
  },
  {
    name: 'a topic in the path of 31 bytes',
    status: 400,
    code: 'RELAY_BAD_ENCODING',
    send: async () => fetchEnvelopes(relay.url, (await fresh()).token, randomBytes(31)),
  },
  {
    name: 'after=-1',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () =>
      fetchEnvelopes(relay.url, (await fresh()).token, randomTopic(), { after: -1 }),
  },
  {
    name: 'after=abc',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () =>
      fetchEnvelopes(relay.url, (await fresh()).token, randomTopic(), { after: 'abc' }),
  },
  {
    name: 'limit=0',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () => fetchEnvelopes(relay.url, (await fresh()).token, randomTopic(), { limit: 0 }),
  },
  {
    name: 'limit above max-page-size',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () =>
      fetchEnvelopes(relay.url, (await fresh()).token, randomTopic(), {
        limit: LIMITS.maxPageSize + 1,
      }),
  },
  {
    name: 'limit=2.5',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () =>
      fetchEnvelopes(relay.url, (await fresh()).token, randomTopic(), { limit: '2.5' }),
  },
  {
    name: "reading another account's inbox",
    status: 403,
    code: 'RELAY_FORBIDDEN',
    send: async () => fetchEnvelopes(relay.url, (await fresh()).token, inboxTopic(bob.accountId)),
  },
  {
    name: 'an ack whose seq is a string',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () =>
      call(relay.url, 'POST', `/v1/topics/${topicText(randomTopic())}/ack`, {
        token: (await fresh()).token,
        json: { seq: 'seven' },
      }),
  },
  {
    name: 'an ack whose seq is negative',
    status: 400,
    code: 'RELAY_INVALID_REQUEST',
    send: async () =>
      call(relay.url, 'POST', `/v1/topics/${topicText(randomTopic())}/ack`, {
        token: (await fresh()).token,
        json: { seq: -1 },
      }),
  },
  // Directory.
  {
    name: "a directory PUT to another account's entry",
    status: 403,
    code: 'RELAY_FORBIDDEN',
    send: async () =>
      putEntry(
        (await fresh()).token,
        bob.accountId,
        (await entryFor(bob.identity, Date.now())).bytes,
      ),
  },
  {
    name: 'a directory entry whose signature does not verify',
    status: 400,
    code: 'RELAY_DIRECTORY_INVALID',
    send: async () => {
      const account = await fresh();
      const { bytes, signature } = await entryFor(account.identity, Date.now());
      const tampered = Uint8Array.from(bytes);
      const at = indexOfBytes(tampered, signature);
      expect(at).toBeGreaterThan(0);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      return putEntry(account.token, account.accountId, tampered);
    },
  },
  {
    name: 'a directory entry that is not CBOR',
    status: 400,
    code: 'RELAY_DIRECTORY_INVALID',
    send: async () => {
      const account = await fresh();
      return putEntry(account.token, account.accountId, randomBytes(100));
    },
  },
  {
    name: 'a directory entry older than the stored one',
    status: 409,
    code: 'RELAY_DIRECTORY_STALE',
    send: async () => {
      const account = await fresh();
      const now = Date.now();
      const newer = await entryFor(account.identity, now);
      const older = await entryFor(account.identity, now - 1_000);
      expect((await putEntry(account.token, account.accountId, newer.bytes)).status).toBe(200);
      return putEntry(account.token, account.accountId, older.bytes);
    },
  },
  {
    name: 'a directory entry with the same updatedAt as the stored one',
    status: 409,
    code: 'RELAY_DIRECTORY_STALE',
    send: async () => {
      const account = await fresh();
      const now = Date.now();
      const first = await entryFor(account.identity, now);
      const second = await entryFor(account.identity, now);
      expect((await putEntry(account.token, account.accountId, first.bytes)).status).toBe(200);
      return putEntry(account.token, account.accountId, second.bytes);
    },
  },
  {
    name: 'the directory entry of an account that has none',
    status: 404,
    code: 'RELAY_NOT_FOUND',
    send: async () => call(relay.url, 'GET', `/v1/directory/${(await newIdentity()).accountId}`),
  },
  // Abuse.
  {
    name: 'publishing faster than publish-per-second and publish-burst',
    status: 429,
    code: 'RELAY_RATE_LIMITED',
    send: async () => {
      const { token } = await fresh();
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => postCbor(token, validEnvelope())),
      );
      const accepted = answers.filter((answer) => answer.status === 201).length;
      expect(accepted).toBeGreaterThanOrEqual(LIMITS.publishBurst);
      expect(accepted).toBeLessThan(40);
      return answers.find((answer) => answer.status !== 201) ?? (answers[0] as Answer);
    },
    check: (answer) => {
      expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    },
  },
];

/** The well-behaved client: publishes on its own topic over one socket, receives on another. */
interface SteadyClient {
  readonly topic: string;
  readonly receipts: Receipt[];
  readonly problems: string[];
  readonly subscriber: WsClient;
  stop(): Promise<void>;
}

async function startSteadyClient(intervalMs: number): Promise<SteadyClient> {
  const session = await fresh();
  const topic = randomTopic();
  const text = topicText(topic);
  const subscriber = await WsClient.authenticated(relay.wsUrl, session.token);
  subscriber.send({ type: 'subscribe', topic: text });
  await subscriber.next(frameOf('subscribed', { topic: text }));
  const publisher = await WsClient.authenticated(relay.wsUrl, session.token);
  const receipts: Receipt[] = [];
  const problems: string[] = [];
  const state = { running: true };
  const loop = (async () => {
    for (let index = 0; state.running; index += 1) {
      const ref = `steady-${index}`;
      const item = makeEnvelope(topic, 64);
      publisher.send(await publishFrame(ref, item.bytes));
      try {
        const frame = await publisher.next(
          (candidate) => candidate.ref === ref && ['receipt', 'error'].includes(candidate.type),
        );
        if (frame.type !== 'receipt' || frame.cid !== item.cid.toString()) {
          problems.push(JSON.stringify(frame));
        } else {
          receipts.push(frame as unknown as Receipt);
        }
      } catch (error) {
        problems.push(String(error));
      }
      await sleep(intervalMs);
    }
  })();
  return {
    topic: text,
    receipts,
    problems,
    subscriber,
    stop: async () => {
      state.running = false;
      await loop;
      await publisher.close();
    },
  };
}

describe('bad input on a running relay', () => {
  let steady: SteadyClient;

  beforeAll(async () => {
    relay = await startRelay({ flags: FLAGS });
    bob = await fresh();
    // 1 envelope per 60 ms: below the 20/s limit, so it never hits 429.
    steady = await startSteadyClient(60);
  });

  it('announces the configured limits in /v1/info', async () => {
    const info = bodyOf<{ relayId: string; limits: Record<string, number> }>(
      await call(relay.url, 'GET', '/v1/info'),
      200,
    );
    expect(info.relayId).toBe(relay.relayId);
    expect(info.limits).toMatchObject(LIMITS);
  });

  it('serves /healthz, /readyz, /metrics and the OpenAPI document at /docs', async () => {
    expect(bodyOf(await call(relay.url, 'GET', '/healthz'), 200)).toEqual({ status: 'ok' });
    expect(bodyOf(await call(relay.url, 'GET', '/readyz'), 200)).toEqual({ status: 'ready' });
    const metrics = await call(relay.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^parley_relay_websocket_connections \d+$/m);
    const docs = bodyOf<{ openapi?: unknown; paths?: Record<string, unknown> }>(
      await call(relay.url, 'GET', '/docs'),
      200,
    );
    expect(String(docs.openapi)).toMatch(/^3\./);
    expect(Object.keys(docs.paths ?? {})).toEqual(
      expect.arrayContaining(['/v1/envelopes', '/v1/auth/challenge', '/v1/auth/session']),
    );
  });

  describe('HTTP', () => {
    it('has at least 25 bad requests in its table', () => {
      expect(badRequests.length).toBeGreaterThanOrEqual(25);
    });

    // A loop rather than it.for: it.for would cut the names at 40 characters.
    for (const row of badRequests) {
      it(`answers ${row.status} ${row.code} to ${row.name}`, async () => {
        const answer = await row.send();
        expect(answer.status, answer.text).toBe(row.status);
        expect(errorCode(answer)).toBe(row.code);
        row.check?.(answer);
      });
    }
  });

  describe('WebSocket frames', () => {
    let alice: Account;
    let socket: WsClient;
    let refCounter = 0;

    beforeAll(async () => {
      alice = await fresh();
      socket = await WsClient.authenticated(relay.wsUrl, alice.token);
    });

    /** Checks an error frame: its code, and the same no-leak rule as HTTP error bodies. */
    function expectErrorFrame(frame: Frame, code: string): void {
      expect(frame.type, JSON.stringify(frame)).toBe('error');
      // `retryAfter` (seconds) comes with RELAY_RATE_LIMITED frames (docs/errors.md).
      const { type: _type, ref: _ref, retryAfter: _retryAfter, ...error } = frame;
      expect(errorShapeProblem({ error }, JSON.stringify(frame))).toBeUndefined();
      expect(frame.code).toBe(code);
    }

    const badFrames: readonly {
      name: string;
      frame: () => object | string | Uint8Array;
      code: string;
    }[] = [
      {
        name: 'text that is not JSON',
        frame: () => '{"type": "subscribe", ',
        code: 'RELAY_MALFORMED_BODY',
      },
      {
        name: 'a binary frame',
        frame: () => utf8(JSON.stringify({ type: 'subscribe', topic: topicText(randomTopic()) })),
        code: 'RELAY_UNSUPPORTED_MEDIA_TYPE',
      },
      { name: 'a JSON array', frame: () => '[1, 2, 3]', code: 'RELAY_INVALID_REQUEST' },
      {
        name: 'an unknown frame type',
        frame: () => ({ type: 'dance' }),
        code: 'RELAY_INVALID_REQUEST',
      },
      {
        name: 'a frame without a type',
        frame: () => ({ topic: 'x' }),
        code: 'RELAY_INVALID_REQUEST',
      },
      {
        name: 'a subscribe without a topic',
        frame: () => ({ type: 'subscribe' }),
        code: 'RELAY_INVALID_REQUEST',
      },
      {
        name: 'a subscribe to a topic of 31 bytes',
        frame: () => ({ type: 'subscribe', topic: toBase64Url(randomBytes(31)) }),
        code: 'RELAY_BAD_ENCODING',
      },
      {
        name: "a subscribe to another account's inbox",
        frame: () => ({ type: 'subscribe', topic: topicText(inboxTopic(bob.accountId)) }),
        code: 'RELAY_FORBIDDEN',
      },
      {
        name: 'an ack with a negative seq',
        frame: () => ({ type: 'ack', topic: topicText(randomTopic()), seq: -1 }),
        code: 'RELAY_INVALID_REQUEST',
      },
    ];

    for (const row of badFrames) {
      it(`answers ${row.name} with an error frame ${row.code} and stays open`, async () => {
        socket.send(row.frame());
        expectErrorFrame(await socket.next(frameOf('error')), row.code);
        expect(socket.isOpen()).toBe(true);
      });
    }

    it.for([
      { name: 'a non-canonical envelope', bytes: unsortedEnvelope, code: 'RELAY_ENVELOPE_INVALID' },
      {
        name: 'an oversized envelope',
        bytes: () => makeEnvelope(randomTopic(), LIMITS.maxEnvelopeBytes).bytes,
        code: 'RELAY_PAYLOAD_TOO_LARGE',
      },
    ])('answers a publish of $name with an error frame $code that echoes its ref', async (row) => {
      refCounter += 1;
      const ref = `bad-${refCounter}`;
      socket.send(await publishFrame(ref, row.bytes()));
      const frame = await socket.next(frameOf('error', { ref }));
      expectErrorFrame(frame, row.code);
      expect(frame.ref).toBe(ref);
    });

    it('answers publishes beyond the rate limit with RELAY_RATE_LIMITED frames that echo the ref', async () => {
      const greedy = await fresh();
      const client = await WsClient.authenticated(relay.wsUrl, greedy.token);
      const count = LIMITS.publishBurst * 2;
      for (let index = 0; index < count; index += 1) {
        client.send(await publishFrame(`burst-${index}`, validEnvelope()));
      }
      const answers: Frame[] = [];
      for (let index = 0; index < count; index += 1) {
        answers.push(
          await client.next(
            (frame) => typeof frame.ref === 'string' && frame.ref.startsWith('burst-'),
          ),
        );
      }
      const limited = answers.filter((frame) => frame.type === 'error');
      expect(answers.filter((frame) => frame.type === 'receipt').length).toBeGreaterThanOrEqual(
        LIMITS.publishBurst,
      );
      expect(limited.length).toBeGreaterThan(0);
      for (const frame of limited) {
        expectErrorFrame(frame, 'RELAY_RATE_LIMITED');
        expect(frame.retryAfter).toEqual(expect.any(Number));
      }
      expect(new Set(answers.map((frame) => frame.ref)).size).toBe(count);
      expect(client.isOpen()).toBe(true);
      await client.close();
    });

    it('still serves the socket after all those errors', async () => {
      const topic = topicText(randomTopic());
      socket.send({ type: 'subscribe', topic });
      expect(await socket.next(frameOf('subscribed', { topic }))).toMatchObject({ lastSeq: 0 });
      expect(socket.take(frameOf('error'))).toEqual([]);
    });

    it('refuses a subscription beyond max-subscriptions-per-connection, and accepts it after an unsubscribe', async () => {
      const client = await WsClient.authenticated(relay.wsUrl, alice.token);
      const topics = Array.from({ length: LIMITS.maxSubscriptionsPerConnection + 1 }, () =>
        topicText(randomTopic()),
      );
      for (const topic of topics.slice(0, -1)) {
        client.send({ type: 'subscribe', topic });
        await client.next(frameOf('subscribed', { topic }));
      }
      const extra = topics.at(-1) ?? '';
      client.send({ type: 'subscribe', topic: extra });
      expectErrorFrame(await client.next(frameOf('error')), 'RELAY_TOO_MANY_SUBSCRIPTIONS');
      expect(client.isOpen()).toBe(true);

      client.send({ type: 'unsubscribe', topic: topics[0] });
      client.send({ type: 'subscribe', topic: extra });
      await client.next(frameOf('subscribed', { topic: extra }));
      await client.close();
    });

    it('closes with 4401 a socket whose first frame is not auth', async () => {
      const client = await WsClient.open(relay.wsUrl);
      client.send({ type: 'subscribe', topic: topicText(randomTopic()) });
      const closed = await Promise.race([client.closed, sleep(3_000).then(() => undefined)]);
      expect(closed?.code).toBe(4401);
    });

    it('closes with 4401 a socket that authenticates with an unknown token', async () => {
      const client = await WsClient.open(relay.wsUrl);
      client.send({ type: 'auth', token: toBase64Url(randomBytes(32)) });
      const closed = await Promise.race([client.closed, sleep(3_000).then(() => undefined)]);
      expect(closed?.code).toBe(4401);
    });

    it('answers the upgrade beyond max-connections with 503 RELAY_TOO_MANY_CONNECTIONS', async () => {
      const opened: WsClient[] = [];
      let refused: { status: number; text: string } | undefined;
      // The steady client and `socket` already hold 3 connections.
      for (
        let attempt = 0;
        attempt <= LIMITS.maxConnections && refused === undefined;
        attempt += 1
      ) {
        const result = await WsClient.connect(relay.wsUrl);
        if (result.kind === 'open') opened.push(result.client);
        else refused = result;
      }
      expect(refused, `${opened.length} more connections were accepted`).toBeDefined();
      expect(opened.length + 3).toBeLessThanOrEqual(LIMITS.maxConnections);
      expect(refused?.status).toBe(503);
      const body: unknown = JSON.parse(refused?.text ?? 'null');
      expect(errorShapeProblem(body, refused?.text ?? '')).toBeUndefined();
      expect((body as { error: { code: string } }).error.code).toBe('RELAY_TOO_MANY_CONNECTIONS');

      await Promise.all(opened.map((client) => client.close()));
      // Freed slots are available again.
      let reopened: Awaited<ReturnType<typeof WsClient.connect>> | undefined;
      const deadline = Date.now() + 3_000;
      do {
        if (reopened !== undefined) await sleep(100);
        reopened = await WsClient.connect(relay.wsUrl);
      } while (reopened.kind === 'refused' && Date.now() < deadline);
      expect(reopened.kind).toBe('open');
      if (reopened.kind === 'open') await reopened.client.close();
    });
  });

  it('served the well-behaved client throughout: every envelope got a receipt and was pushed once, in order', async () => {
    await steady.stop();
    expect(steady.problems).toEqual([]);
    // It ran through the whole table (about a second at 1 per 60 ms).
    expect(steady.receipts.length).toBeGreaterThanOrEqual(5);
    const frames = await steady.subscriber.envelopes(steady.topic, steady.receipts.length);
    expect(frames.map((frame) => frame.cid)).toEqual(steady.receipts.map((r) => r.cid));
    expect(frames.map((frame) => frame.seq)).toEqual(steady.receipts.map((_, index) => index + 1));
    await sleep(200);
    expect(steady.subscriber.take(frameOf('envelope'))).toEqual([]);
    expect(steady.subscriber.take(frameOf('error'))).toEqual([]);
    expect(relay.isRunning()).toBe(true);
  });
});

describe('bad configuration', () => {
  async function start(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
    const dataDir = await makeTempDir();
    return runRelayCommand(['start', '--host', '127.0.0.1', '--data-dir', dataDir, ...args]);
  }

  it.for([
    {
      name: 'a negative max-page-size',
      args: ['--port', '0', '--max-page-size', '-1'],
      key: /max[-_]?page[-_]?size/i,
    },
    { name: 'a port out of range', args: ['--port', '70000'], key: /port/i },
    {
      name: 'an unknown allowlist mode',
      args: ['--port', '0', '--allowlist-mode', 'sometimes'],
      key: /allowlist[-_]?mode/i,
    },
    {
      name: 'a session TTL that is not a number',
      args: ['--port', '0', '--session-ttl-seconds', 'soon'],
      key: /session[-_]?ttl/i,
    },
  ])('exits with code 2 and names the key for $name', async (row) => {
    const result = await start(row.args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('RELAY_CONFIG_INVALID');
    expect(result.stderr).toMatch(row.key);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits with code 2 for a config file with an unknown key', async () => {
    const file = join(await makeTempDir(), 'relay.json');
    await writeFile(file, JSON.stringify({ limits: { maxPageSise: 10 } }));
    const result = await start(['--port', '0', '--config', file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('RELAY_CONFIG_INVALID');
    expect(result.stderr).toMatch(/maxPageSise/);
  });

  it('exits with code 2 for a TOML config file that does not parse', async () => {
    const file = join(await makeTempDir(), 'relay.toml');
    await writeFile(file, 'max-page-size = = 3\n[unclosed\n');
    const result = await start(['--port', '0', '--config', file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('RELAY_CONFIG_INVALID');
  });
});
