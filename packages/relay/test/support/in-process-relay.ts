/**
 * A relay built in-process for the route tests: in-memory SQLite, a fake clock the test moves,
 * seeded randomness, a silent (or captured) log, and requests through Fastify's `inject` (no
 * port). Also login and envelope helpers that follow docs/spec/relay-api.md.
 */
import {
  createCryptoSuite,
  createEnvelope,
  fromBase64Url,
  generateIdentity,
  type EncodedEnvelope,
  type Identity,
} from '@parley/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { unsafeSeededRandom } from '@parley/test-support/seeded-random';
import {
  createFileBlobStore,
  createInProcessBus,
  createInProcessLease,
  createNoAnchorChain,
  createRelay,
  createSystemTimers,
  loadConfig,
  openSqliteStores,
  type Lease,
  type Timers,
  type RelayConfig,
  type RelayStores,
  type Relay,
} from '../../src/index.js';
import {
  signChallenge,
  type Challenge,
  type LoginTamper,
} from '@parley/test-support/relay-api/login';
import {
  proofHeaders,
  unsafeStandInCursor,
  unsafeStandInProof,
} from '@parley/test-support/stand-in-writer';

export { signChallenge, unsafeSeededRandom, type Challenge, type LoginTamper };

function safeFromBase64Url(text: string): Uint8Array | undefined {
  try {
    return fromBase64Url(text);
  } catch {
    return undefined;
  }
}

/** The crypto suite of the tests: Node's WebCrypto. */
export const suite = createCryptoSuite(globalThis.crypto.subtle);

/** The fake clock's start: 2023-11-14T22:13:20Z. */
export const START_MS = 1_700_000_000_000;

/** A deterministic identity named by `seed` (its keys are predictable: tests only). */
export function unsafeTestIdentity(seed: string): Promise<Identity> {
  return generateIdentity(suite, unsafeSeededRandom(`identity ${seed}`));
}

/** An HTTP method the relay serves. */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** What a test may send. */
export interface Call {
  readonly token?: string;
  /** Sent as application/json. */
  readonly json?: unknown;
  /** Sent as application/cbor. */
  readonly cbor?: Uint8Array;
  /** Sent as is. */
  readonly payload?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Posts to `/v1/envelopes` and acks of shared topics are signed by the topic's stand-in member
   * (stand-in-writer.ts) unless the call brings its own proof or sets this.
   */
  readonly unsigned?: boolean;
}

/** An in-process relay and its fake clock. */
export interface TestRelay {
  readonly relay: Relay;
  readonly stores: RelayStores;
  readonly config: RelayConfig;
  /** Log lines (JSON) when built with `captureLog`. */
  readonly logLines: string[];
  now(): number;
  advance(ms: number): void;
  request(method: Method, url: string, call?: Call): Promise<LightMyRequestResponse>;
  /** Challenge, sign, session: the answer of the last step. */
  tryLogin(identity: Identity, tamper?: LoginTamper): Promise<LightMyRequestResponse>;
  /** Logs in and returns the token; throws with the answer if the login fails. */
  login(identity: Identity, options?: { inviteCode?: string }): Promise<string>;
  /** Closes the relay and its store. */
  close(): Promise<void>;
}

/** How to build the relay. */
export interface TestRelayOptions {
  /** Settings as command-line flags (`{ 'publish-burst': '2' }`). */
  readonly flags?: Readonly<Record<string, string>>;
  /** Wraps the in-memory store, to count calls or inject failures. */
  readonly wrapStore?: (store: RelayStores) => RelayStores;
  /** Seed of the relay's identity and randomness (relays with different seeds differ). */
  readonly seed?: string;
  /** Keep error-level log lines in `logLines` instead of discarding them. */
  readonly captureLog?: boolean;
  /** The relay's timers (default: the platform's, unref'd); manual-timers.ts drives them by hand. */
  readonly timers?: Timers;
  /** The log writer's lease (default: the in-process one, always held). */
  readonly lease?: Lease;
}

/** Builds a relay. Close it with `close()`. */
export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  let now = START_MS;
  const seed = options.seed ?? 'relay';
  const inner = openSqliteStores(':memory:');
  const store = options.wrapStore?.(inner) ?? inner;
  const config = loadConfig({ flags: { ...options.flags } });
  const logLines: string[] = [];
  const log =
    options.captureLog === true
      ? pino({ level: 'error' }, { write: (line: string) => logLines.push(line) })
      : pino({ level: 'silent' });
  const blobDir = mkdtempSync(join(tmpdir(), 'parley-relay-blobs-'));
  const relay = await createRelay({
    config,
    stores: store,
    bus: createInProcessBus(),
    blobs: createFileBlobStore(blobDir),
    anchor: createNoAnchorChain(),
    lease: options.lease ?? createInProcessLease(),
    clock: () => now,
    timers: options.timers ?? createSystemTimers(),
    random: unsafeSeededRandom(`random ${seed}`),
    logger: log,
    suite,
    identity: await generateIdentity(suite, unsafeSeededRandom(`identity of ${seed}`)),
    fetch: globalThis.fetch,
  }).catch(async (error: unknown) => {
    await inner.close();
    rmSync(blobDir, { recursive: true, force: true });
    throw error;
  });

  const request: TestRelay['request'] = async (method, url, call = {}) => {
    const headers: Record<string, string> = { ...call.headers };
    let json = call.json;
    if (call.unsigned !== true && method === 'POST') {
      if (url === '/v1/envelopes' && headers['parley-writer'] === undefined) {
        const bytes =
          call.cbor ??
          (typeof (json as { envelope?: unknown } | undefined)?.envelope === 'string'
            ? safeFromBase64Url((json as { envelope: string }).envelope)
            : undefined);
        if (bytes !== undefined)
          Object.assign(headers, proofHeaders(await unsafeStandInProof(bytes)));
      }
      const ack = /^\/v1\/topics\/([A-Za-z0-9_-]{43})\/ack$/.exec(url);
      const fields = json as { seq?: unknown; writer?: unknown } | undefined;
      if (
        ack?.[1] !== undefined &&
        typeof fields?.seq === 'number' &&
        fields.writer === undefined
      ) {
        const topic = safeFromBase64Url(ack[1]);
        if (topic !== undefined) {
          json = {
            ...fields,
            ...(await unsafeStandInCursor(topic, fields.seq, call.token ?? '')),
          };
        }
      }
    }
    if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
    let payload: string | Buffer | undefined = call.payload;
    if (json !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = JSON.stringify(json);
    } else if (call.cbor !== undefined) {
      headers['content-type'] ??= 'application/cbor';
      payload = Buffer.from(call.cbor);
    }
    return relay.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
  };

  const tryLogin: TestRelay['tryLogin'] = async (identity, tamper = {}) => {
    const challenge = (await request('POST', '/v1/auth/challenge')).json<Challenge>();
    return request('POST', '/v1/auth/session', {
      json: await signChallenge(identity, challenge, tamper),
    });
  };

  return {
    relay,
    stores: inner,
    config,
    logLines,
    now: () => now,
    advance(ms) {
      now += ms;
    },
    request,
    tryLogin,
    async login(identity, loginOptions = {}) {
      const answer = await tryLogin(
        identity,
        loginOptions.inviteCode === undefined ? {} : { inviteCode: loginOptions.inviteCode },
      );
      if (answer.statusCode !== 200) {
        throw new Error(`login failed: ${answer.statusCode} ${answer.body}`);
      }
      return answer.json<{ token: string }>().token;
    },
    async close() {
      await relay.close();
      await inner.close();
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}

/** An envelope on `topic` whose payload is `text` (distinct texts give distinct CIDs). */
export function textEnvelope(topic: Uint8Array, text: string): EncodedEnvelope {
  return createEnvelope({ topic, payload: new TextEncoder().encode(text), createdAt: START_MS });
}

/** A receipt as the relay sends it. */
export interface WireReceipt {
  readonly cid: string;
  readonly topic: string;
  readonly seq: number;
  readonly receivedAt: number;
  readonly leafIndex: number;
  readonly mergeBy: number;
  readonly signature: string;
}

/** The error body every failed request carries. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** The status and error code of an answer, to compare in one assertion. */
export async function errorOf(
  answer: LightMyRequestResponse | Promise<LightMyRequestResponse>,
): Promise<{ status: number; code: string }> {
  const settled = await answer;
  return { status: settled.statusCode, code: settled.json<ErrorBody>().error.code };
}
