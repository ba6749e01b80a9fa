/**
 * The relay's HTTP API (docs/spec/relay-api.md) as typed calls for one account: the session and
 * the concept clients (directory, topics, log) over one transport, every answer decoded with
 * core's wire module. Transport failures become CLIENT_RELAY_UNREACHABLE; refusals carry the
 * relay's code in CLIENT_RELAY_REFUSED; a body that breaks its schema is CLIENT_RELAY_ANSWER_INVALID.
 */
import type { CryptoSuite, Identity, TopicEnvelope, WriteProof } from '@parley/core';
import {
  DirectoryApi,
  type ClaimedKeyPackage,
  type ServedDirectoryEntry,
} from './directory-api.js';
import { LogApi, type InclusionProofAnswer, type RelayInfo } from './log-api.js';
import { RelayHttp } from './relay-http.js';
import { RelaySession } from './relay-session.js';
import { TopicsApi, type CursorProof, type Receipt } from './topics-api.js';

export type { InclusionProofAnswer, Receipt, RelayInfo, TopicEnvelope };

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

/** Calls one relay on behalf of one account (every method throws the codes above). */
export class RelayApi {
  readonly #session: RelaySession;
  readonly #directory: DirectoryApi;
  readonly #topics: TopicsApi;
  readonly #log: LogApi;

  constructor(options: RelayApiOptions) {
    const http = new RelayHttp(options);
    this.#session = new RelaySession(http, options);
    this.#directory = new DirectoryApi(http, this.#session);
    this.#topics = new TopicsApi(http, this.#session);
    this.#log = new LogApi(http);
  }

  /** The current session token, logging in first if needed. */
  token(now: number): Promise<string> {
    return this.#session.token(now);
  }

  /** Logs in with a fresh challenge. */
  login(): Promise<void> {
    return this.#session.login();
  }

  /** The account's entry as served, with its leaf index; undefined if the relay has none. */
  getDirectory(accountId: string): Promise<ServedDirectoryEntry | undefined> {
    return this.#directory.get(accountId);
  }

  /** Publishes an entry and `device`'s one-time KeyPackages; answers the entry's leaf index. */
  putDirectory(
    accountId: string,
    entry: Uint8Array,
    keyPackages: readonly Uint8Array[],
    device: Uint8Array,
    now: number,
  ): Promise<{ leafIndex: number }> {
    return this.#directory.put(accountId, entry, keyPackages, device, now);
  }

  /** Claims one of the account's KeyPackages. */
  claimKeyPackage(accountId: string, now: number): Promise<ClaimedKeyPackage> {
    return this.#directory.claimKeyPackage(accountId, now);
  }

  /** Posts an envelope; one for a chat topic carries its write proof (docs/spec/chats.md). */
  postEnvelope(bytes: Uint8Array, now: number, proof?: WriteProof): Promise<Receipt> {
    return this.#topics.post(bytes, now, proof);
  }

  /** Up to `limit` envelopes of `topic` after `after`: fewer only when the topic has no more. */
  fetchEnvelopes(
    topic: Uint8Array,
    after: number,
    limit: number,
    now: number,
  ): Promise<{ envelopes: TopicEnvelope[]; lastSeq: number }> {
    return this.#topics.fetch(topic, after, limit, now);
  }

  /** Acknowledges `topic` up to `seq`; a chat topic's cursor is a reader pseudonym with a proof. */
  acknowledge(topic: Uint8Array, seq: number, now: number, cursor?: CursorProof): Promise<void> {
    return this.#topics.acknowledge(topic, seq, now, cursor);
  }

  /** The relay's id, Ed25519 key and log origin. */
  info(): Promise<RelayInfo> {
    return this.#log.info();
  }

  /** The latest signed checkpoint (C2SP signed note). */
  checkpoint(): Promise<string> {
    return this.#log.checkpoint();
  }

  /** The stored checkpoint of exactly `size` leaves, or undefined if the relay has none. */
  checkpointOfSize(size: number): Promise<string | undefined> {
    return this.#log.checkpointOfSize(size);
  }

  /** The inclusion proof of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number): Promise<InclusionProofAnswer> {
    return this.#log.inclusionProof(index, size);
  }

  /** The consistency proof between trees of `from` and `to` leaves. */
  consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    return this.#log.consistencyProof(from, to);
  }

  /** The leaves [start, end) as CIDs (at most 1000). */
  leaves(start: number, end: number): Promise<{ index: number; cid: string }[]> {
    return this.#log.leaves(start, end);
  }

  /** A batch file's bytes by CID. */
  batch(cid: string): Promise<Uint8Array> {
    return this.#log.batch(cid);
  }
}
