/**
 * The relay's HTTP API (docs/spec/relay-api.md) as typed calls, with login and re-login on an
 * expired session. Transport failures become CLIENT_RELAY_UNREACHABLE; refusals carry the
 * relay's code in CLIENT_RELAY_REFUSED.
 */
import {
  decodeCanonical,
  fromBase64Url,
  loginMessage,
  signFor,
  toBase64Url,
  type CryptoSuite,
  type Identity,
  type WriteProof,
} from '@parley/core';
import { ClientError } from '../errors.js';

/** The largest binary page the client decodes (a relay's page bytes plus one large envelope). */
const MAX_PAGE_BYTES = 96 * 1024 * 1024;

/** Decodes base64url (the relay's encoding of every byte string in JSON). */
function fromBase64(text: string): Uint8Array {
  try {
    return fromBase64Url(text);
  } catch (cause) {
    throw new ClientError('CLIENT_RELAY_REFUSED', '(a log answer holds invalid base64url)', {
      cause,
    });
  }
}

/** A receipt for an accepted envelope: the relay's signed promise to log it (docs/spec/log.md). */
export interface Receipt {
  readonly cid: string;
  readonly topic: string;
  readonly seq: number;
  readonly receivedAt: number;
  /** The envelope's leaf in the relay's transparency log. */
  readonly leafIndex: number;
  /** The time by which a checkpoint covering the leaf is promised. */
  readonly mergeBy: number;
  /** The relay's signature over the receipt (context `relay-receipt`), base64url. */
  readonly signature: string;
  readonly duplicate: boolean;
}

/** What /v1/info says about the relay's identity. */
export interface RelayInfo {
  readonly relayId: string;
  readonly publicKey: Uint8Array;
  readonly origin: string;
}

/** An inclusion proof as served by the relay. */
export interface InclusionProofAnswer {
  readonly index: number;
  readonly size: number;
  readonly leafHash: Uint8Array;
  readonly proof: Uint8Array[];
}

/** One stored envelope of a topic. */
export interface TopicEnvelope {
  readonly seq: number;
  readonly cid: string;
  readonly receivedAt: number;
  /** The envelope's leaf in the relay's log, as the relay claims (checked by inclusion proofs). */
  readonly leafIndex: number | undefined;
  readonly bytes: Uint8Array;
}

/** Options of the relay API. */
export interface RelayApiOptions {
  readonly relayUrl: string;
  readonly identity: Identity;
  readonly suite: CryptoSuite;
  readonly fetch: typeof fetch;
  readonly inviteCode?: string | undefined;
  /** How long to wait for the relay's answer before giving up (default 20 s). */
  readonly requestTimeoutMs?: number | undefined;
}

/** Calls one relay on behalf of one account. */
export class RelayApi {
  readonly #options: RelayApiOptions;
  readonly #base: string;
  #token: { value: string; expiresAt: number } | undefined;

  constructor(options: RelayApiOptions) {
    this.#options = options;
    this.#base = options.relayUrl.replace(/\/+$/, '');
  }

  /** The current session token, logging in first if needed. */
  async token(now: number): Promise<string> {
    if (this.#token === undefined || this.#token.expiresAt - 30_000 <= now) await this.login();
    if (this.#token === undefined) throw new ClientError('CLIENT_RELAY_REFUSED', '(no session)');
    return this.#token.value;
  }

  /** Logs in with a fresh challenge. */
  async login(): Promise<void> {
    const { identity, suite } = this.#options;
    const challenge = (await this.#call('POST', '/v1/auth/challenge', { json: {} })) as {
      relayId: string;
      nonce: string;
      expiresAt: number;
    };
    const nonce = fromBase64Url(challenge.nonce);
    const signature = await signFor(
      suite,
      'login',
      identity.secrets.signingSeed,
      loginMessage({
        relay: challenge.relayId,
        account: identity.accountId,
        nonce,
        expiresAt: challenge.expiresAt,
      }),
    );
    const session = (await this.#call('POST', '/v1/auth/session', {
      json: {
        accountId: identity.accountId,
        publicKey: toBase64Url(identity.signingPublicKey),
        nonce: challenge.nonce,
        signature: toBase64Url(signature),
        ...(this.#options.inviteCode === undefined ? {} : { inviteCode: this.#options.inviteCode }),
      },
    })) as { token: string; expiresAt: number };
    this.#token = { value: session.token, expiresAt: session.expiresAt };
  }

  /** The account's entry as served, with its leaf index (undefined if the relay gave none). */
  async getDirectory(
    accountId: string,
  ): Promise<
    { entry: Uint8Array; availableKeyPackages: number; leafIndex: number | undefined } | undefined
  > {
    try {
      const answer = (await this.#call('GET', `/v1/directory/${accountId}`)) as {
        entry: string;
        availableKeyPackages: number;
        leafIndex?: unknown;
      };
      return {
        entry: fromBase64Url(answer.entry),
        availableKeyPackages: answer.availableKeyPackages,
        leafIndex: leafIndexOf(answer.leafIndex),
      };
    } catch (error) {
      if (error instanceof ClientError && error.relayCode === 'RELAY_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Publishes an entry and `device`'s one-time KeyPackages; answers the entry's leaf index. */
  async putDirectory(
    accountId: string,
    entry: Uint8Array,
    keyPackages: readonly Uint8Array[],
    device: Uint8Array,
    now: number,
  ): Promise<{ leafIndex: number | undefined }> {
    const answer = (await this.#authed(now, (token) =>
      this.#call('PUT', `/v1/directory/${accountId}`, {
        json: {
          entry: toBase64Url(entry),
          keyPackages: keyPackages.map(toBase64Url),
          device: toBase64Url(device),
        },
        token,
      }),
    )) as { leafIndex?: unknown };
    return { leafIndex: leafIndexOf(answer.leafIndex) };
  }

  async claimKeyPackage(
    accountId: string,
    now: number,
  ): Promise<{ keyPackage: Uint8Array; lastResort: boolean }> {
    const answer = (await this.#authed(now, (token) =>
      this.#call('POST', `/v1/directory/${accountId}/key-packages/claim`, { token }),
    )) as { keyPackage: string; lastResort: boolean };
    return { keyPackage: fromBase64Url(answer.keyPackage), lastResort: answer.lastResort };
  }

  /** Posts an envelope; one for a chat topic carries its write proof (docs/spec/chats.md). */
  async postEnvelope(bytes: Uint8Array, now: number, proof?: WriteProof): Promise<Receipt> {
    const headers: Record<string, string> = {};
    if (proof !== undefined) {
      headers['parley-writer'] = toBase64Url(proof.writer);
      headers['parley-sig'] = toBase64Url(proof.sig);
      if (proof.next !== undefined) headers['parley-next'] = toBase64Url(proof.next);
    }
    const answer = await this.#authed(now, (token) =>
      this.#call('POST', '/v1/envelopes', { cbor: bytes, token, withStatus: true, headers }),
    );
    const { status, body } = answer as { status: number; body: Omit<Receipt, 'duplicate'> };
    return { ...body, duplicate: status === 200 };
  }

  /**
   * Up to `limit` envelopes of `topic` after `after`: fewer only when the topic has no more.
   * The relay bounds each page in bytes, so this follows its pages (binary, DAG-CBOR) until it
   * has `limit` or reached the topic's last seq.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  async fetchEnvelopes(
    topic: Uint8Array,
    after: number,
    limit: number,
    now: number,
  ): Promise<{ envelopes: TopicEnvelope[]; lastSeq: number }> {
    const envelopes: TopicEnvelope[] = [];
    let cursor = after;
    for (;;) {
      const page = await this.#fetchPage(topic, cursor, limit - envelopes.length, now);
      envelopes.push(...page.envelopes);
      const last = page.envelopes.at(-1);
      if (last === undefined || envelopes.length >= limit || last.seq >= page.lastSeq) {
        return { envelopes, lastSeq: page.lastSeq };
      }
      cursor = last.seq;
    }
  }

  async #fetchPage(
    topic: Uint8Array,
    after: number,
    limit: number,
    now: number,
  ): Promise<{ envelopes: TopicEnvelope[]; lastSeq: number }> {
    const answer = (await this.#authed(now, (token) =>
      this.#call(
        'GET',
        `/v1/topics/${toBase64Url(topic)}/envelopes?after=${after}&limit=${limit}`,
        { token, accept: 'cbor' },
      ),
    )) as {
      envelopes: {
        seq: number;
        cid: string;
        receivedAt: number;
        leafIndex?: number;
        envelope: string | Uint8Array;
      }[];
      lastSeq: number;
    };
    if (!Array.isArray(answer.envelopes) || typeof answer.lastSeq !== 'number') {
      throw new ClientError('CLIENT_RELAY_REFUSED', '(a page of envelopes is malformed)');
    }
    return {
      envelopes: answer.envelopes.map((item) => ({
        seq: item.seq,
        cid: item.cid,
        receivedAt: item.receivedAt,
        leafIndex: item.leafIndex,
        // A relay without the binary form answers JSON with base64url.
        bytes: typeof item.envelope === 'string' ? fromBase64Url(item.envelope) : item.envelope,
      })),
      lastSeq: answer.lastSeq,
    };
  }

  /** Acknowledges `topic` up to `seq`; a chat topic's cursor is a reader pseudonym with a proof. */
  async acknowledge(
    topic: Uint8Array,
    seq: number,
    now: number,
    cursor?: { reader: Uint8Array; writer: Uint8Array; sig: Uint8Array },
  ): Promise<void> {
    const json =
      cursor === undefined
        ? { seq }
        : {
            seq,
            reader: toBase64Url(cursor.reader),
            writer: toBase64Url(cursor.writer),
            sig: toBase64Url(cursor.sig),
          };
    await this.#authed(now, (token) =>
      this.#call('POST', `/v1/topics/${toBase64Url(topic)}/ack`, { json, token }),
    );
  }

  // ——— the transparency log (public: no session) ———

  /** The relay's id, Ed25519 key and log origin. */
  async info(): Promise<RelayInfo> {
    const answer = (await this.#call('GET', '/v1/info')) as {
      relayId: string;
      publicKey: string;
      log?: { origin: string };
    };
    return {
      relayId: answer.relayId,
      publicKey: fromBase64Url(answer.publicKey),
      origin: answer.log?.origin ?? `parley-relay/${answer.relayId}`,
    };
  }

  /** The latest signed checkpoint (C2SP signed note). */
  async checkpoint(): Promise<string> {
    return (await this.#call('GET', '/v1/log/checkpoint', { accept: 'text' })) as string;
  }

  /** The stored checkpoint of exactly `size` leaves, or undefined if the relay has none. */
  async checkpointOfSize(size: number): Promise<string | undefined> {
    try {
      return (await this.#call('GET', `/v1/log/checkpoints/${size}`, { accept: 'text' })) as string;
    } catch (error) {
      if (error instanceof ClientError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The inclusion proof of leaf `index` in the tree of `size` leaves. */
  async inclusionProof(index: number, size: number): Promise<InclusionProofAnswer> {
    const answer = (await this.#call(
      'GET',
      `/v1/log/proof/inclusion?size=${size}&index=${index}`,
    )) as { index: number; size: number; leafHash: string; proof: string[] };
    return {
      index: answer.index,
      size: answer.size,
      leafHash: fromBase64(answer.leafHash),
      proof: answer.proof.map(fromBase64),
    };
  }

  /** The consistency proof between trees of `from` and `to` leaves. */
  async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    const answer = (await this.#call('GET', `/v1/log/proof/consistency?from=${from}&to=${to}`)) as {
      proof: string[];
    };
    return answer.proof.map(fromBase64);
  }

  /** The leaves [start, end) as CIDs (at most 1000). */
  async leaves(start: number, end: number): Promise<{ index: number; cid: string }[]> {
    const answer = (await this.#call('GET', `/v1/log/leaves?start=${start}&end=${end}`)) as {
      leaves: { index: number; cid: string }[];
    };
    return answer.leaves;
  }

  /** A batch file's bytes by CID. */
  async batch(cid: string): Promise<Uint8Array> {
    return (await this.#call('GET', `/v1/log/batches/${encodeURIComponent(cid)}`, {
      accept: 'bytes',
    })) as Uint8Array;
  }

  /** Runs `call` with a session token; once more with a fresh login if the relay forgot it. */
  async #authed<T>(now: number, call: (token: string) => Promise<T>): Promise<T> {
    try {
      return await call(await this.token(now));
    } catch (error) {
      if (!(error instanceof ClientError) || error.relayCode !== 'RELAY_UNAUTHENTICATED')
        throw error;
      this.#token = undefined;
      return call(await this.token(now));
    }
  }

  async #call(
    method: string,
    path: string,
    options: {
      json?: unknown;
      cbor?: Uint8Array;
      token?: string;
      withStatus?: boolean;
      headers?: Record<string, string>;
      /**
       * Read a successful answer as text or bytes instead of JSON; 'cbor' asks for
       * application/cbor and decodes it (JSON if the relay answers JSON).
       */
      accept?: 'text' | 'bytes' | 'cbor';
    } = {},
  ): Promise<unknown> {
    const headers: Record<string, string> = { ...options.headers };
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.cbor !== undefined) {
      headers['content-type'] = 'application/cbor';
      body = new Uint8Array(options.cbor);
    }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.accept === 'cbor') headers.accept = 'application/cbor, application/json;q=0.5';
    let response: Response;
    try {
      response = await this.#options.fetch(`${this.#base}${path}`, {
        method,
        headers,
        // A relay that accepts the connection but never answers must not hang the client.
        signal: AbortSignal.timeout(this.#options.requestTimeoutMs ?? 20_000),
        ...(body === undefined ? {} : { body }),
      });
    } catch (cause) {
      throw new ClientError('CLIENT_RELAY_UNREACHABLE', `(${this.#base})`, { cause });
    }
    if (response.ok && options.accept === 'bytes') {
      return new Uint8Array(await response.arrayBuffer());
    }
    if (
      response.ok &&
      options.accept === 'cbor' &&
      (response.headers.get('content-type') ?? '').startsWith('application/cbor')
    ) {
      const bytes = new Uint8Array(await response.arrayBuffer());
      try {
        return decodeCanonical(bytes, { maxBytes: MAX_PAGE_BYTES });
      } catch (cause) {
        throw new ClientError('CLIENT_RELAY_REFUSED', '(a binary answer is not canonical CBOR)', {
          cause,
        });
      }
    }
    const text = await response.text();
    if (response.ok && options.accept === 'text') return text;
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        throw new ClientError('CLIENT_RELAY_REFUSED', `(${response.status}: not JSON)`, {
          cause,
          status: response.status,
        });
      }
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (response.status === 401 && error?.code === 'RELAY_UNAUTHENTICATED')
        this.#token = undefined;
      throw new ClientError(
        'CLIENT_RELAY_REFUSED',
        `(${error?.code ?? response.status}: ${error?.message ?? ''})`,
        {
          relayCode: error?.code ?? `HTTP_${response.status}`,
          status: response.status,
        },
      );
    }
    return options.withStatus === true ? { status: response.status, body: parsed } : parsed;
  }
}

/** A leaf index from an answer, or undefined if it is missing or not one. */
function leafIndexOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
