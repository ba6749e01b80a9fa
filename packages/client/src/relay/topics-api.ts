/** The relay's envelope and topic routes (docs/spec/relay-api.md) for the SDK: post, page, ack. */
import {
  WRITE_PROOF_HEADERS,
  decodeEnvelopePage,
  receiptSchema,
  toBase64Url,
  type AckRequest,
  type TopicEnvelope,
  type WireReceipt,
  type WriteProof,
} from '@parley/core';
import { ClientError } from '../errors.js';
import { decodeAnswer, type RelayHttp } from './relay-http.js';
import type { RelaySession } from './relay-session.js';

/** A receipt for an accepted envelope (docs/spec/log.md), and whether the relay held it already. */
export type Receipt = WireReceipt & { readonly duplicate: boolean };

/** A reader's cursor proof on a chat topic (docs/spec/chats.md §Write keys). */
export interface CursorProof {
  readonly reader: Uint8Array;
  readonly writer: Uint8Array;
  readonly sig: Uint8Array;
}

/** The envelope and topic routes of one relay. */
export class TopicsApi {
  readonly #http: RelayHttp;
  readonly #session: RelaySession;

  constructor(http: RelayHttp, session: RelaySession) {
    this.#http = http;
    this.#session = session;
  }

  /**
   * Posts an envelope; one for a chat topic carries its write proof (docs/spec/chats.md).
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async post(bytes: Uint8Array, now: number, proof?: WriteProof): Promise<Receipt> {
    const headers: Record<string, string> = {};
    if (proof !== undefined) {
      headers[WRITE_PROOF_HEADERS.writer] = toBase64Url(proof.writer);
      headers[WRITE_PROOF_HEADERS.sig] = toBase64Url(proof.sig);
      if (proof.next !== undefined) headers[WRITE_PROOF_HEADERS.next] = toBase64Url(proof.next);
    }
    const answer = await this.#session.authed(now, (token) =>
      this.#http.request('POST', '/v1/envelopes', { cbor: bytes, token, headers }),
    );
    const receipt = decodeAnswer(receiptSchema, answer.body, 'receipt');
    // 201 stores it now; 200 says the relay held these bytes already.
    return { ...receipt, duplicate: answer.status === 200 };
  }

  /**
   * Up to `limit` envelopes of `topic` after `after`: fewer only when the topic has no more.
   * The relay bounds each page in bytes, so this follows its pages (binary, DAG-CBOR) until it
   * has `limit` or reached the topic's last seq.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async fetch(
    topic: Uint8Array,
    after: number,
    limit: number,
    now: number,
  ): Promise<{ envelopes: TopicEnvelope[]; lastSeq: number }> {
    const envelopes: TopicEnvelope[] = [];
    let cursor = after;
    for (;;) {
      const page = await this.#page(topic, cursor, limit - envelopes.length, now);
      envelopes.push(...page.envelopes);
      const last = page.envelopes.at(-1);
      if (last === undefined || envelopes.length >= limit || last.seq >= page.lastSeq) {
        return { envelopes, lastSeq: page.lastSeq };
      }
      cursor = last.seq;
    }
  }

  async #page(
    topic: Uint8Array,
    after: number,
    limit: number,
    now: number,
  ): Promise<{ envelopes: TopicEnvelope[]; lastSeq: number }> {
    const path = `/v1/topics/${toBase64Url(topic)}/envelopes?after=${after}&limit=${limit}`;
    const answer = await this.#session.authed(now, (token) =>
      this.#http.request('GET', path, { token, accept: 'cbor' }),
    );
    // A relay without the binary form answers JSON with base64url; core decodes both.
    const page = decodeEnvelopePage(answer.body);
    if (!page.ok)
      throw new ClientError('CLIENT_RELAY_ANSWER_INVALID', `(${page.detail ?? page.reason})`);
    return page.value;
  }

  /**
   * Acknowledges `topic` up to `seq`; a chat topic's cursor is a reader pseudonym with a proof.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  async acknowledge(
    topic: Uint8Array,
    seq: number,
    now: number,
    cursor?: CursorProof,
  ): Promise<void> {
    const json: AckRequest =
      cursor === undefined
        ? { seq }
        : {
            seq,
            reader: toBase64Url(cursor.reader),
            writer: toBase64Url(cursor.writer),
            sig: toBase64Url(cursor.sig),
          };
    await this.#session.authed(now, (token) =>
      this.#http.request('POST', `/v1/topics/${toBase64Url(topic)}/ack`, { json, token }),
    );
  }
}
